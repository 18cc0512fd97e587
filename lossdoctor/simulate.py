"""Simulated loss curves with a known truth, for tests and the accuracy benchmark.

Each family is one seeded function ``builder(seed) -> DataFrame`` (columns ``step, loss,
val_loss`` and ``lr`` where the schedule matters; NaN in ``val_loss`` where the test loss was
not logged) registered with the verdicts a careful practitioner would accept for it:

>>> frame, accepted = simulate("u_shaped_test", seed=3)
>>> sorted(accepted)
['overfitting']

Noise is multiplicative, as minibatch noise is: every point is multiplied by
``exp(N(0, sigma))``; ``sigma`` is a parameter of the families where it matters. Only numpy
and pandas are used, and nothing of lossdoctor's own: the truth does not depend on the
engine it tests.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

Builder = Callable[..., pd.DataFrame]

#: name -> (builder, accepted verdicts)
FAMILIES: dict[str, tuple[Builder, frozenset[str]]] = {}


def family(name: str, *accepts: str) -> Callable[[Builder], Builder]:
    """Register a builder under ``name`` with the verdicts it accepts; twice fails loudly."""
    def wrap(build: Builder) -> Builder:
        if name in FAMILIES:
            raise RuntimeError(f"simulated family {name} registered twice")
        FAMILIES[name] = (build, frozenset(accepts))
        return build
    return wrap


def simulate(name: str, seed: int, **params: Any) -> tuple[pd.DataFrame, frozenset[str]]:
    """One curve pair of family ``name`` and the verdicts that are right for it."""
    if name not in FAMILIES:
        raise KeyError(f"unknown simulated family {name!r}; known: {', '.join(FAMILIES)}")
    build, accepts = FAMILIES[name]
    return build(seed, **params), accepts


# ---------------------------------------------------------------- shared pieces

def _noisy(rng: np.random.Generator, clean: np.ndarray, sigma: float) -> np.ndarray:
    """``clean`` times lognormal noise: minibatch losses scatter by a factor, not a constant."""
    return clean * np.exp(rng.normal(0.0, sigma, len(clean)))


def _spikes(rng: np.random.Generator, values: np.ndarray, mean_count: float,
            most: int = 2) -> np.ndarray:
    """Lone spikes (a bad batch): Poisson(``mean_count``) points, at most ``most``,
    multiplied 2-4x, none in the first tenth of the run."""
    out = values.copy()
    count = min(int(rng.poisson(mean_count)), most)
    where = rng.choice(np.arange(len(out) // 10, len(out)), size=count, replace=False)
    out[where] *= rng.uniform(2.0, 4.0, count)
    return out


def _steps(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` logged steps at a random cadence, from a random start (0 or one interval)."""
    every = int(rng.choice([1, 10, 50]))
    return (np.arange(n) + int(rng.integers(0, 2))) * every


def _frame(steps: np.ndarray, loss: np.ndarray, val_loss: np.ndarray,
           lr: np.ndarray | None = None) -> pd.DataFrame:
    columns = {"step": np.asarray(steps, dtype=float), "loss": loss, "val_loss": val_loss}
    if lr is not None:
        columns["lr"] = lr
    return pd.DataFrame(columns)


def _decay(t: np.ndarray, start: float, floor: float, tau: float) -> np.ndarray:
    """Exponential decay from ``start`` to ``floor`` with time constant ``tau`` (t from 0)."""
    return floor + (start - floor) * np.exp(-t / tau)


def _power(t: np.ndarray, start: float, floor: float, t0: float, alpha: float) -> np.ndarray:
    """Power-law decay ``floor + (start - floor) * (1 + t / t0) ** -alpha``."""
    return floor + (start - floor) * (1.0 + t / t0) ** -alpha


def _scale(rng: np.random.Generator) -> float:
    """A loss level anywhere from MSE-small to cross-entropy-large."""
    return float(np.exp(rng.uniform(np.log(0.05), np.log(5.0))))


# ---------------------------------------------------------------- learning

@family("exp_decay", "learning")
def exp_decay(seed: int, sigma: float | None = None, spikes: float = 0.5,
              most_spikes: int = 2) -> pd.DataFrame:
    """Exponential decay towards a floor, still clearly falling at the end (learning).

    Train noise ``sigma`` (log-space standard deviation, default 0.02-0.5), test noise a
    fifth of it, and on average ``spikes`` lone spikes in the train loss (at most
    ``most_spikes``).
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 600))
    t = np.arange(n) / n
    sigma = float(rng.uniform(0.02, 0.5)) if sigma is None else sigma
    top = _scale(rng)
    floor = top * rng.uniform(0.02, 0.1)
    tau = rng.uniform(0.45, 0.8)
    train = _spikes(rng, _noisy(rng, _decay(t, top, floor, tau), sigma), spikes,
                    most_spikes)
    test = _noisy(rng, _decay(t, top * 1.05, floor * 1.3, tau), sigma / 5)
    return _frame(_steps(rng, n), train, test)


@family("power_decay", "learning")
def power_decay(seed: int, sigma: float | None = None, spikes: float = 0.5,
                most_spikes: int = 2) -> pd.DataFrame:
    """Power-law decay ``(1 + t/t0)^-alpha`` towards a floor (learning), noise as exp_decay."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 600))
    t = np.arange(n) / n
    sigma = float(rng.uniform(0.02, 0.5)) if sigma is None else sigma
    top = _scale(rng)
    floor = top * rng.uniform(0.0, 0.05)
    # the last third of the run still makes >= ~8% of the progress: learning, not a plateau
    t0, alpha = rng.uniform(0.1, 0.3), rng.uniform(0.6, 1.2)
    train = _spikes(rng, _noisy(rng, _power(t, top, floor, t0, alpha), sigma), spikes,
                    most_spikes)
    test = _noisy(rng, _power(t, top * 1.05, floor * 1.5 + 0.02 * top, t0, alpha), sigma / 5)
    return _frame(_steps(rng, n), train, test)


@family("per_step_per_epoch", "learning")
def per_step_per_epoch(seed: int, sigma: float | None = None) -> pd.DataFrame:
    """Train loss every step with minibatch noise, test loss once an epoch (learning)."""
    rng = np.random.default_rng(seed)
    epochs, per_epoch = int(rng.integers(15, 40)), int(rng.integers(20, 60))
    n = epochs * per_epoch
    t = np.arange(1, n + 1) / n
    sigma = float(rng.uniform(0.05, 0.4)) if sigma is None else sigma
    top = _scale(rng)
    floor, tau = top * rng.uniform(0.02, 0.1), rng.uniform(0.4, 0.7)
    train = _noisy(rng, _decay(t, top, floor, tau), sigma)
    test = np.full(n, np.nan)
    ends = np.arange(per_epoch - 1, n, per_epoch)
    test[ends] = _noisy(rng, _decay(t[ends], top * 1.05, floor * 1.3, tau), 0.01)
    return _frame(np.arange(1, n + 1), train, test)


@family("cyclic_lr", "learning")
def cyclic_lr(seed: int) -> pd.DataFrame:
    """A triangular cyclic learning rate: the loss decays with a bump at each lr peak."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(240, 600))
    t = np.arange(n) / n
    cycles = int(rng.integers(3, 7))
    tri = 1.0 - np.abs((t * cycles) % 1.0 * 2.0 - 1.0)          # 0 -> 1 -> 0 each cycle
    lr_min = float(10 ** rng.uniform(-4, -2))
    lr = lr_min * (1.0 + 9.0 * tri)
    top = _scale(rng)
    clean = _decay(t, top, top * 0.05, rng.uniform(0.45, 0.8)) * (1.0 + 0.15 * tri)
    train = _noisy(rng, clean, float(rng.uniform(0.02, 0.1)))
    test = _noisy(rng, clean * 1.1, 0.01)
    return _frame(_steps(rng, n), train, test, lr)


# ---------------------------------------------------------------- overfitting

@family("u_shaped_test", "overfitting")
def u_shaped_test(seed: int) -> pd.DataFrame:
    """Train falls throughout; test falls to a minimum at 25-55% of the run, then rises."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 500))
    t = np.arange(n) / n
    top = _scale(rng)
    t_min = rng.uniform(0.25, 0.55)
    train = _noisy(rng, _decay(t, top, top * 0.01, rng.uniform(0.2, 0.4)),
                   float(rng.uniform(0.01, 0.1)))
    base = _decay(t, top * 1.05, top * rng.uniform(0.2, 0.5), t_min / 4)
    drop = top * 1.05 - base[-1]
    rise = drop * rng.uniform(0.2, 0.6) * (np.clip(t - t_min, 0, None) / (1 - t_min)) ** 1.3
    test = _noisy(rng, base + rise, float(rng.uniform(0.005, 0.03)))
    return _frame(_steps(rng, n), train, test)


@family("flattening_test", "overfitting")
def flattening_test(seed: int) -> pd.DataFrame:
    """Test loss flat for most of the run while the train loss keeps falling 4-20x."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(80, 500))
    t = np.arange(n) / n
    top = _scale(rng)
    fall = rng.uniform(4.0, 20.0)
    # falls steadily on a log scale to top / fall, as fast at the end as a power law does
    train = _noisy(rng, top * fall ** -(t ** 0.7), float(rng.uniform(0.01, 0.1)))
    test = _noisy(rng, _decay(t, top * 1.05, top * rng.uniform(0.3, 0.6),
                              rng.uniform(0.03, 0.1)), float(rng.uniform(0.005, 0.02)))
    return _frame(_steps(rng, n), train, test)


# ---------------------------------------------------------------- plateau

@family("constant_gap_plateau", "plateau")
def constant_gap_plateau(seed: int, sigma: float | None = None) -> pd.DataFrame:
    """A quick early drop, then both curves flat for the rest of the run with a constant gap
    (test above train); noise ``sigma`` on both (default 0.005-0.1)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 500))
    t = np.arange(n) / n
    sigma = float(rng.uniform(0.005, 0.1)) if sigma is None else sigma
    level = _scale(rng)
    top, tau = level * rng.uniform(2.0, 6.0), rng.uniform(0.01, 0.04)
    gap = level * rng.uniform(0.05, 0.5)
    train = _noisy(rng, _decay(t, top, level, tau), sigma)
    test = _noisy(rng, _decay(t, top + gap, level + gap, tau), sigma)
    return _frame(_steps(rng, n), train, test)


@family("short_plateau", "plateau")
def short_plateau(seed: int, sigma: float | None = None) -> pd.DataFrame:
    """A short per-epoch log, 10-40 evaluations of both losses: a fall in the first epochs,
    then both flat with a constant gap; noise ``sigma`` (default 0.005-0.05). On so few
    points a trend and noise are hardest to tell apart."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(10, 41))
    t = np.arange(n, dtype=float)
    sigma = float(rng.uniform(0.005, 0.05)) if sigma is None else sigma
    level = _scale(rng)
    top, tau = level * rng.uniform(2.0, 6.0), rng.uniform(0.4, 1.5)
    gap = level * rng.uniform(0.05, 0.5)
    train = _noisy(rng, _decay(t, top, level, tau), sigma)
    test = _noisy(rng, _decay(t, top + gap, level + gap, tau), sigma)
    return _frame(_steps(rng, n), train, test)


@family("oscillation", "lr_too_high", "plateau")
def oscillation(seed: int) -> pd.DataFrame:
    """Both curves swing around a level by a factor of 1.2-2 with a period of 1/12-1/4 run."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(100, 500))
    t = np.arange(n) / n
    level, amp = _scale(rng), rng.uniform(0.2, 0.7)
    period, phase = rng.uniform(1 / 12, 1 / 4), rng.uniform(0, 2 * np.pi)
    wave = amp * np.sin(2 * np.pi * t / period + phase)
    train = _noisy(rng, level * np.exp(wave), 0.05)
    test = _noisy(rng, level * 1.2 * np.exp(wave * rng.uniform(0.6, 1.0)), 0.03)
    return _frame(_steps(rng, n), train, test)


@family("chance_stuck", "plateau")
def chance_stuck(seed: int) -> pd.DataFrame:
    """A 10-class classifier that never learns: both losses sit at ln 10 = 2.3026."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 300))
    t = np.arange(n) / n
    level = np.log(10.0) + rng.uniform(-0.005, 0.015)
    drift = -rng.uniform(0.0, 0.003) * t               # 2.3151 -> 2.3135: not progress
    train = _noisy(rng, level + drift, float(rng.uniform(0.0005, 0.01)))
    test = _noisy(rng, level + rng.uniform(-0.003, 0.003) + drift, 0.0005)
    return _frame(_steps(rng, n), train, test)


# ---------------------------------------------------------------- too fast

@family("early_step_up", "lr_too_high")
def early_step_up(seed: int) -> pd.DataFrame:
    """The loss falls, jumps 2-5x within a few steps at 8-20% of the run, then stays level."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(100, 500))
    t = np.arange(n) / n
    top = _scale(rng)
    t_jump, factor = rng.uniform(0.08, 0.2), rng.uniform(2.0, 5.0)
    before = _decay(t, top, top * 0.1, t_jump / 2)
    low = float(_decay(np.array([t_jump]), top, top * 0.1, t_jump / 2)[0])
    ramp = np.clip((t - t_jump) / 0.02, 0.0, 1.0)
    clean = np.where(t < t_jump, before, low * factor ** ramp)
    train = _noisy(rng, clean, float(rng.uniform(0.01, 0.08)))
    test = _noisy(rng, clean * 1.1, 0.01)
    lr = np.full(n, float(10 ** rng.uniform(-3, -1)))
    return _frame(_steps(rng, n), train, test, lr)


@family("blowup_nan", "non_finite", "divergence")
def blowup_nan(seed: int) -> pd.DataFrame:
    """Healthy decay, then (often under a rising learning rate) exponential growth to NaN."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 400))
    t = np.arange(n) / n
    top = _scale(rng)
    t_blow = rng.uniform(0.4, 0.8)
    clean = _decay(t, top, top * 0.1, 0.2)
    grow = np.exp(np.clip(t - t_blow, 0, None) * n * rng.uniform(0.2, 1.0))
    train = _noisy(rng, clean * grow, float(rng.uniform(0.01, 0.1)))
    train[train > top * 1e6] = np.nan
    first_nan = int(np.argmax(np.isnan(train))) if np.isnan(train).any() else n - 1
    train[first_nan:] = np.nan                           # NaN stays NaN
    test = _noisy(rng, clean * grow * 1.1, 0.01)
    test[first_nan:] = np.nan
    lr = np.full(n, float(10 ** rng.uniform(-3, -2)))
    if rng.random() < 0.5:                               # a scheduler that raised the rate
        lr = lr * np.exp(np.clip(t - t_blow + 0.1, 0, None) * 20)
    return _frame(_steps(rng, n), train, test, lr)


# ---------------------------------------------------------------- data

@family("train_stuck_test_falls", "data_problem")
def train_stuck_test_falls(seed: int) -> pd.DataFrame:
    """The train loss stays flat (on its own scale) while the test loss keeps falling."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(60, 400))
    t = np.arange(n) / n
    top = _scale(rng)
    train = _noisy(rng, np.full(n, top * rng.uniform(0.5, 5.0)), float(rng.uniform(0.005, 0.05)))
    test = _noisy(rng, _decay(t, top, top * rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.7)),
                  float(rng.uniform(0.005, 0.02)))
    return _frame(_steps(rng, n), train, test)
