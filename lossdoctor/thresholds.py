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
    windows: int = 3
    #: width of the running median used to smooth a curve, as a fraction of its points
    smooth_fraction: float = 0.08
    #: a window is flat when its change is within this many standard errors of noise ...
    flat_noise_z: float = 2.0
    #: ... or below this fraction of the curve's level (relative change over one window)
    flat_level: float = 0.025
    #: data_problem: the test loss still falls at least this fraction of its level per window
    data_test_rate: float = 0.003
    #: data_problem: ... and at least this many times faster (relatively) than the train loss
    data_ratio: float = 4.0
    #: data_problem: ... while the train loss still stands above this fraction of where it
    #: started (it has not learned its training set; one that fell far and rests has)
    data_train_stuck: float = 0.5
    #: test loss counts as "stopped improving" once within this fraction of its range of the best
    best_tolerance: float = 0.03
    #: overfitting: since the test loss was best, the train loss fell by this fraction ...
    overfit_train_gain: float = 0.10
    #: ... or the test loss rose by this fraction of its best value
    overfit_test_rise: float = 0.05
    #: divergence: the train loss ends this far above its best, as a fraction of its first drop
    divergence_rise: float = 1.0
    #: divergence also when the last train loss is this many times its best
    divergence_factor: float = 10.0
    #: onset of a rise: the smoothed loss climbs this fraction of its progress above its best
    rise_tolerance: float = 0.1
    #: divergence onset: where the smoothed train loss first reaches this many times its best
    blowup_factor: float = 2.0
    #: lr_too_high: a spike is a jump to this many times the curve's trend ...
    spike_ratio: float = 3.0
    #: ... that is also at least this fraction of the curve's progress
    spike_height: float = 0.05
    #: lr_too_high: at least this many spikes in the train and test loss together
    spike_count: int = 2
    #: lr_too_high from spikes alone yields the verdict to overfitting once the test loss
    #: ends this fraction above its best: the trend then matters more than a few jumps
    spikes_yield_rise: float = 0.5
    #: lr_too_high: or the train loss swings this much (relative, robust) around its trend
    scatter_limit: float = 0.3
    #: lr_too_high: or the smoothed train loss's climbs add up to this much (log: 0.5 = +65%)
    climb_total: float = 0.5
    #: ... and to this share of its falls (log scale): its trend keeps going back up
    climb_share: float = 0.4
    #: ... counting only climbs larger than this many times the curve's relative scatter
    climb_noise: float = 3.0
    #: lr_too_high: or a rise at the end of this fraction of the progress
    late_rise: float = 0.15

    def with_values(self, **changes: Any) -> Thresholds:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        return replace(self, **changes)


DEFAULT = Thresholds()
