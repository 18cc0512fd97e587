"""A number as logs print it (sign, decimals, exponent; nan and inf), for the readers of
console text to share one pattern."""
from __future__ import annotations

import re

#: the number's text, to build other patterns from
NUM_TEXT = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: a number, nan or inf (match it case-blind)
VALUE_TEXT = rf"{NUM_TEXT}|[-+]?(?:nan|inf)"
#: a whole cell or word that is a number, nan or inf
NUMBER = re.compile(rf"^(?:{VALUE_TEXT})$", re.IGNORECASE)
