"""What every callback shares: feed a Monitor, turn its verdicts into actions, say so once.

A callback reads its framework's losses, hands them to ``Doctor.update`` and applies the
``Action`` records it gets back (stop, reduce the learning rate, keep the best weights) the
way its framework supports. Nothing here imports a framework.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import LogReadError, UsageError, close_matches
from ..monitor import DEFAULT_STOP_ON, Monitor
from ..records import Direction
from ..report import Report

EXTRA_HINT = 'pip install "lossdoctor[integrations]"'
REPORT_FORMATS = {".json": "json", ".html": "html", ".htm": "html", ".md": "markdown",
                  ".markdown": "markdown", ".txt": "text"}
_CHOICES = {"on_lr_too_high": ("warn", "reduce"), "on_overfitting": ("warn", "stop"),
            "on_plateau": ("warn", "reduce")}


@dataclass(frozen=True)
class Action:
    """Something a callback should do now: ``stop``, ``reduce_lr`` (by ``factor``) or
    ``keep_best`` (the test loss is the best so far: remember these weights)."""

    kind: str
    step: float
    reason: str = ""
    factor: float = 1.0
    #: a stop for overfitting: put the best weights back at the end
    restore: bool = False


class Doctor:
    """The policies of a callback, framework-free.

    Parameters
    ----------
    stop_on : diagnoses (names, codes or severities) that stop training at once
    on_lr_too_high, on_plateau : "warn" (say it) or "reduce" (learning rate x ``factor``)
    on_overfitting : "warn" or "stop"; with ``restore_best`` the best weights come back
    factor, cooldown, min_lr : a reduction multiplies by ``factor`` (never below
        ``min_lr``); after one, the next waits ``cooldown`` diagnoses and is judged only on
        the points logged since it
    patience : lr_too_high, plateau and overfitting act only once the verdict held for this
        many diagnoses in a row (``stop_on`` acts at once)
    report_path : write the final report there (.json, .html, .md or .txt)
    verbose, say : print verdict changes and actions with ``say`` (one line each)
    monitor_options : passed to ``Monitor`` (every, growth, seconds, keep, thresholds, ...)
    """

    def __init__(self, *, stop_on: Iterable[str] = DEFAULT_STOP_ON,
                 on_lr_too_high: str = "warn", on_overfitting: str = "warn",
                 on_plateau: str = "warn", restore_best: bool = True, factor: float = 0.1,
                 cooldown: int = 3, min_lr: float = 0.0, patience: int = 1,
                 report_path: str | Path | None = None,
                 verbose: bool = True, say: Callable[[str], None] = print,
                 **monitor_options: Any) -> None:
        for name, value in (("on_lr_too_high", on_lr_too_high),
                            ("on_overfitting", on_overfitting), ("on_plateau", on_plateau)):
            _check_choice(name, value)
        if not 0 < factor < 1:
            raise UsageError(f"factor must be between 0 and 1, not {factor!r}")
        self.report_format = _report_format(report_path)
        self.report_path = Path(report_path) if report_path is not None else None
        self.monitor = Monitor(stop_on=stop_on, **monitor_options)
        self.on_lr_too_high, self.on_overfitting = on_lr_too_high, on_overfitting
        self.on_plateau, self.restore_best = on_plateau, restore_best
        self.factor, self.cooldown, self.min_lr = factor, cooldown, min_lr
        self.verbose, self._say = verbose, say
        self.stopped: Action | None = None
        self.lr_changes: list[tuple[float, float, float]] = []   # (step, old lr, new lr)
        self.best_test = math.inf
        self.best_train = self._best_train_at_cut = math.inf
        self._told = 0                     # verdict changes already said
        self._runs = 0                     # diagnoses seen
        self.patience = max(1, int(patience))
        self._streak: tuple[str | None, int] = (None, 0)   # verdict, diagnoses in a row
        self._runs_at_change = 0

    @property
    def keeps_best(self) -> bool:
        """Whether the callback should remember the weights of the best test loss."""
        return self.restore_best and self.on_overfitting == "stop"

    def say(self, message: str) -> None:
        if self.verbose:
            self._say(f"[lossdoctor] {message}")

    def update(self, step: float, train_loss: Any = None, test_loss: Any = None,
               lr: Any = None, force: bool = False) -> list[Action]:
        """Log one step's values; after a diagnosis, the actions the policies ask for."""
        if self.stopped is not None:
            return []
        monitor = self.monitor
        before = monitor.diagnoses
        monitor.log(step, train_loss=train_loss, test_loss=test_loss, lr=lr)
        actions = []
        if train_loss is not None:
            self.best_train = min(self.best_train, float(train_loss))   # NaN: no change
        if test_loss is not None and self.keeps_best:
            value = float(test_loss)
            if value < self.best_test:          # NaN never counts as better
                self.best_test = value
                actions.append(Action("keep_best", step, f"best test loss {value:.4g}"))
        if force:
            monitor.diagnose()
        if monitor.diagnoses == before or monitor.last_report is None:
            return actions
        self._runs += 1
        self._tell_changes()
        return actions + self._decide(monitor.last_report, step)

    def _tell_changes(self) -> None:
        for change in self.monitor.changes[self._told:]:
            self.say(str(change))
        self._told = len(self.monitor.changes)

    def _decide(self, report: Report, step: float) -> list[Action]:
        stopping = self.monitor.stopping
        if stopping:
            first = stopping[0]
            return [self._stop(step, first.name, first.start_step, first.message)]
        last, count = self._streak
        self._streak = (report.verdict, count + 1 if report.verdict == last else 1)
        if self._streak[1] < self.patience:
            return []                     # a verdict must hold this long before it acts
        if report.verdict == "overfitting" and self.on_overfitting == "stop":
            d = report.main.primary
            return [self._stop(step, "overfitting", d.start_step if d else None,
                               d.message if d else "", restore=self.restore_best)]
        judged = self._lr_verdict(report)
        policy = {"lr_too_high": self.on_lr_too_high, "plateau": self.on_plateau}.get(
            judged or "")
        if policy == "reduce":
            return [Action("reduce_lr", step, f"{judged}", factor=self.factor)]
        return []

    def _lr_verdict(self, report: Report) -> str | None:
        """The verdict the learning-rate policies act on: after a change, only the points
        logged since it count, once ``cooldown`` diagnoses have passed, and only while the
        train loss since it has stopped falling; lr_too_high is cut again only if the last
        cut did not bring the train loss below its best before the cut."""
        if not self.lr_changes:
            return report.verdict
        if self._runs - self._runs_at_change < self.cooldown:
            return None
        try:
            since = self.monitor.report(since=self.lr_changes[-1][0])
        except LogReadError:
            return None
        train = since.main.context.train
        if train is not None and train.direction_at_end() is Direction.FALLING:
            return None                  # still improving at this rate: no second cut yet
        if since.verdict == "lr_too_high" and self.best_train < self._best_train_at_cut:
            return None                  # the cut helped: the loss went below its old best
        return since.verdict

    def _stop(self, step: float, name: str, start: float | None, message: str,
              restore: bool = False) -> Action:
        since = f" (from step {start:g})" if start is not None else ""
        action = Action("stop", step, f"{name}{since}: {message}", restore=restore)
        self.stopped = action
        self.say(f"stopping at step {step:g}: {action.reason}")
        return action

    def lr_reduced(self, step: float, old: float, new: float, why: str) -> None:
        """A callback changed the learning rate: remember it (cooldown) and say so."""
        self.lr_changes.append((step, old, new))
        self._best_train_at_cut = self.best_train
        self._runs_at_change = self._runs
        self.say(f"step {step:g}: {why}: learning rate {old:.4g} -> {new:.4g}")

    def new_lr(self, old: float) -> float:
        return max(old * self.factor, self.min_lr)

    def finish(self) -> Report | None:
        """At the end of training: the final report, written to ``report_path`` if given."""
        monitor = self.monitor
        try:
            report = monitor.report()
        except LogReadError as exc:
            self.say(f"no report: {exc.message}")
            return None
        self._tell_changes()
        if self.report_path is not None and self.report_format is not None:
            from ..formatters import render

            self.report_path.parent.mkdir(parents=True, exist_ok=True)
            self.report_path.write_text(render(report, self.report_format) + "\n",
                                        encoding="utf-8")
            self.say(f"report written to {self.report_path}")
        return report


def _check_choice(name: str, value: str) -> None:
    allowed = _CHOICES[name]
    if value not in allowed:
        close = close_matches(str(value), list(allowed))
        raise UsageError(f"{name}={value!r} is not one of {', '.join(allowed)}", None,
                         f"did you mean {close[0]!r}?" if close else None)


def _report_format(path: str | Path | None) -> str | None:
    if path is None:
        return None
    suffix = Path(path).suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise UsageError(f"cannot tell the report format of {str(path)!r} from its extension",
                         None, "use .json, .html, .md or .txt")
    return REPORT_FORMATS[suffix]


def missing(framework: str, package: str) -> Exception:
    """The error a callback module raises when its framework is not installed."""
    from ..errors import MissingDependencyError

    return MissingDependencyError(f"lossdoctor's {framework} callback needs {package}, "
                                  "which is not installed", None, EXTRA_HINT)
