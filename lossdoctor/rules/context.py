"""What the rules see of one run: the two curves' trends and the learning rate."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..records import Direction
from ..trends import CurveTrend


@dataclass(frozen=True)
class RunContext:
    """Trends of one run; ``train`` or ``test`` is None when the log lacks that curve."""

    train: CurveTrend | None
    test: CurveTrend | None
    lr_steps: np.ndarray = field(default_factory=lambda: np.empty(0))
    lr_values: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: curves too short for a trend that still hold NaN/Inf: only non_finite reads them
    broken: tuple[CurveTrend, ...] = ()
    #: finite points of each split the log holds (set aside or not): what evidence there is
    points: dict[str, int] = field(default_factory=dict)
    #: the finite values, in step order, of curves set aside as too short for a trend
    short: dict[str, np.ndarray] = field(default_factory=dict)
    #: splits whose loss is a sum of logged components (a GAN's D loss + G loss)
    summed: frozenset[str] = frozenset()
    #: the model is a gradient-boosted ensemble (the log is CatBoost's, XGBoost's or
    #: LightGBM's): rounds, not steps of a network; the remedies are the trees'
    boosted: bool = False

    def curves(self) -> list[CurveTrend]:
        return [c for c in (self.train, self.test) if c is not None]

    def lr_at(self, step: float | None = None) -> float | None:
        """The recorded learning rate at a step (the last one before it), else None."""
        ok = np.isfinite(self.lr_values) & (self.lr_values > 0)
        if not ok.any():
            return None
        steps, values = self.lr_steps[ok], self.lr_values[ok]
        if step is None:
            return float(values[-1])
        i = int(np.searchsorted(steps, step, side="right")) - 1
        return float(values[max(i, 0)])


    def lr_rise_step(self, above: float) -> float | None:
        """First step where the recorded learning rate exceeds ``above``, else None."""
        ok = np.isfinite(self.lr_values) & (self.lr_values > above)
        return float(self.lr_steps[ok][0]) if ok.any() else None


def end_direction(curve: CurveTrend | None) -> Direction | None:
    return curve.direction_at_end() if curve is not None and curve.windows else None
