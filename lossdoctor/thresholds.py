"""Every tunable number of the trend detector and the rules, in one place."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import UsageError

#: the range each threshold may take: (lowest, highest, whether the lowest is excluded)
RANGES: dict[str, tuple[float, float, bool]] = {
    "max_points": (10, 10_000_000, False), "min_points": (3, 10_000, False),
    "windows": (1, 50, False), "smooth_fraction": (0, 0.5, True),
    "flat_noise_z": (0, 50, True), "flat_share": (0, 1, False),
    "still_span": (0, 1, False), "data_ratio": (1, 1000, False),
    "data_ratio_below": (1, 1000, False), "monotone_p": (0, 1, False),
    "overfit_z": (0, 50, True), "overfit_rise_share": (0, 1, False),
    "overfit_train_share": (0, 1, False), "chance_max_classes": (2, 1_000_000, False),
    "chance_band": (0, 0.5, False), "divergence_z": (0, 50, True),
    "divergence_factor": (1, 1e9, True), "rise_tolerance": (0, 1, False),
    "blowup_factor": (1, 1e9, True), "onset_share": (0, 1, False),
    "spike_z": (0, 1000, True), "spike_ratio": (1, 1e9, True),
    "spike_count": (1, 10_000, False), "climb_share": (0, 100, False),
    "climb_noise": (0, 1000, False), "late_rise": (0, 1, False),
    "material_share": (0, 1, False), "knock_share": (0, 1, False),
    "swing_limit": (0, 100, True),
    "near_se": (0, 50, False), "level_factor": (1, 50, False),
    "knock_recovery": (0, 1, True), "chance_separation": (0, 0.5, True),
    "early_low_z": (0, 50, False),
    "blowup_points": (1, 10_000, False), "blowup_noise_z": (0, 1000, True),
    "blowup_stretch": (3, 10_000, False), "lr_step": (1, 1e9, True),
    "edging_z": (0, 50, False), "data_gap": (0, 100, True), "carry_share": (0, 1, False),
    "overfit_points": (1, 10_000, False),
}


def out_of_range(name: str, value: Any, integer: bool) -> str | None:
    """Why ``value`` cannot be threshold ``name`` (scikit-learn style), or None when it can."""
    lo, hi, open_lo = RANGES[name]
    kind = "an integer" if integer else "a number"
    ok = (isinstance(value, int) if integer else isinstance(value, (int, float)))
    if not ok or isinstance(value, bool) or not math.isfinite(value) or value > hi \
            or value < lo or (open_lo and value == lo):
        return (f"{name} must be {kind} in {'(' if open_lo else '['}{lo:g}, {hi:g}],"
                f" got {value!r}")
    return None


@dataclass(frozen=True)
class Thresholds:
    """Defaults describe loss curves in general; config files and options override them.

    Every value is checked against its range when the thresholds are made:

    >>> Thresholds(max_points=0)
    Traceback (most recent call last):
    ...
    lossdoctor.errors.UsageError: max_points must be an integer in [10, 1e+07], got 0
    """

    #: longer curves are reduced to about this many points (medians of equal-count bins)
    max_points: int = 400
    #: a curve needs this many finite points for a trend; fewer is not enough evidence
    min_points: int = 5
    #: curves too short for a trend still say "learning" when each falls at every logged
    #: point and, for one of them, the chance of that order with no trend (1 / n! for n
    #: points: the Mann-Kendall statistic at its extreme, one-sided) is below this: 4 points
    monotone_p: float = 0.05
    #: the run's step range is cut into this many windows for the slope fits
    windows: int = 3
    #: width of the running median used to smooth a curve, as a fraction of its points
    smooth_fraction: float = 0.08
    #: a window is flat when its change is within this many standard errors of noise ...
    flat_noise_z: float = 2.5
    #: ... or below this share of the curve's progress (the range of its smoothed trend)
    flat_share: float = 0.04
    #: a flat last window still edges down when it falls this many standard errors (a
    #: sparse test loss's, by flat_share of its progress too; a train loss's beside a test
    #: loss that falls): the sign of a smaller change is noise
    edging_z: float = 1.0
    #: beside a train window that moved before and is flat now, tilting either way within its
    #: noise, a test loss whose last window still falls this share of its progress carries
    #: the verdict (learning: the run improves where it counts); a smaller fall is the tail
    #: of a curve that levels off, no evidence against the train loss's rest
    carry_share: float = 0.1
    #: a positive loss whose smoothed values all stay within this fraction of each other
    #: (log scale) has not measurably moved: flat, and no instability is read into it;
    #: nor has one whose whole-run change is smaller, unless its fall speeds up. 2% of
    #: jitter per point, which no verdict may turn on, gives the whole-run change of a
    #: 25-point curve a standard error of 1.4%: a verdict needs a move of about 3 of them
    #: (a loss easing 0.72 -> 0.68 over a run, 5.7%, still learns)
    still_span: float = 0.04
    #: data_problem: the test loss falls this many times faster than the train loss (and a
    #: train loss that fell this many times further than the test loss has converged)
    data_ratio: float = 4.0
    #: data_problem: or the test loss fell this many times further than the train loss over
    #: the run and ends below it (by ``data_gap`` and ``overfit_z`` standard errors): the
    #: model fits the test set it never trained on better than its own train set
    data_ratio_below: float = 2.0
    #: data_problem: the train loss ends this share (log scale) above the highest the test
    #: loss ever was (a ratio of the two losses: a constant gap on another scale, or noise
    #: of a few percent, is not one)
    data_gap: float = 0.05
    #: overfitting: since the smoothed test minimum, the test loss rose (or the train loss
    #: fell) this many standard errors of the smoothed curves ...
    overfit_z: float = 3.0
    #: ... and the rise is this share of the test loss's progress (about what a window must
    #: move to count as a trend: a slow steady climb back from a deep minimum counts) ...
    overfit_rise_share: float = 0.05
    #: ... or the train fall this share of the train loss's progress
    overfit_train_share: float = 0.1
    #: ... and the test loss was evaluated this many times since its best (one evaluation
    #: above it can be noise; two in a row have stood there)
    overfit_points: int = 2
    #: chance level: a stuck loss at ln K is named for K up to this many classes ...
    chance_max_classes: int = 1000
    #: ... when its smoothed values all stay within this fraction of ln K
    chance_band: float = 0.02
    #: divergence and a late rise: the smoothed loss ends this many standard errors above
    #: its best
    divergence_z: float = 4.0
    #: onset of a rise: the smoothed loss climbs this fraction of its progress above its best
    rise_tolerance: float = 0.1
    #: divergence also when a positive train loss ends this many times its best (without
    #: climbing back above where it started)
    divergence_factor: float = 10.0
    #: divergence: the loss at least this many times its best (a blow-up, not a new level)
    blowup_factor: float = 2.0
    #: a climb starts where the smoothed loss last stood within this share of its progress
    #: (plus two standard errors) of its running best
    onset_share: float = 0.02
    #: lr_too_high: a spike stands this many robust standard deviations above the trend ...
    spike_z: float = 6.0
    #: ... and, for a positive loss, at this many times the trend
    spike_ratio: float = 2.0
    #: lr_too_high: at least this many spikes in the train and test loss together
    spike_count: int = 2
    #: lr_too_high: or the smoothed train loss's climbs add up to this share of its falls ...
    climb_share: float = 0.4
    #: ... counting only climbs larger than this many standard errors of the smoothed curve
    climb_noise: float = 3.0
    #: lr_too_high: or a rise at the end of this share of the progress
    late_rise: float = 0.15
    #: a climb of a positive loss counts (late rise, knock, climbing back; a rising train
    #: loss against overfitting) only when it is this share of its progress on the loss's
    #: own scale, not just on the log scale
    material_share: float = 0.05
    #: lr_too_high: or a climb of this share of the progress that the loss recovered from
    knock_share: float = 0.3
    #: lr_too_high: or the test loss swings around its trend by this much (relative, log)
    #: and by more than it improved
    swing_limit: float = 0.25
    #: divergence before the climb dominates the curve: a blow-up has clearly begun once the
    #: train loss's last this many points (and the test loss's, when it has a trend) ...
    blowup_points: int = 3
    #: ... each stand this many noise sigmas (the curve's own point-to-point scatter) above
    #: its best, the climb significant (``divergence_z``), material and, for the train
    #: loss, larger than any before it ...
    blowup_noise_z: float = 4.0
    #: ... and still under way: over the last this many points (or the smoothing width, if
    #: wider) the loss rises by ``flat_noise_z`` standard errors (Theil-Sen): a loss that
    #: stepped up and rests at its new level is not blowing up
    blowup_stretch: int = 5

    #: a smoothed value stands "near" a best (where a climb starts, where the test loss
    #: levelled off) within this many standard errors of the smoothed curve
    near_se: float = 2.0
    #: a change of level with no trend in the curve's last window (overfitting: a test rise,
    #: a train fall) must stand this many times ``overfit_z`` out: a noise dip is no best
    level_factor: float = 2.0
    #: a knock counts once the loss came back down this share of its climb
    knock_recovery: float = 0.5
    #: chance level: nearer ln K than this share of the way to ln(K +- 1)
    chance_separation: float = 0.25
    #: a best among the first points (where the running median sees few values) counts only
    #: this many scatters below the settled minimum
    early_low_z: float = 3.0

    #: a recorded learning rate that changes this many times from one logged value to the
    #: next, in the last window, starts the last window there (a step decay starts a new trend)
    lr_step: float = 3.0

    def __post_init__(self) -> None:
        for f in fields(self):
            problem = out_of_range(f.name, getattr(self, f.name), f.type in ("int", int))
            if problem:
                raise UsageError(problem)

    def with_values(self, **changes: Any) -> Thresholds:
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        return replace(self, **changes)


DEFAULT = Thresholds()
