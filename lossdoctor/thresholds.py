"""Every tunable number of the trend detector and the rules, in one place."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    """Defaults describe loss curves in general; config files and options override them."""

    #: longer curves are reduced to about this many points (medians of equal-count bins)
    max_points: int = 400
    #: the run's step range is cut into this many windows for the slope fits
    windows: int = 4
    #: width of the running median used to smooth a curve, as a fraction of its points
    smooth_fraction: float = 0.08
    #: a window is flat when its change is within this many standard errors of noise ...
    flat_noise_z: float = 3.0
    #: ... or below this fraction of the curve's whole progress (its smoothed range) ...
    flat_progress: float = 0.04
    #: ... or below this fraction of the curve's level
    flat_level: float = 0.01
    #: test loss counts as "stopped improving" once within this fraction of its range of the best
    best_tolerance: float = 0.03
    #: overfitting: the test loss ends at least this fraction of its progress above its best
    overfit_rise: float = 0.05
    #: divergence: the train loss ends this far above its best, as a fraction of its first drop
    divergence_rise: float = 1.0
    #: divergence also when the last train loss is this many times its best
    divergence_factor: float = 10.0
    #: lr_too_high: spikes higher than this fraction of the curve's progress above its trend
    spike_height: float = 0.15
    #: lr_too_high: at least this many such spikes (or one sustained rise) in the train loss
    spike_count: int = 2
    #: lr_too_high: or a rise at the end of this fraction of the progress
    late_rise: float = 0.15

    def with_values(self, **changes: Any) -> Thresholds:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        return replace(self, **changes)


DEFAULT = Thresholds()
