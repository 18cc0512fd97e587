"""Where a printed line sits on the run's axis: its step, iteration (progress bars), epoch
or line number, and how steps counted within each epoch are made the run's own."""
from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

import numpy as np

from ..columns import TREND_POINTS
from ..names import split_of
from .printedline import ROUND, SEEN, TEST_WORD, count, epoch_of, has_loss, pairs_of, step_of
from .terminal import bar_position


class Axis(NamedTuple):
    """How a console log's lines sit on the run's axis."""
    #: 'iteration' (progress-bar updates), 'step', 'epoch' or 'line'
    kind: str
    #: steps an epoch holds: None for the run's own steps, 0 when each line states its
    #: epoch's total, else the epochs' chained period
    epoch_steps: float | None = None
    #: 1 when a step counted within its epoch is numbered from epoch 1, else 0
    first_epoch: float = 0.0
    #: the training lines' stated total of batches an epoch (0 when none is stated): an
    #: evaluation's lines that state another total count its own batches
    train_total: float = 0.0
    #: on an epoch axis, the x of each train line (by its index) when an epoch's prints are
    #: each a point of their own, spread evenly over the epoch (``spread_prints``)
    spread: dict[int, float] | None = None
    #: a loss's step without an epoch of its own takes the last epoch header line's
    headed: bool = False


def printed_axis(lines: list[str]) -> Axis:
    """The axis of console ``lines``."""
    kind = _axis_kind(lines)
    if kind == "epoch" and _batches_under_epochs(lines):
        kind = "line"
    marked = _stepped_epochs(lines) if kind == "step" else []     # only a step axis asks
    counted = _counted_in_epoch(marked)
    epoch_steps = 0.0 if counted == "told" else _chain_period(marked) if counted else None
    if counted == "untold" and not epoch_steps:
        epoch_steps = None
        kind = "epoch"
    first = _first_epoch(marked) if epoch_steps is not None else 0.0
    # each epoch's last line holds its loss (a running mean, reset), unless the prints are
    # shown to be losses of their own batches: then each is a point within its epoch
    spread = spread_prints(lines) if kind == "epoch" else None
    return Axis(kind, epoch_steps, first, _train_total(marked) if counted == "told" else 0.0,
                spread, _headed(marked))


def _train_total(marked: list[_Marked]) -> float:
    """The total of batches an epoch that the training lines (no evaluation's word) state
    most often, 0 when they state none."""
    totals = Counter(step.group(2) for ln, step, _ in marked
                     if step.group(2) and not TEST_WORD.search(ln))
    return float(totals.most_common(1)[0][0]) if totals else 0.0


#: a loss named as a single batch's: 'Batch Loss', 'batch_loss'
_BATCH_LOSS = re.compile(r"batch[\s_-]?loss", re.IGNORECASE)


def _batches_under_epochs(lines: list[str]) -> bool:
    """Whether a loss named as a single batch's ('Epoch [1/5], Batch Loss: 10.75') is
    printed on at least a trend's points of lines under each epoch marker, with no step of
    its own: each line is then a point (the epoch's last one is one batch, not the epoch)."""
    per_epoch: Counter[str] = Counter()
    for ln in lines:
        if "atch" in ln and _BATCH_LOSS.search(ln) and (epoch := epoch_of(ln)):
            per_epoch[epoch.group(1)] += 1
    return len(per_epoch) >= 2 and float(np.median(list(per_epoch.values()))) >= TREND_POINTS


def _axis_kind(lines: list[str]) -> str:
    """'iteration' when progress bars print losses (tqdm's postfix), 'step' when loss lines
    carry a step marker, else 'epoch' when lines name two epochs or more, else 'line'."""
    if any(bar_position(ln) and has_loss(pairs_of(ln)) for ln in lines):
        return "iteration"
    epochs: set[str] = set()
    stepped = 0
    for ln in lines:
        marked = bool(step_of(ln) or ROUND.match(ln))
        if (marked or SEEN.search(ln)) and (pairs := pairs_of(ln)) and \
                (marked or has_loss(pairs)):
            stepped += 1
            if stepped == 2:
                return "step"
        if len(epochs) < 2 and (epoch := epoch_of(ln)):
            epochs.add(epoch.group(1))
    # an epoch axis needs epochs: one mention ('*** Best metric: 0.45 (epoch 77)' closing
    # timm's log) is no axis; one line with a step among lines of epochs (the HF Trainer's
    # closing 'TrainOutput(global_step=2260, training_loss=...)') is no step axis
    return "step" if stepped and len(epochs) < 2 else "epoch" if len(epochs) >= 2 else "line"


#: a line that marks both its step and its epoch, with the two markers
_Marked = tuple[str, re.Match[str], re.Match[str]]


def _stepped_epochs(lines: list[str]) -> list[_Marked]:
    """The lines that mark a step and an epoch, their own or, for a loss's step that states
    its epoch's total, the last epoch header's above it ('Epoch 1/70 - Training Phase',
    then '  Batch 5/19 | Loss: 8.67'). Found once: how the steps count, how many an epoch
    holds and where the epochs start are all read from them."""
    own: list[_Marked] = []
    marked: list[_Marked] = []
    header: re.Match[str] | None = None
    headers = True         # until batches come before any epoch line: then its lines close
    for ln in lines:       # the epochs (a summary after the batches), no header opens them
        epoch = epoch_of(ln)
        step = step_of(ln)
        if epoch and not step:
            header = epoch
        elif step and epoch:
            own.append((ln, step, epoch))
            marked.append((ln, step, epoch))
        elif headers and step and step.group(2) and has_loss(pairs_of(ln)):
            if header is None:
                headers = False
            else:
                marked.append((ln, step, header))     # a loss's 'Batch 5/19' under its header
    return marked if headers else own


def _headed(marked: list[_Marked]) -> bool:
    """Whether some marked lines take their epoch from a header line above them."""
    return any(epoch.string != ln for ln, _, epoch in marked)


def _counted_in_epoch(marked: list[_Marked]) -> str:
    """Whether a step beside an epoch counts the batches of that epoch (it goes back as the
    epoch moves on) rather than the run's steps ('epoch 2 | step 65/1575', N keeps
    growing): "told" when the step carries the epoch's total (PyTorch's tutorial print:
    'Epoch [2/10], Step [100/600]', or 'Batch [100/600]', made global as epoch * total +
    step), "untold" when it does not and goes back at three epochs' starts, never inside
    an epoch ('loss: 0.02 (epoch: 3, step: 50)': the epoch is the axis; or stays where it
    was as the epoch moves on) more often than it grows as a new epoch starts, "" for the
    run's own steps ('Epoch 5, Global Batch 7095' once beside 'Epoch 4, Global Batch 7095',
    the count growing at the other epochs' starts). An evaluation's lines count their own
    batches, apart from training's."""
    last: dict[bool, tuple[float, float]] = {}
    restarts = grew = 0
    for ln, step, epoch in marked:
        now = (float(epoch.group(1)), count(step.group(1)))
        kind = bool(TEST_WORD.search(ln))
        was = last.get(kind)
        last[kind] = now
        if was is not None and now[1] > was[1] and now[0] > was[0]:
            grew += 1
        # the same step at the next epoch counts within it too (MindSpore's 'epoch: 2
        # step: 62, loss is ...', printed at each epoch's last batch)
        if was is None or now[1] > was[1] or now == was:
            continue
        if step.group(2):
            if now[0] > was[0]:
                return "told"
        elif now[0] == was[0]:
            return ""              # back inside an epoch: a resume, not a count per epoch
        elif now[0] > was[0]:      # (both back: the run itself starts again)
            restarts += 1
            if restarts == 3 and not grew:
                return "untold"
    return "untold" if restarts > grew else ""


def _chain_period(marked: list[_Marked]) -> float:
    """The steps an epoch holds (its counts' span and one stride), when a step counted
    within each epoch comes with too few epochs for a trend and enough steps for one
    ('epoch 0, step 10, training loss = 3.80', ..., 'step 59430', four epochs): the epochs
    are chained, epoch * period + step; else 0, and the epoch is the axis (its last line a
    running mean of it)."""
    epochs: set[str] = set()
    steps: list[float] = []
    for ln, step, epoch in marked:
        if has_loss(pairs_of(ln)):
            epochs.add(epoch.group(1))
            steps.append(count(step.group(1)))
    if not steps or len(epochs) >= TREND_POINTS or len(steps) < TREND_POINTS * len(epochs):
        return 0.0        # (no step printed beside a loss: the steps count something else)
    # from its first count to its last and one stride on: 0, 10, ..., 90 is 100 steps (the
    # largest, 90, put each epoch's first step on the last one's before it)
    counts = np.unique(steps)
    stride = float(np.median(np.diff(counts))) if len(counts) > 1 else 1.0
    return float(counts[-1] - counts[0] + stride)


#: a batch's count on a line ('Epoch 1, Batch 50: Loss 2.14'), for the test of running means
_BATCH_COUNT = re.compile(r"\b(?:batch|step|iter(?:ation)?)\s*[:#=]?\s*(\d+)", re.IGNORECASE)


def spread_prints(lines: list[str]) -> dict[int, float] | None:
    """Each train line's x within its epoch (epoch - 1 + (k + 1) / m for its k-th of m
    prints: the last at the epoch itself, where its evaluation sits) when the prints are
    shown not to be a running mean since the epoch began (``_not_running_means``), else
    None."""
    if not _not_running_means(_epoch_prints(lines[:RUNNING_MEAN_LINES])):
        return None
    spread: dict[int, float] = {}
    for (epoch, _, _), found in _epoch_prints(lines).items():
        for k, (i, _, _) in enumerate(found):
            spread.setdefault(i, float(epoch) - 1 + (k + 1) / len(found))
    return spread


#: the lines the test of running means reads (a logger prints the same way every epoch, and
#: the fast fall that shows it comes early): a log of running means pays no more
RUNNING_MEAN_LINES = 20_000
#: a train line's index, the batches its loss can have been averaged over, and the loss
_Print = tuple[int, float, float]


def _epoch_prints(lines: list[str]) -> dict[tuple[str, str, int], list[_Print]]:
    """The train losses printed under each epoch marker, by (epoch, the loss's name, which
    visit of that epoch), one loss a line. The batches a print covers are taken as the count
    the line prints (one fewer than it covers when counted from 0: the weaker bound), else
    its place among its epoch's prints less one (the fewest it can hold when prints are
    evenly spaced). An epoch's prints are the ones in a row under its marker: the same
    epoch met again after others (a run appended to the log, counting from epoch 1 again)
    starts a new group."""
    epochs: dict[tuple[str, str, int], list[_Print]] = {}
    visits: dict[str, tuple[str, int]] = {}   # per loss name: its last epoch, and which visit
    for i, ln in enumerate(lines):
        epoch = epoch_of(ln)
        if not epoch or TEST_WORD.search(ln):
            continue
        loss = [(n, v) for n, v in pairs_of(ln).items() if split_of(n) == "train"]
        if len(loss) != 1 or not loss[0][1] >= 0:
            continue
        last, visit = visits.get(loss[0][0], ("", 0))
        if epoch.group(1) != last:
            visit += 1
        visits[loss[0][0]] = (epoch.group(1), visit)
        found = epochs.setdefault((epoch.group(1), loss[0][0], visit), [])
        counted = _BATCH_COUNT.search(ln[epoch.end():])
        found.append((i, count(counted.group(1)) if counted else float(len(found)),
                      loss[0][1]))
    return epochs


def _not_running_means(epochs: dict[tuple[str, str, int], list[_Print]]) -> bool:
    """Whether the prints are shown not to be a running mean since the epoch began: such a
    mean of losses >= 0 over n batches, times n, can only grow as batches are added, so a
    print whose n * mean falls below an earlier one's by more than the printed digits allow
    is a loss of its own batches (a window's mean, or one batch's). A log that never
    contradicts a running mean is read as one."""
    for found in epochs.values():
        _, n, mean = np.array(found).T
        if len(n) < 3 or np.any(np.diff(n) <= 0):
            continue                             # not one count going up: not comparable
        steps = np.diff(np.unique(mean))
        digit = float(steps.min()) if len(steps) else 0.0     # the printing's resolution
        low = (n * (mean + digit))[1:]           # the least each total can be
        high = np.maximum.accumulate(n * np.maximum(mean - digit, 0.0))[:-1]
        if np.any(low < high):
            return True
    return False


def _first_epoch(marked: list[_Marked]) -> float:
    """1 when the epochs a step is counted within are numbered from 1 ('Epoch [1][10/63]',
    mmcv's and PyTorch's tutorial prints), else 0: the chained step is then the run's
    iteration, (epoch - 1) * steps an epoch + step, not one epoch ahead of it."""
    epochs = [float(epoch.group(1)) for _, _, epoch in marked]
    return 1.0 if epochs and min(epochs) >= 1 else 0.0


#: a bar's own counter of epochs, right before its percentage: ``[fold_0] 001/200:  25%|``
_BAR_EPOCH = re.compile(r"(\d+)\s*/\s*\d+\s*:?\s*\d{1,3}%\|")


class BarCount:
    """Iterations counted across progress bars: an update of a bar that prints a loss is at
    ``bars before it * its total + its n``; a bar starts again when its epoch changes or n
    goes back. When the epochs themselves go back (epoch 200 of a fold, then epoch 1 of the
    next; a run started again) the count starts again too: the steps restart, a new segment.
    Lines between bars (a val loss by ``tqdm.write``) belong to the last update."""

    def __init__(self) -> None:
        self.bars = 0
        self.last: tuple[tuple[str, float] | None, int] = (None, -1)

    def at(self, line: str) -> float | None:
        where = bar_position(line)
        if where is None:
            return None
        n, total = where
        tag = _bar_epoch(line)
        last = self.last[0]
        if self.last[1] >= 0 and (tag != last or n < self.last[1]):
            # the epochs went back, counted the same way (not an evaluation's own '1/1'
            # bar after a training bar's 'Epoch 3/10')
            restarted = tag is not None and last is not None and tag[0] == last[0] \
                and tag[1] < last[1]
            self.bars = 0 if restarted else self.bars + 1
        self.last = (tag, n)
        return float(self.bars * total + n)


def _bar_epoch(line: str) -> tuple[str, float] | None:
    """The epoch a bar's line names, with how it names it: its 'Epoch 3' ('epoch'), else
    the bar's own counter right before its percentage ('counter')."""
    if epoch := epoch_of(line):
        return "epoch", float(epoch.group(1))
    if counter := _BAR_EPOCH.search(line):
        return "counter", float(counter.group(1))
    return None


def marker(line: str, axis: Axis, loss: bool, header: re.Match[str] | None = None
           ) -> float | None:
    """The x of a line: its step (a step counted within its epoch is made global: (epoch -
    first epoch) * steps an epoch + step, the epoch the line's own or the last epoch
    ``header`` line's above it, the steps an epoch being the total the line prints when the
    axis says so; an evaluation's batch, counted against another total than training's,
    sits at its epoch's end), its count of samples or tokens seen (on a line that prints a
    ``loss``: not 'Num examples = 1000'), or its epoch."""
    if axis.kind == "line":
        return None
    epoch = epoch_of(line)
    if axis.kind == "epoch":
        return float(epoch.group(1)) if epoch else None
    step = step_of(line)
    epoch = epoch or (header if axis.headed and step and step.group(2) and loss else None)
    if not step:
        counted = ROUND.match(line) or (SEEN.search(line) if loss else None)
        return count(counted.group(1)) if counted else None
    told = float(step.group(2) or 0)
    if epoch and axis.train_total and told and told != axis.train_total:
        # '[Eval][Epoch 3][Iter: 10/25]' beside training's '[Iter: 80/98]': after the epoch
        return (float(epoch.group(1)) - axis.first_epoch + 1) * axis.train_total
    per_epoch = told if axis.epoch_steps == 0 else axis.epoch_steps
    if per_epoch and epoch:     # 'Epoch [2/10], Step [100/600]'; chained epochs
        return (float(epoch.group(1)) - axis.first_epoch) * per_epoch + count(step.group(1))
    return count(step.group(1))
