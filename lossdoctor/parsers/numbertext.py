"""A number as logs print it (sign, decimals, exponent; nan and inf), for the readers of
console text to share one pattern."""
from __future__ import annotations

import re

#: the number's text, to build other patterns from
NUM_TEXT = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: a whole cell or word that is a number, nan or inf
NUMBER = re.compile(rf"^{NUM_TEXT}$|^[-+]?(?:nan|inf)$", re.IGNORECASE)
