"""Messages as data: a rule says what it found as a template that names its facts, and the
numbers become words here, in one place (rules never format a number).

A template is ``str.format`` text whose fields name facts and say how to write them::

    text("test loss was lowest around step {step:step} ({value:num})", step=40, value=0.6225)

``{x:num}`` a measured number (0.6225, 3e-04), ``{x:step}`` a logged step (40, 0.5),
``{x:se}`` a statistic in standard errors, ``{x:sigmas}`` one in noise sigmas; any other
spec is Python's own (``{share:.0%}``). A fact may itself be a Text (or plain words): a
part of the message that names facts of its own.
"""
from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .numbers import fmt, fmt_step, fmt_z


@dataclass(frozen=True)
class Text:
    """Words with named facts: ``template`` names each fact as ``{name:kind}``."""

    template: str
    facts: Mapping[str, Any] = field(default_factory=dict)


#: what a rule says: a Text, or plain words that name no fact
Said = Text | str


def text(template: str, **facts: Any) -> Text:
    """A template and the facts it names, as a rule writes them side by side."""
    return Text(template, facts)


def join(separator: str, parts: Iterable[Said]) -> Text:
    """Several parts as one Text, each keeping its own facts (``a and b``, ``x, y, z``)."""
    items = list(parts)
    return Text(separator.join(f"{{part{i}}}" for i in range(len(items))),
                {f"part{i}": p for i, p in enumerate(items)})


def sigmas(value: float) -> str:
    """A distance in noise sigmas: '4.2 noise sigmas', 'over 100 noise sigmas'."""
    if not math.isfinite(value) or abs(value) >= 100:
        return "over 100 noise sigmas"
    return f"{value:.1f} noise sigmas"


#: how a fact is written, by the kind its template field names
KINDS: dict[str, Callable[[Any], str]] = {
    "num": fmt, "step": fmt_step, "se": fmt_z, "sigmas": sigmas}


class _Writer(string.Formatter):
    """``str.format`` with the kinds above, and Texts inside Texts rendered in place."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        return kwargs[str(key)]

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Text):
            return render(value)
        if format_spec in KINDS:
            return KINDS[format_spec](None if value is None else float(value))
        return super().format_field(value, format_spec)


_WRITER = _Writer()


def render(said: Said) -> str:
    """The words a user reads: every fact written as its field says."""
    if isinstance(said, str):
        return said
    return _WRITER.vformat(said.template, (), said.facts)
