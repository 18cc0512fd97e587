"""Plain records that flow between the stages: trends in, diagnoses out."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .wording import Said, render


class Direction(str, enum.Enum):
    """Which way a curve goes inside one window."""

    FALLING = "falling"
    FLAT = "flat"
    RISING = "rising"


class Severity(enum.IntEnum):
    """How urgently a diagnosis asks for action; ordered so thresholds compare."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(text) from None


@dataclass(frozen=True)
class Window:
    """One stretch of a curve and the robust slope fitted over it."""

    split: str
    start_step: float
    end_step: float
    slope: float          # loss units per step
    change: float         # slope * span: how far the curve moved over the window
    tolerance: float      # a working-scale change below this is flat (noise and progress)
    direction: Direction
    points: int
    noise: float = 0.0    # the window's own scatter around the trend (working scale)
    z: float = 0.0        # change in standard errors of that scatter
    share: float = 0.0    # working-scale change as a share of the curve's whole progress


@dataclass(frozen=True)
class CurveSummary:
    """What one split's curve did, in numbers a user can check."""

    split: str
    points: int
    first_step: float
    first_value: float
    last_step: float
    last_value: float
    min_step: float
    min_value: float
    noise: float
    non_finite_step: float | None
    windows: tuple[Window, ...] = ()
    #: the scale the trend was judged on: "log" (noise and changes are relative) or "linear"
    scale: str = "linear"
    #: the last step whose value is NaN/Inf (a run can log finite values again after it)
    last_non_finite_step: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "first": {"step": _num(self.first_step), "value": _num(self.first_value)},
            "last": {"step": _num(self.last_step), "value": _num(self.last_value)},
            "min": {"step": _num(self.min_step), "value": _num(self.min_value)},
            "noise": _num(self.noise),
            "scale": self.scale,
            "first_non_finite_step": _num(self.non_finite_step),
            "last_non_finite_step": _num(self.last_non_finite_step),
            "windows": [
                {"start_step": _num(w.start_step), "end_step": _num(w.end_step),
                 "slope": _num(w.slope), "change": _num(w.change),
                 "tolerance": _num(w.tolerance), "direction": w.direction.value,
                 "points": w.points, "z": _num(round(w.z, 3)),
                 "share_of_progress": _num(round(w.share, 4))}
                for w in self.windows
            ],
        }


@dataclass(frozen=True)
class Finding:
    """What a rule found: since when, why we think so and what to try, as facts.

    A rule returns this; the engine makes it a Diagnosis by stamping the name, code and
    severity of the rule's registration, so they are written once, in ``@rule``. What it
    says and advises are templates with their facts (``wording.text``), written out only
    when read.
    """

    text: Said
    start_step: float | None = None
    end_step: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: tuple[Said, ...] = ()
    #: findings that take the verdict from this one when both are present (it stays reported)
    yields_to: tuple[str, ...] = ()
    #: 0-1: how far the deciding statistic stands past its threshold (see ``confidence``)
    confidence: float | None = None


@dataclass(frozen=True)
class Diagnosis:
    """One finding: what, how bad, since when, why we think so and what to try."""

    name: str
    severity: Severity
    text: Said
    start_step: float | None = None
    end_step: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    advice: tuple[Said, ...] = ()
    code: str = ""
    #: findings that take the verdict from this one when both are present (it stays reported)
    yields_to: tuple[str, ...] = ()
    #: 0-1: how far the deciding statistic stands past its threshold (see ``confidence``)
    confidence: float | None = None

    @property
    def message(self) -> str:
        """What was found, in words: the rule's template with its facts written out."""
        return render(self.text)

    @property
    def actions(self) -> tuple[str, ...]:
        """What to try, in words."""
        return tuple(render(a) for a in self.advice)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "code": self.code,
            "severity": self.severity.label,
            "start_step": _num(self.start_step),
            "end_step": _num(self.end_step),
            "message": self.message,
            "evidence": {k: _num(v) if isinstance(v, float) else v
                         for k, v in self.evidence.items()},
            "actions": list(self.actions),
            "confidence": None if self.confidence is None else round(self.confidence, 2),
        }


#: the most sure a finding is said to be: a measurement is never certain
SUREST = 0.99


def confidence(statistic: float, threshold: float) -> float:
    """How sure a finding is: 1 - threshold / (2 * statistic). 0.5 when the deciding
    statistic just reaches its threshold, 0.75 at twice it, towards ``SUREST`` far past it."""
    if not threshold > 0 or not statistic > 0:
        return 0.5
    return float(min(max(1.0 - threshold / (2.0 * statistic), 0.0), SUREST))


def _num(value: float | None) -> float | int | None:
    """JSON-friendly number: ints stay ints, NaN/Inf become None."""
    if value is None:
        return None
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value
