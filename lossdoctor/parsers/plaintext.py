"""Console and logging output: ``Epoch 3/10 ... loss: 0.41 - val_loss: 0.52`` and friends.

Each line gives ``<name>: <number>`` / ``<name>=<number>`` pairs (or, with none of those, a
``<...> loss <number>`` as nanoGPT prints) and maybe an epoch or step
marker; a line without a marker (Keras' progress line under ``Epoch 3/10``) belongs to the
last marker seen. Values written again for the same marker replace the earlier ones, so a
progress bar leaves its final (epoch-average) value. Printed Python dicts
(``{'loss': 0.5, 'epoch': 1.0}``) are read the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from ..columns import (
    LOSS_LIKE,
    PERPLEXITY,
    TEST_TOKENS,
    TRAIN_TOKENS,
    TREND_POINTS,
    choose_columns,
    component,
    says_loss,
    split_of,
    tokens,
)
from ..errors import LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from .consoletext import (
    bar_position,
    expand_tables,
    has_bars,
    name_banner_losses,
    named_losses,
    strip_bars,
    terminal_lines,
)
from .jsontable import looks_like_json
from .registry import ReadOptions, register
from .source import Source
from .steps import EPOCHS_LEAST, chain_starts, epoch_runs

FORMAT = "plain-text"
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)\b"
_WORD = r"[A-Za-z_][\w./-]*"
#: a number ends there: not before more digits, a decimal part ('1.2.3' is a version) or an
#: exponent (else '8.99e-05.' ends a sentence and reads as 8.99), nor a percent sign
_NUM_END = r"(?![\d]|\.\d|[eE][-+]?\d|\s*%)"
_PAIR = re.compile(rf"(?<![\w/.\-'\"])['\"]?({_WORD}(?: {_WORD}){{0,3}})['\"]?\s*[:=]\s*"
                   rf"['\"]?(?:tensor\(\s*|\((?=\s*(?:{_NUM})\s*[,)])\s*)?({_NUM}){_NUM_END}",
                   re.IGNORECASE)
#: an epoch marker ('Epoch 3/10', 'epoch: 3', 'ep 14,'): group 1 the epoch, group 2 the
#: epochs planned
#: a marker glued to its counter, the counter ending at a separator: ``epoch18, iter120,
#: loss: 0.027`` (not ``global_step50/mp_rank_00.pt``, a path)
_GLUED = r"(?=\d+(?:[,;:)\]\s]|$))"
_EPOCH = re.compile(rf"\b(?:epoch|ep)(?:\b|{_GLUED})(?:\(train\))?['\"]?\s*(?:[:=#]\s*)?"
                    r"(?:[\[('\"]\s*)?(\d+(?:\.\d+)?)(?:\s*/\s*(\d+))?", re.IGNORECASE)
_BEST = re.compile(r"\bbest\b", re.IGNORECASE)
#: ESPnet's ``3epoch:train:101-200batch:`` and ``3epoch results:``: the epoch before its word
_NTH_EPOCH = re.compile(r"\b(\d+)epoch\b")
#: Swin Transformer's ``Train: [3/300][100/1251]``: the epoch in the first brackets; timm's
#: ``Train: 3 [ 200/390 ( 51%)]``: the epoch before the batch's brackets
_TRAIN_EPOCH = re.compile(r"\btrain(?:ing)?\s*:\s*\[?\s*(\d+)\s*(?:/\s*(\d+)\s*\]|(?=\[))",
                          re.IGNORECASE)
#: a step marker: a step or iteration (MMEngine's ``Iter(train) [100/8000]``), or a batch
#: with its epoch's total ('Batch [100/600]', not 'batch size 32'); its counter, with
#: thousands separators or without (BasicSR's ``iter: 100,000``), is whole ('Loss for final
#: step: 0.2712' names no step)
_COUNT = r"(\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?!\.?\d))"
#: between a marker and its counter: a quote, a separator, a bracket, each with the blanks
#: after it (blanks around optional parts made the engine try every split of a long run)
_SEP = r"['\"]?\s*(?:[:=#]\s*)?(?:[\[(]\s*)?"
_STEP = re.compile(rf"\b(?:(?:global[ _]step|step|num_updates|batch(?={_SEP}\d+\s*/\s*\d))\b"
                   rf"|(?:iter|iteration)(?:\b|{_GLUED}))(?:\(train\))?{_SEP}{_COUNT}"
                   r"(?:\s*/\s*(\d+))?", re.IGNORECASE)
#: a batch counted in brackets right after its epoch, with the epoch's total: PyTorch's
#: ImageNet example ``Epoch: [0][ 10/5005]``, ``Epoch 1[16/5011]``, ``Epoch [1/10][100/600]``,
#: Swin's ``Train: [3/300][100/1251]``, MMEngine's ``Epoch(train) [1][ 50/500]`` (not its
#: evaluations' ``Epoch(val) [1][100/100]``, which count their own batches); group 1 the
#: batch, group 2 the total, as ``_STEP``'s
_EPOCH_BATCH = re.compile(r"(?:\bepoch\b(?:\(train\))?['\"]?\s*(?:[:=#]\s*)?"
                          r"|\btrain(?:ing)?\s*:\s*)"
                          r"(?:\[\s*\d+(?:\s*/\s*\d+)?\s*\]|\d+)\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]",
                          re.IGNORECASE)
#: a step counted in brackets after the word train: ``[Train 10/1882] {'train_loss': ..}``
_TRAIN_COUNT = re.compile(r"\[\s*train(?:ing)?\s+(\d+)\s*/\s*(\d+)\s*\]", re.IGNORECASE)
#: timm's ``Train: 3 [ 200/390 ( 51%)]``: the batch's share of its epoch in its brackets (the
#: PyTorch MNIST example's ``Train Epoch: 1 [640/60000 (1%)]``, which counts samples, is
#: read at each epoch's last print)
_TIMM_BATCH = re.compile(r"\btrain\s*:\s*\d+\s*\[\s*(\d+)\s*/\s*(\d+)\s*\(\s*\d+%\)\s*\]",
                         re.IGNORECASE)
#: a count of what the model has seen, when a loss line has no step: ``tokens 20480 |
#: loss 702.3``, ``samples: 1000``, Megatron's ``consumed samples: 320`` (a step wins)
_SEEN = re.compile(r"\b(?:consumed[ _])?(?:tokens|samples|examples|images|sequences)(?:[ _]seen)?"
                   rf"\b{_SEP}{_COUNT}", re.IGNORECASE)
#: a boosting round's counter opening the line: XGBoost's and LightGBM's ``[12]\t...``
_ROUND = re.compile(r"^\s*\[(\d+)\]\s")
_LOSS_PAIR = re.compile(rf"(?:loss\w*|(?<![a-z])(?:{'|'.join(LOSS_LIKE)}))['\"]?"
                        rf"(?:\s*[:=]\s*['\"]?|\s+)(?:tensor\(\s*)?(?:{_NUM})", re.IGNORECASE)
#: nanoGPT's ``step 500: train loss 2.3456, val loss 2.4567``: a loss name, a space, a number
#: (a qualifier in brackets may follow the name: ``loss(avg) 1.7439``, a running mean; the
#: name may be one word ending in loss, ``smooth_loss 1.6114 | val_loss 1.5365``, or loss
#: with a split after it, ``loss_t 734.3  loss_v 720.3``)
_QUALIFIER = r"(?:\s*[(\[][\w .-]{1,12}[)\]])?"
#: a loss's name in a print: up to two words, then one ending in loss ('val loss', 'C.E. Loss',
#: 'smooth_loss')
_LOSS_NAME = rf"(?:{_WORD} ){{0,2}}(?:[A-Za-z][\w.-]*?[_.-])?(?:loss|cost)"
_BARE_LOSS = re.compile(rf"(?<![\w/.\-'\"])({_LOSS_NAME}(?:[_.-][A-Za-z][A-Za-z0-9]{{0,7}})?)"
                        rf"{_QUALIFIER}(?:\s+so\s+far)?(?:\s+(?:is|was))?\s+({_NUM})"
                        rf"(?!\w|\.\d)", re.IGNORECASE)
#: a custom print with the value before its name, the name ending in loss and not followed
#: by a value of its own: ``Epoch 0 @ 10:27 PM : 0.9816 C.E. Loss, 94.28% Accuracy``
_VALUE_THEN_LOSS = re.compile(rf"(?<![\w.])({_NUM})\s+({_LOSS_NAME})\b"
                              rf"(?!\s*[:=]?\s*(?:{_NUM}))", re.IGNORECASE)
#: a word that makes a line an evaluation's ('VAL loss: 0.02 (epoch: 3, step: 50)')
_TEST_WORD = re.compile(rf"(?<![a-z])(?:{'|'.join(sorted(TEST_TOKENS))})(?![a-z])",
                        re.IGNORECASE)
_NAMED_NUMBER = re.compile(rf"{_WORD}\s*(?:[:=]\s*)?(?:{_NUM})", re.IGNORECASE)
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:[.,](\d+))?")
_MARKER_WORDS = frozenset({"epoch", "epochs", "ep", "step", "steps", "iter", "iteration", "global"})
SNIFF_LINES = 400


@dataclass
class _Record:
    x: float
    values: dict[str, float] = field(default_factory=dict)
    wall: float = np.nan
    with_test: set[str] = field(default_factory=set)    # names printed beside a test loss
    inferred: set[str] = field(default_factory=set)     # names given by a split's word
    bar: int = 0                     # which progress bar's update (the iteration axis)
    marked: set[str] = field(default_factory=set)       # names given by a line with a marker


def sniff_plaintext(source: Source) -> float:
    """Several lines with a ``loss: <number>`` pair in the head of a text file (or at its
    end, after a long preamble), or '<step> <name> <value>' lines."""
    try:
        if source.is_dir or not source.head.strip():
            return 0.0
        text = source.head_text
    except LogReadError:
        return 0.0
    if looks_like_json(text):
        return 0.0
    lines = named_losses(terminal_lines(text)[:SNIFF_LINES])
    # (a boosting round's line counts too: LightGBM's '[10]\ttraining's l2: 0.41' names no loss)
    hits = sum(1 for ln in lines if _LOSS_PAIR.search(ln) or _VALUE_THEN_LOSS.search(ln)
               or (_ROUND.match(ln) and ": " in ln))
    if hits >= 3:
        return 0.75
    if not hits and _losses_at_the_end(source):
        return 0.75       # a long preamble, then the training's lines
    if _long_lines(lines):
        return 0.75       # '<step> <name> <value>' lines: the delimited reader sees 3 columns
    if lines and "\t" in lines[0]:
        return 0.4 if hits else 0.0     # a tab-separated table is the delimited reader's
    expanded, rows = expand_tables(strip_bars(lines))
    if rows >= 2:       # a console table (YOLO); a file that is nothing but the table is CSV's
        others = sum(1 for a, b in zip(lines, expanded, strict=True) if a == b and b.strip())
        return 0.75 if others or hits else 0.2
    return 0.4 if hits else 0.0


def _losses_at_the_end(source: Source) -> bool:
    """Whether the end of a file whose head holds no loss prints several losses (and is no
    JSON or table: lines with ``loss: <number>`` pairs among text)."""
    try:
        tail = source.tail_text
    except LogReadError:
        return False
    return sum(1 for ln in named_losses(terminal_lines(tail)) if _LOSS_PAIR.search(ln)) >= 3 \
        and not looks_like_json(tail)


@register(FORMAT, priority=30, sniff=sniff_plaintext,
          description="console/logging text: 'Epoch 3/10 ... loss: 0.41 - val_loss: 0.52', "
                      "'Epoch 1: Train Loss=0.07, Val Loss=0.08', detectron2's '[12/21 "
                      "21:00:41 d2.utils.events]: iter: 19 total_loss: 2.0', YOLO's console "
                      "epoch table, nanoGPT's 'step 500: train loss 2.34, val loss 2.45', "
                      "XGBoost's and LightGBM's '[12] validation_0-logloss:0.41' rounds, "
                      "CatBoost's '0: learn: 0.68 test: 0.69 best: 0.69 (0)', llm.c's "
                      "'s:250 trl:6.15', "
                      "tqdm, Lightning and Rich bars (the loss in the postfix or around "
                      "them), the HF Trainer's console dicts, MindSpore's 'loss is 1.52', "
                      "spaCy's 'Losses {'ner': 0.18}', AllenNLP's 'Training | Validation' "
                      "metric tables, fairseq's, timm's ('Train: 3 [ 200/390 ( 51%)]') and "
                      "Swin's logs "
                      "('Train: [3/300][100/1251] ... loss 2.1 (2.3)'), TF Estimator's "
                      "('loss = 0.41, step = 100', 'Saving dict for global step 500: ... "
                      "loss = 0.45' and '***** Eval results *****' blocks: the evaluation's), "
                      "the PyTorch ImageNet example's meters ('Test: [0/4] ... Loss', ' * ... "
                      "LOSS 0.105'), the early PyTorch-YOLOv3's '[Losses: x 0.27, ..., total "
                      "15.1]', "
                      "Python logging lines, '<step> <name> <value>' lines (build-nanogpt's "
                      "log.txt), ...")
def read_plaintext(source: Source, options: ReadOptions) -> LossLog:
    return text_log(source.text, source.name, options)


def text_log(text: str, name: str, options: ReadOptions, fmt: str = FORMAT) -> LossLog:
    """The losses a console text prints (``name`` says where it came from, in errors)."""
    raw = terminal_lines(text)
    # progress bars cut out first (a per-epoch summary beside them is the curve); when the
    # bars' own postfix holds losses the summaries lack (Lightning's, a tqdm postfix), each
    # update of a bar is a point at its iteration
    axis, records = _parse(raw)
    if has_bars(raw):
        stripped = _parse(strip_bars(raw))
        if _splits(stripped[1]) and _splits(stripped[1]) >= _splits(records):
            axis, records = stripped
    if not records:
        raise LogReadError("no '<name>: <number>' values in this text", name,
                           "expected lines like 'Epoch 3: loss=0.41, val_loss=0.52'")
    counts: dict[str, int] = {}
    for r in records:
        for n in r.values:
            counts[n] = counts.get(n, 0) + 1
    notes = [{"line": "x axis: order of the lines",
              "iteration": "x axis: iteration (progress-bar updates, counted across the bars)"}
             .get(axis, f"x axis: {axis}")]
    names = _paired_train(records, _stated_over_inferred(
        records, _drop_echoes(records, _drop_strays(counts, notes), notes), notes), notes) \
        if options.train_col is None and options.test_col is None else list(counts)
    if options.train_col is None and options.test_col is None and _long_lines(raw):
        options = _series_named_by_split(names, options, notes)
    choice = choose_columns(names, options.train_col, options.test_col, name,
                            counts=counts)
    notes += choice.notes
    if not choice.test and options.test_col is None:
        choice.test = _perplexity_loss(records, names, notes)
    frames = [_curve(records, split, cols) for split, cols in
              (("train", choice.train), ("test", choice.test), ("lr", choice.lr))]
    frame = concat_frames(frames)
    if not (frame["split"] != "lr").any():
        raise LogReadError("no loss values in this text", name)
    return LossLog(validate_frame(frame, name), name, fmt, notes)


#: a loss name seen this often or less is a stray (a checkpoint message) beside a series ...
STRAY_MOST = 2
#: ... of at least this many values of the same split and component
SERIES_LEAST = 5


def _drop_strays(counts: dict[str, int], notes: list[str]) -> list[str]:
    """Names of losses logged once or twice beside the same loss logged every epoch (a
    ``val_loss=`` in a checkpoint message next to a ``ValLoss`` column) are dropped."""
    keep = []
    for name, n in counts.items():
        split = split_of(name)
        twin = max((m for other, m in counts.items() if _same_loss(other, name)),
                   default=0) if split in ("train", "test") else 0
        if n <= STRAY_MOST and twin >= max(SERIES_LEAST, 4 * n):
            notes.append(f"{name!r} appears on {n} line(s) only: ignored beside the {split}"
                         f" loss logged {twin} times")
            continue
        keep.append(name)
    return keep


def _same_loss(a: str, b: str) -> bool:
    """Two names of one split's same loss (component): 'Val Loss' and 'val_loss'."""
    return a != b and split_of(a) == split_of(b) and component(a) == component(b)


def _drop_echoes(records: list[_Record], names: list[str], notes: list[str]) -> list[str]:
    """A loss printed again under another name, only on lines of the points that print it
    already and with the same value ('Val Loss: 3.25' and, when it is the best so far,
    'saving best model (val_loss=3.25)'), is an echo of it: dropped, with a note."""
    keep = list(names)
    for echo in names:
        if split_of(echo) not in ("train", "test"):
            continue
        for other in keep:
            if not _same_loss(other, echo):
                continue
            seen = [r for r in records if echo in r.values]
            if seen and len(seen) < sum(other in r.values for r in records) and all(
                    r.values.get(other) == r.values[echo] for r in seen):
                keep.remove(echo)
                notes.append(f"{echo!r} repeats {other!r} on {len(seen)} of its lines: ignored")
                break
    return keep


def _stated_over_inferred(records: list[_Record], names: list[str], notes: list[str]
                          ) -> list[str]:
    """Of a split's main losses, one whose name states the split ('Val Loss') over a bare
    'Loss' that only a split's word before it on the line made that split's (a
    'Validate: ... Loss 1.29 (1.30)' meter beside the epoch's ' * Val Loss 1.30')."""
    dropped: list[str] = []
    for split in ("train", "test"):
        mains = [n for n in names if split_of(n) == split and not component(n)]
        given = {n for n in mains if any(n in r.inferred for r in records)}
        if given and len(given) < len(mains):
            dropped += sorted(given)
            stated = ", ".join(n for n in mains if n not in given)
            notes.append(f"{split} loss: {stated} as printed ({', '.join(sorted(given))},"
                         " named by a split's word before it on its line, also found)")
    return [n for n in names if n not in dropped]


def _paired_train(records: list[_Record], names: list[str], notes: list[str]) -> list[str]:
    """Of two main train losses, the one printed on the test loss's lines is the evaluation
    to compare it with (nanoGPT's ``step N: train loss .., val loss ..`` beside its per-batch
    ``iter N: loss ..``); when neither is, the one printed on more lines (a per-step loss
    beside an epoch summary of it); the other is left out, with a note, instead of refusing
    the log, unless it alone shows the run breaking into NaN or Inf."""
    train = [n for n in names if split_of(n) == "train" and not component(n)]
    if len(train) < 2:
        return names
    paired = {n for n in train if any(n in r.with_test for r in records)}
    if len(paired) == 1:
        kept = paired.pop()
        why = "printed with the test loss"
    else:
        # none printed with it (a per-step 'loss' beside an epoch summary's 'train_loss'):
        # the one printed on more lines is the curve, when one is
        lines = sorted(((sum(n in r.values for r in records), n) for n in train), reverse=True)
        if lines[0][0] == lines[1][0]:
            return names
        kept = lines[0][1]
        why = f"printed on {lines[0][0]} lines"
    # ... unless another broke into NaN or Inf after the kept one's last value: the run's
    # end, which the kept spelling did not live to print (nanoGPT's 'iter 425: loss nan'
    # after its last evaluation)
    last = max(r.x for r in records if kept in r.values)
    broke = [n for n in train if n != kept and any(
        r.x > last and not np.isfinite(r.values.get(n, 0.0)) for r in records)]
    if broke:
        kept, why = broke[0], f"non-finite after the last {kept!r}"
    left = [n for n in train if n != kept]
    notes.append(f"train loss: {kept!r}, {why} ({', '.join(left)} also found)")
    return [n for n in names if n not in left]


def _parse(lines: list[str]) -> tuple[str, list[_Record]]:
    if _long_lines(lines):
        return "step", _long_records(lines)
    lines = expand_tables(name_banner_losses(named_losses(lines)))[0]
    axis = _axis_kind(lines)
    marked = _stepped_epochs(lines) if axis == "step" else []     # only a step axis asks
    counted = _counted_in_epoch(marked)
    # steps an epoch holds: 0 when each line states its epoch's total, else the epochs chained
    epoch_steps = 0.0 if counted == "told" else _chain_period(marked) if counted else None
    if counted == "untold" and not epoch_steps:
        epoch_steps = None
        axis = "epoch"     # each epoch's last line holds its loss (a running mean, reset)
    first = _first_epoch(marked) if epoch_steps is not None else 0.0
    records = [r for r in _records(lines, axis, epoch_steps, first) if r.values]
    if axis == "iteration":
        records = _without_carried(records)
    records = _without_reprints(records)
    if axis == "step" and _chained_in_line_order(records):
        axis = "step (each epoch's count of batches chained in the order of the lines)"
    return axis, records


#: a long format, one value a line: ``<step> <name> <value>`` (build-nanogpt's log.txt:
#: ``250 val 6.0123``, ``251 train 5.98``)
_LONG = re.compile(r"\s*(\d+)\s+([A-Za-z][\w./-]*)\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
                   r"|nan|inf)\s*$", re.IGNORECASE)


def _long_lines(lines: list[str]) -> bool:
    """Whether the text is that long format: nine in ten of its first lines, two names."""
    head = [ln for ln in lines[:SNIFF_LINES] if ln.strip()]
    found = [m for ln in head if (m := _LONG.match(ln))]
    return len(found) >= 3 and len(found) * 10 >= len(head) * 9 and \
        len({m.group(2) for m in found}) >= 2


def _series_named_by_split(names: list[str], options: ReadOptions, notes: list[str]
                           ) -> ReadOptions:
    """In the long format, a series named by a split's word alone is that split's loss
    (build-nanogpt's ``train`` and ``val`` beside its ``hella`` accuracy), when no name says
    loss and each split has one such series."""
    if any(says_loss(n) for n in names):
        return options
    train = [n for n in names if set(tokens(n)) and set(tokens(n)) <= TRAIN_TOKENS]
    test = [n for n in names if set(tokens(n)) and set(tokens(n)) <= TEST_TOKENS]
    if len(train) != 1 or len(test) > 1:
        return options
    notes.append(f"{' and '.join(repr(n) for n in train + test)} read as the"
                 f" {'train and test losses' if test else 'train loss'}: series named by a"
                 " split's word alone")
    return ReadOptions(train[0], test[0] if test else None, options.segments,
                       options.experiment, options.run)


def _long_records(lines: list[str]) -> list[_Record]:
    """One record a step, each name's value at it (later lines of a step add to it)."""
    records: dict[int, _Record] = {}
    for ln in lines:
        m = _LONG.match(ln)
        if m:
            step = int(m.group(1))
            records.setdefault(step, _Record(float(step))).values[m.group(2)] = \
                float(m.group(3))
    return [records[k] for k in sorted(records)]


def _chained_in_line_order(records: list[_Record]) -> bool:
    """Records whose step counts the batches of each epoch, with no epoch on their lines
    ('Batch 100/1563, Loss: 1.84', then the epoch's 'Val Loss: 1.46'), chained in the order
    of the lines when the train loss goes on where it left off at every restart (one run
    of epochs, as ``steps`` reads it): each stretch is put after the one before, so an
    evaluation printed between them keeps its place beside the batches (chained curve by
    curve, it had been left at the epoch's last batch count, every one the same). Whether
    it chained them."""
    train = [n for n in dict.fromkeys(n for r in records for n in r.values)
             if split_of(n) == "train"]
    held = [i for i, r in enumerate(records) if train and train[0] in r.values]
    back = [k for k in range(1, len(held)) if records[held[k]].x < records[held[k - 1]].x]
    if len(back) <= EPOCHS_LEAST:
        return False
    values = np.array([records[i].values[train[0]] for i in held], dtype=float)
    bounds = [0, *back, len(held)]
    segs = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    if len(epoch_runs(values, segs)) != 1:
        return False                      # new runs, or too few epochs: the steps' reader
    stretches = [np.array([records[held[i]].x for i in seg]) for seg in segs]
    ends = [held[seg[0]] for seg in segs] + [len(records)]
    for k, (xs, start) in enumerate(zip(stretches, chain_starts(stretches, least_stride=1.0),
                                        strict=True)):
        # every record of the stretch, the evaluations printed in it too (records that
        # hold no train loss before the first stretch keep their place)
        for r in records[ends[k]:ends[k + 1]]:
            r.x = r.x - xs[0] + start
    return True


def _without_reprints(records: list[_Record]) -> list[_Record]:
    """The records less those that print an earlier step again with all its values the same
    (lines after it may add others): a summary (LightGBM's "Early stopping, best iteration
    is:" then ``[7] ...``), not a run that went back to step 7 and is resumed there."""
    seen: dict[float, list[dict[str, float]]] = {}
    kept = []
    for r in records:
        if any(all(r.values.get(k) == v for k, v in was.items()) for was in seen.get(r.x, [])):
            continue
        seen.setdefault(r.x, []).append(r.values)
        kept.append(r)
    return kept


def _without_carried(records: list[_Record]) -> list[_Record]:
    """The records without the test losses a progress bar carries: its postfix (or the line
    a live display draws under it) prints the last evaluation again at every update, and
    only the first print of it is a point. A test loss is carried when one bar prints it
    at two updates or more; then a print that repeats the one before (NaN as well) is
    dropped. Evaluations printed once a bar keep all their points, equal or not."""
    def same(a: float, b: float) -> bool:
        return a == b or a != a and b != b

    prints: dict[str, list[_Record]] = {}
    for r in records:
        for name in r.values:
            if split_of(name) == "test":
                prints.setdefault(name, []).append(r)
    for name, seen in prints.items():
        bars = [r.bar for r in seen]
        if len(set(bars)) == len(bars):
            continue                  # once a bar: evaluations, not a postfix carrying one
        kept = seen[0].values[name]
        for r in seen[1:]:
            if same(r.values[name], kept):
                del r.values[name]
            else:
                kept = r.values[name]
    return [r for r in records if r.values]


def _splits(records: list[_Record]) -> set[str]:
    """The loss splits (train, test) the records hold."""
    return {s for r in records for n in r.values if (s := split_of(n) or "") in ("train", "test")}


def _axis_kind(lines: list[str]) -> str:
    """'iteration' when progress bars print losses (tqdm's postfix), 'step' when loss lines
    carry a step marker, else 'epoch' when lines name two epochs or more, else 'line'."""
    if any(bar_position(ln) and _has_loss(_pairs(ln)) for ln in lines):
        return "iteration"
    epochs: set[str] = set()
    stepped = 0
    for ln in lines:
        marked = bool(_step_of(ln) or _ROUND.match(ln))
        if (marked or _SEEN.search(ln)) and (pairs := _pairs(ln)) and \
                (marked or _has_loss(pairs)):
            stepped += 1
            if stepped == 2:
                return "step"
        if len(epochs) < 2 and (epoch := _epoch_of(ln)):
            epochs.add(epoch.group(1))
    # an epoch axis needs epochs: one mention ('*** Best metric: 0.45 (epoch 77)' closing
    # timm's log) is no axis; one line with a step among lines of epochs (the HF Trainer's
    # closing 'TrainOutput(global_step=2260, training_loss=...)') is no step axis
    return "step" if stepped and len(epochs) < 2 else "epoch" if len(epochs) >= 2 else "line"


#: a line that marks both its step and its epoch, with the two markers
_Marked = tuple[str, re.Match[str], re.Match[str]]


def _stepped_epochs(lines: list[str]) -> list[_Marked]:
    """The lines that mark both a step and an epoch (found once: how the steps count, how
    many an epoch holds and where the epochs start are all read from them)."""
    return [(ln, step, epoch) for ln in lines
            if (step := _step_of(ln)) and (epoch := _epoch_of(ln))]


def _counted_in_epoch(marked: list[_Marked]) -> str:
    """Whether a step beside an epoch counts the batches of that epoch (it goes back as the
    epoch moves on) rather than the run's steps ('epoch 2 | step 65/1575', N keeps
    growing): "told" when the step carries the epoch's total (PyTorch's tutorial print:
    'Epoch [2/10], Step [100/600]', or 'Batch [100/600]', made global as epoch * total +
    step), "untold" when it does not and goes back at three epochs' starts, never inside
    an epoch ('loss: 0.02 (epoch: 3, step: 50)': the epoch is the axis; or stays where it
    was as the epoch moves on), "" for the run's own steps. An evaluation's lines count
    their own batches, apart from training's."""
    last: dict[bool, tuple[float, float]] = {}
    restarts = 0
    for ln, step, epoch in marked:
        now = (float(epoch.group(1)), _count(step.group(1)))
        kind = bool(_TEST_WORD.search(ln))
        was = last.get(kind)
        last[kind] = now
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
            if restarts == 3:
                return "untold"
    return "untold" if restarts else ""


def _chain_period(marked: list[_Marked]) -> float:
    """The steps an epoch holds (its counts' span and one stride), when a step counted
    within each epoch comes with too few epochs for a trend and enough steps for one
    ('epoch 0, step 10, training loss = 3.80', ..., 'step 59430', four epochs): the epochs
    are chained, epoch * period + step; else 0, and the epoch is the axis (its last line a
    running mean of it)."""
    epochs: set[str] = set()
    steps: list[float] = []
    for ln, step, epoch in marked:
        if _has_loss(_pairs(ln)):
            epochs.add(epoch.group(1))
            steps.append(_count(step.group(1)))
    if not steps or len(epochs) >= TREND_POINTS or len(steps) < TREND_POINTS * len(epochs):
        return 0.0        # (no step printed beside a loss: the steps count something else)
    # from its first count to its last and one stride on: 0, 10, ..., 90 is 100 steps (the
    # largest, 90, put each epoch's first step on the last one's before it)
    counts = np.unique(steps)
    stride = float(np.median(np.diff(counts))) if len(counts) > 1 else 1.0
    return float(counts[-1] - counts[0] + stride)


def _has_loss(pairs: dict[str, float]) -> bool:
    """Whether a line's pairs hold a train or test loss (not only an lr, an accuracy, a
    count): what makes a bar update or a 'tokens N' line a point."""
    return any(split_of(n) in ("train", "test") for n in pairs)


def _first_epoch(marked: list[_Marked]) -> float:
    """1 when the epochs a step is counted within are numbered from 1 ('Epoch [1][10/63]',
    mmcv's and PyTorch's tutorial prints), else 0: the chained step is then the run's
    iteration, (epoch - 1) * steps an epoch + step, not one epoch ahead of it."""
    epochs = [float(epoch.group(1)) for _, _, epoch in marked]
    return 1.0 if epochs and min(epochs) >= 1 else 0.0


def _records(lines: list[str], axis: str, epoch_steps: float | None,
             first_epoch: float = 0.0) -> list[_Record]:
    records: list[_Record] = []
    bars = _BarCount()
    block = ""            # the split a banner names for the lines of one value under it
    meters = ""           # the last line of values (an evaluation's meters, maybe)
    heading = ""          # the split a heading line names for the next line of values
    for line in lines:
        inferred: set[str] = set()
        if _HEADING.match(line) and len(line) <= HEADING_MOST:
            heading = _test_word(line)
        if block and len(_NAMED_NUMBER.findall(line)) != 1:
            block = ""        # a line of no value or of several ends the block
        if not block:
            banner = _BANNER.search(line) if len(line) <= BANNER_MOST and (
                "***" in line or "===" in line) else None
            block = _test_word(banner.group(2)) if banner else ""
        split = _test_word(meters) if not block and _SUMMARY.match(line) else ""
        if split:
            # the closing line of an evaluation's meters holds its result: named by the
            # meters' split, and as good as stated (over the per-batch meters' own values)
            pairs = _pairs(line, None, split)
        else:
            pairs = _pairs(line, inferred, block or heading)
        if pairs:
            meters, heading = line, ""
        x = (bars.at(line) if _has_loss(pairs) else None) if axis == "iteration" \
            else _marker(line, axis, epoch_steps, _has_loss(pairs), first_epoch)
        if axis == "line" and pairs:
            x = float(len(records))
        if x is None and axis in ("step", "epoch") and records and \
                not (block or heading or split) and _reprinted(pairs, records[-1]):
            # a line with no step of its own that prints a loss the step's own line gave
            # (HRNet's 'Loss: 0.83, MeanIU: 0.71' after 'Epoch: [e/E] Iter:[i/N] ... Loss:
            # 0.75'): an evaluation's value, not a second train value at that step; unless
            # the line names its split as train itself ('Training Error: 27.9  Loss: 0.63'
            # after 'Epoch: [0][100/108] ... Loss 0.1072'): the epoch's summary, another
            # spelling of the train loss than the batches' one, chosen between as any two
            pairs = {(f"{SUMMARY_WORD} {n}" if n in records[-1].marked else n): v
                     for n, v in _pairs(line, inferred, "val").items()}
        if x is not None and (not records or records[-1].x != x):
            records.append(_Record(x, wall=_wall(line), bar=bars.bars))
        if pairs and records:
            if x is not None:
                records[-1].marked.update(pairs)
            records[-1].values.update(pairs)
            records[-1].inferred |= inferred
            if any(split_of(n) == "test" for n in pairs):
                records[-1].with_test.update(pairs)
    return records


#: the word that marks a train loss printed again in an epoch's summary line: an aggregation
SUMMARY_WORD = "epoch"


def _reprinted(pairs: dict[str, float], record: _Record) -> bool:
    """Whether ``pairs`` print again a loss that no split's word names and that a line with
    its own step or epoch marker gave ``record``, and no test loss."""
    return any(n in record.marked and split_of(n) == "train"
               and not set(tokens(n)) & (TEST_TOKENS | TRAIN_TOKENS) for n in pairs) \
        and not any(split_of(n) == "test" for n in pairs)


class _BarCount:
    """Iterations counted across progress bars: an update of a bar that prints a loss is at
    ``bars before it * its total + its n``; a bar starts again when its epoch changes or n
    goes back. Lines between bars (a val loss by ``tqdm.write``) belong to the last update."""

    def __init__(self) -> None:
        self.bars = 0
        self.last: tuple[str | None, int] = (None, -1)

    def at(self, line: str) -> float | None:
        where = bar_position(line)
        if where is None:
            return None
        n, total = where
        epoch = _epoch_of(line)
        tag = epoch.group(1) if epoch else None
        if self.last[1] >= 0 and (tag != self.last[0] or n < self.last[1]):
            self.bars += 1
        self.last = (tag, n)
        return float(self.bars * total + n)


def _marker(line: str, axis: str, epoch_steps: float | None, loss: bool,
            first_epoch: float = 0.0) -> float | None:
    """The x of a line: its step (a step counted within its epoch, ``epoch_steps`` not None,
    is made global: (epoch - ``first_epoch``) * steps an epoch + step, the steps an epoch
    being the total the line prints when ``epoch_steps`` is 0), its count of samples or
    tokens seen (on a line that prints a ``loss``: not 'Num examples = 1000'), or its
    epoch."""
    if axis == "line":
        return None
    epoch = _epoch_of(line)
    if axis == "epoch":
        return float(epoch.group(1)) if epoch else None
    step = _step_of(line)
    if not step:
        counted = _ROUND.match(line) or (_SEEN.search(line) if loss else None)
        return _count(counted.group(1)) if counted else None
    per_epoch = float(step.group(2) or 0) if epoch_steps == 0 else epoch_steps
    if per_epoch and epoch:     # 'Epoch [2/10], Step [100/600]'; chained epochs
        return (float(epoch.group(1)) - first_epoch) * per_epoch + _count(step.group(1))
    return _count(step.group(1))


def _step_of(line: str) -> re.Match[str] | None:
    """The line's step marker ('step 100', 'Step [100/600]', 'Epoch: [0][10/5005]'): group 1
    the step, group 2 the steps its epoch holds, when printed."""
    return _STEP.search(line) or ("[" in line and (_EPOCH_BATCH.search(line)
                                                   or _TIMM_BATCH.search(line)
                                                   or _TRAIN_COUNT.search(line))) or None


def _epoch_of(line: str) -> re.Match[str] | None:
    """The line's epoch marker ('Epoch 3/10', 'epoch: 3', Swin's 'Train: [3/300]', ESPnet's
    '3epoch:train:'): group 1 the epoch, group 2 the epochs planned, when printed."""
    epoch = _EPOCH.search(line)
    if epoch and _BEST.search(line, 0, epoch.start()):
        return None         # 'Accuracy: 0.037 Best 0.037 ep 0': the best's epoch, a reference
    return (epoch or ("[" in line and _TRAIN_EPOCH.search(line))
            or ("epoch" in line and _NTH_EPOCH.search(line)) or None)


def _count(digits: str) -> float:
    return float(digits.replace(",", ""))


def _pairs(line: str, inferred: set[str] | None = None, block: str = "") -> dict[str, float]:
    """``name: number`` pairs (and ``loss 0.41`` ones, when no pair is a loss); a loss after
    a split's word ('Test set:', '| valid |'), or under a banner that names one (``block``),
    is that split's: 'test loss' (added to ``inferred``)."""
    out: dict[str, float] = {}
    context, last = block, 0
    for m in _PAIR.finditer(line):
        name = " ".join(m.group(1).split())
        toks = tokens(name)
        if not toks or (toks[-1] in _MARKER_WORDS and not any("loss" in t for t in toks)):
            continue      # 'Epoch: 3', 'Train Epoch: 1': the x axis, not a value
        context = _split_word(line[last:m.start()]) or context
        last = m.end()
        out[_in_context(name, toks, context, inferred)] = float(m.group(2))
        head = name.split(" ", 1)[0] if " " in name else ""
        if head and _split_word(head):
            # a split's word heading a phrase names the values after it ('Valid acc: 0.84 |
            # loss: 9.41'), as one before them on the line does
            context = _test_word(head)
    if not _has_loss(out):     # 'Lr: 0.0019' is a pair, 'Loss 4.2079 (4.2377)' beside it not
        last = 0
        for m in _BARE_LOSS.finditer(line):
            name = " ".join(m.group(1).split())
            # a split's word standing alone before it (fairseq's '| valid | ... | loss 8.7'),
            # not one inside another value's name ('val_acc 0.91 | loss 0.52')
            between = _NAMED_NUMBER.sub(" ", line[last:m.start()])
            context = _split_word(between) or context
            last = m.end()
            out[_in_context(name, tokens(name), context, inferred)] = float(m.group(2))
    if not _has_loss(out):
        found = {}
        for m in _VALUE_THEN_LOSS.finditer(line):
            name = " ".join(m.group(2).split())
            context = _split_word(line[:m.start()]) or block
            found[_in_context(name, tokens(name), context, inferred)] = float(m.group(1))
        out = found or out        # the number a stray 'PM : 0.98' took is the loss's
    return out


def _in_context(name: str, toks: list[str], context: str, inferred: set[str] | None) -> str:
    """``name`` as the split's word before it on its line makes it ('test loss'), unless it
    names a split itself; such names are added to ``inferred``."""
    if not context or set(toks) & (TEST_TOKENS | TRAIN_TOKENS):
        return name
    named = f"{context} {name}"
    if inferred is not None:
        inferred.add(named)
    return named


def _perplexity_loss(records: list[_Record], names: list[str], notes: list[str]) -> list[str]:
    """An evaluation that prints its perplexity and no loss (OpenNMT's 'Validation
    perplexity: 74.75'): ln of it is the mean cross-entropy, the test loss; added to the
    records under that name. Nothing when there is not exactly one such value."""
    ppl = [n for n in names if split_of(n) is None and TEST_TOKENS & set(tokens(n))
           and PERPLEXITY & set(tokens(n))]
    if len(ppl) != 1:
        return []
    name, loss = ppl[0], f"ln({ppl[0]})"
    for r in records:
        value = r.values.get(name)
        if value is not None:
            r.values[loss] = float(np.log(value)) if value > 0 else float("nan")
    notes.append(f"test loss: {loss}, the cross-entropy its perplexity is exp of (no test"
                 " loss printed)")
    return [loss]


def _split_word(text: str) -> str:
    low = text.lower()
    if not any(w in low for w in _SPLIT_WORDS) and "dict for global" not in text:
        return ""
    words = [_VERBS.get(t, t) for t in tokens(text)
             if t in TEST_TOKENS or t in ("train", "training") or t in _VERBS]
    if "dict for global" in text and _EVALUATED.search(text):
        words.append("eval")
    return words[-1] if words else ""


#: TF Estimator's line of an evaluation's results ('Saving dict for global step 1000:
#: accuracy = 0.96, global_step = 1000, loss = 0.061'): its 'loss' is the evaluation's
_EVALUATED = re.compile(r"\bSaving dict for global step\b")
#: a banner over values printed one a line ('***** Eval results *****' of BERT's and the
#: Hugging Face examples' scripts, then '  eval_loss = 0.41', '  loss = 0.41')
_BANNER = re.compile(r"(\*{3,12}|={3,12})\s*([A-Za-z][\w ]{0,40}?)\s*\1\s*$")
#: a longer line is no banner (and a pattern is never run over a megabyte of stars)
BANNER_MOST = 200


def _test_word(text: str) -> str:
    """The split's word in ``text`` when it names an evaluation ('' for train's: a bare loss
    is the train loss anyway)."""
    word = _split_word(text)
    return "" if word in ("train", "training") else word


#: a line of words that opens with a split's word ('testing in eval mode...', 'Validation:',
#: 'Evaluating'): the values on the next line of them are that split's, printed as
#: training's are ('epoch: 1, loss is: 0.57'); digits make it no heading ('Validation loss
#: improved to 0.41')
_HEADING = re.compile(r"^\W*(?:test|testing|val|valid|validate|validating|validation|eval|"
                      r"evaluate|evaluating|evaluation)\b\D*$", re.IGNORECASE)
HEADING_MOST = 80
#: the PyTorch ImageNet example's closing line of an evaluation's meters (' * Acc@1 76.1',
#: ' * ERR 24.7 LOSS 0.105'): the split of the meters printed just before it
_SUMMARY = re.compile(r"^\s*\*\s")
#: a split's word as a verb heading a line ('Validate: ... Loss 1.29'): that split's values
_VERBS = {"validate": "val", "validating": "val", "testing": "test"}
#: every split's word: a text holding none of them (most of a log's text) names no split
_SPLIT_WORDS = tuple(sorted(TEST_TOKENS | {"train", "training"} | set(_VERBS)))


def _wall(line: str) -> float:
    m = _STAMP.search(line)
    if not m:
        return np.nan
    midnight = _midnight(m.group(1))
    hours, minutes, seconds = (int(p) for p in m.group(2).split(":"))
    if midnight is None or hours > 23 or minutes > 59 or seconds > 59:
        return np.nan      # what strptime's %H:%M:%S refuses
    frac = float(f"0.{m.group(3)}") if m.group(3) else 0.0
    return midnight + hours * 3600 + minutes * 60 + seconds + frac


@lru_cache(maxsize=1024)
def _midnight(day: str) -> float | None:
    """The UTC timestamp of a date's start (a log's lines share a few dates: parsed once)."""
    try:
        return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def _curve(records: list[_Record], split: str, cols: list[str]):
    rows = [r for r in records if all(c in r.values for c in cols)] if cols else []
    steps = [r.x for r in rows]
    values = [sum(r.values[c] for c in cols) for r in rows]
    walls = [r.wall for r in rows]
    return make_frame("", split, steps, values, walls, metric="+".join(cols))
