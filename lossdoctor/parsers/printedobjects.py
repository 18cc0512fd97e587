"""Numbers printed as the objects that hold them: a torch tensor printed without ``.item()``
(``train_loss tensor(16.5469, device='cuda:0')``, ``tensor(0.41, grad_fn=<NllLossBackward0>)``)
or a NumPy 2 scalar's repr in a printed dict (``{'loss': np.float64(0.41)}``) is its number,
as the console reader reads any other."""
from __future__ import annotations

import re

from .numbertext import VALUE_TEXT

#: a one-number tensor or NumPy scalar, with whatever the repr adds after the number
_OBJECT = re.compile(rf"\b(?:tensor|np\.float(?:16|32|64)|numpy\.float(?:16|32|64))\(\s*"
                     rf"({VALUE_TEXT})\s*(?:,[^()]*(?:\([^()]*\)[^()]*)*)?\)")


def unwrap_numbers(lines: list[str]) -> list[str]:
    """The lines with each one-number tensor or NumPy scalar written as its number."""
    return [_OBJECT.sub(r"\1", ln) if "(" in ln and ("tensor(" in ln or ".float" in ln)
            else ln for ln in lines]
