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
from dataclasses import replace

from ..columns import choose_columns
from ..errors import LogReadError
from ..frame import LossLog, concat_frames, make_frame, validate_frame
from ..names import TEST_TOKENS, TRAIN_TOKENS, says_loss, split_of, tokens
from .consoletext import expand_tables, name_banner_losses, named_losses
from .jsontable import looks_like_json
from .printedaxis import Axis, BarCount, marker, printed_axis
from .printedline import (
    LOSS_FOR,
    LOSS_PAIR,
    NAMED_NUMBER,
    ROUND,
    VALUE_THEN_LOSS,
    epoch_of,
    has_loss,
    pairs_of,
    step_of,
    test_word,
    unglued,
    wall_time,
)
from .printedrecords import (
    Record,
    chained_in_line_order,
    drop_echoes,
    drop_strays,
    paired_train,
    perplexity_loss,
    spelt_apart,
    splits_of,
    stated_over_inferred,
    without_carried,
    without_reprints,
)
from .registry import ReadOptions, register
from .source import Source
from .terminal import has_bars, strip_bars, terminal_lines

FORMAT = "plain-text"
SNIFF_LINES = 400
#: a printed line longer than this is read at its two ends only, which hold any print of a
#: loss it carries (a progress bar's updates are lines of their own, split at each carriage
#: return; a metrics dict is a few KB): the middle of a dumped array or of a hostile file's
#: one-gigabyte line is not scanned by every pattern below (4 minutes a gigabyte)
LONGEST_LINE = 100_000


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
    hits = sum(1 for ln in lines if LOSS_PAIR.search(ln) or VALUE_THEN_LOSS.search(ln)
               or LOSS_FOR.search(ln) or (ROUND.match(ln) and ": " in ln))
    if hits >= 3:
        return 0.75
    if not hits and _losses_at_the_end(source):
        return 0.75       # a long preamble, then the training's lines
    if not hits and has_bars(lines):
        return 0.5        # progress bars redrawn past the head: a console capture, no table
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
    return sum(1 for ln in named_losses(terminal_lines(tail)) if LOSS_PAIR.search(ln)) >= 3 \
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
                      "log.txt), pipe tables, Stable-Baselines3's key-value tables ('|    loss   "
                      "| 0.021 |' under '| train/ |'), losses printed as torch tensors or NumPy "
                      "scalars, names and values printed as two lists ('[Avg. Loss, Loss]: "
                      "[10.4, 7.2]'), perplexities, logs printed in Chinese, Japanese, Spanish, "
                      "Portuguese, French, German, Italian or Russian, ...")
def read_plaintext(source: Source, options: ReadOptions) -> LossLog:
    return text_log(source.text, source.name, options)


def text_log(text: str, name: str, options: ReadOptions, fmt: str = FORMAT) -> LossLog:
    """The losses a console text prints (``name`` says where it came from, in errors): its
    lines read into records, the names among them cleaned, the columns chosen."""
    raw, cut = _readable_lines(text)
    axis, records = _records_without_bars(raw)
    if not records:
        raise LogReadError("no '<name>: <number>' values in this text", name,
                           "expected lines like 'Epoch 3: loss=0.41, val_loss=0.52'")
    notes = [{"line": "x axis: order of the lines",
              "iteration": "x axis: iteration (progress-bar updates, counted across the bars)"}
             .get(axis, f"x axis: {axis}"), *cut]
    counts: dict[str, int] = {}
    for r in records:
        for n in r.values:
            counts[n] = counts.get(n, 0) + 1
    names, options = _loss_names(records, counts, raw, options, notes)
    choice = choose_columns(names, options.train_col, options.test_col, name,
                            counts=counts)
    notes += choice.notes
    # the log's last run, the one diagnosed, when its steps start again
    start = _last_run_start(records) if options.segments == "last" else None
    choice.test = _test_columns(records, names, choice.test, choice.train, start, options,
                                notes)
    if options.train_col is None:
        choice.train = _in_last_run(records, start, "train", choice.train, choice.test, notes)
    frames = [_curve(records, split, cols) for split, cols in
              (("train", choice.train), ("test", choice.test), ("lr", choice.lr))]
    frame = concat_frames(frames)
    if not (frame["split"] != "lr").any():
        raise LogReadError("no loss values in this text", name)
    return LossLog(validate_frame(frame, name), name, fmt, notes)


def _readable_lines(text: str) -> tuple[list[str], list[str]]:
    """The text's lines as a terminal shows them, records glued on one line cut apart
    (``unglued``), a line too long to scan read at its ends only (and a note saying so)."""
    raw = [piece for ln in terminal_lines(text) for piece in unglued(ln)]
    if max(map(len, raw), default=0) <= LONGEST_LINE:        # (one pass in C: a hot path)
        return raw, []
    long = sum(len(ln) > LONGEST_LINE for ln in raw)
    return ([_ends(ln) if len(ln) > LONGEST_LINE else ln for ln in raw],
            [f"{long} line(s) longer than {LONGEST_LINE:,} characters read at their ends only"])


def _records_without_bars(raw: list[str]) -> tuple[str, list[Record]]:
    """The lines' records with progress bars cut out first (a per-epoch summary beside them
    is the curve); when the bars' own postfix holds losses the summaries lack (Lightning's,
    a tqdm postfix), each update of a bar is a point at its iteration."""
    axis, records = _parse(raw)
    if has_bars(raw):
        stripped = _parse(strip_bars(raw))
        if splits_of(stripped[1]) and splits_of(stripped[1]) >= splits_of(records):
            return stripped
    return axis, records


def _loss_names(records: list[Record], counts: dict[str, int], raw: list[str],
                options: ReadOptions, notes: list[str]) -> tuple[list[str], ReadOptions]:
    """The names that may be losses, through passes that each note what they did: one loss
    spelt two ways merged (``counts`` follows), then, unless the user named the columns,
    stray and echoed names dropped, a stated split preferred to an inferred one, a train
    loss paired with its test loss; and the columns a log's own layout settles (series
    named by their split, perplexities)."""
    for old, new in spelt_apart(records, list(counts), notes).items():
        counts[new] += counts.pop(old)
    if options.train_col is not None or options.test_col is not None:
        return list(counts), options
    names = drop_strays(counts, notes)
    for clean in (drop_echoes, stated_over_inferred, paired_train):
        names = clean(records, names, notes)
    if _long_lines(raw):
        options = _series_named_by_split(names, options, notes)
    if options.train_col is None and options.test_col is None and \
            not any(split_of(n) in ("train", "test") for n in names):
        options = _perplexities(records, names, options, notes)
    return names, options


def _test_columns(records: list[Record], names: list[str], test: list[str],
                  train: list[str], start: int | None, options: ReadOptions,
                  notes: list[str]) -> list[str]:
    """The test loss chosen, else a test perplexity's ln; none when the log's last run logs
    none (see ``_in_last_run``)."""
    if options.test_col is not None:
        return test
    return _in_last_run(records, start, "test",
                        test or perplexity_loss(records, names, notes), train, notes)


def _in_last_run(records: list[Record], start: int | None, split: str, columns: list[str],
                 others: list[str], notes: list[str]) -> list[str]:
    """``columns``, the split's loss, or none when the log's last run (from record
    ``start``, the one diagnosed) logs none of them but logs the other split's loss,
    ``others``, as the earlier runs did: a rerun (a final fit on all the data, a rerun that
    logs only its dev loss) beside which an earlier run's curve would stand in. A listing
    of one split's values after the other's (every epoch's validation printed at the end)
    is no rerun."""
    if not columns or start is None or any(c in r.values for r in records[start:]
                                           for c in columns):
        return columns
    if not all(any(c in r.values for r in part for c in others)
               for part in (records[:start], records[start:])):
        return columns
    notes.append(f"the last run (its steps start again at {records[start].x:g}) logs no"
                 f" {split} loss: the earlier runs' {split} loss is left out")
    return []


def _last_run_start(records: list[Record]) -> int | None:
    """Index of the record where the log's last run begins: the last time the steps went
    back to where the log began (an appended run, a second fit), None when they never did."""
    first = records[0].x if records else 0.0
    return next((i for i in range(len(records) - 1, 0, -1)
                 if records[i].x < records[i - 1].x and records[i].x <= first), None)


def _ends(line: str) -> str:
    """The first and the last ``LONGEST_LINE / 2`` characters of a line, cut at blanks (a
    number is never cut in two)."""
    half = LONGEST_LINE // 2
    head, tail = line[:half].rsplit(None, 1), line[-half:].split(None, 1)
    return (head[0] if len(head) == 2 else "") + " " + (tail[1] if len(tail) == 2 else "")


def _perplexities(records: list[Record], names: list[str], options: ReadOptions,
                  notes: list[str]) -> ReadOptions:
    """A log that prints no loss but a train perplexity (and maybe a test one): ln of each,
    the cross-entropy, is the split's loss (added to ``names``)."""
    train = perplexity_loss(records, names, notes, "train")
    if not train:
        return options
    test = perplexity_loss(records, names, notes, "test")
    names += train + test
    return replace(options, train_col=train[0], test_col=test[0] if test else None)


def _parse(lines: list[str]) -> tuple[str, list[Record]]:
    if _long_lines(lines):
        return "step", _long_records(lines)
    lines = expand_tables(name_banner_losses(named_losses(lines)))[0]
    axis = printed_axis(lines)
    records = [r for r in _records(lines, axis) if r.values]
    if axis.kind == "iteration":
        records = without_carried(records)
    records = without_reprints(records)
    if axis.kind == "step" and chained_in_line_order(records):
        return "step (each epoch's count of batches chained in the order of the lines)", records
    return axis.kind, records


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
    return replace(options, train_col=train[0], test_col=test[0] if test else None)


def _long_records(lines: list[str]) -> list[Record]:
    """One record a step, each name's value at it (later lines of a step add to it)."""
    records: dict[int, Record] = {}
    for ln in lines:
        m = _LONG.match(ln)
        if m:
            step = int(m.group(1))
            records.setdefault(step, Record(float(step))).values[m.group(2)] = \
                float(m.group(3))
    return [records[k] for k in sorted(records)]


def _records(lines: list[str], axis: Axis) -> list[Record]:
    records: list[Record] = []
    bars = BarCount()
    block = ""            # the split a banner names for the lines of one value under it
    meters = ""           # the last line of values (an evaluation's meters, maybe)
    heading = ""          # the split a heading line names for the next line of values
    header = None         # the last epoch header line's marker ('Epoch 1/70 - Training')
    for i, line in enumerate(lines):
        inferred: set[str] = set()
        if _HEADING.match(line) and len(line) <= HEADING_MOST:
            heading = test_word(line)
        if block and len(NAMED_NUMBER.findall(line)) != 1:
            block = ""        # a line of no value or of several ends the block
        if not block:
            banner = _BANNER.search(line) if len(line) <= BANNER_MOST and (
                "***" in line or "===" in line) else None
            block = test_word(banner.group(2)) if banner else ""
        split = test_word(meters) if not block and _SUMMARY.match(line) else ""
        if split:
            # the closing line of an evaluation's meters holds its result: named by the
            # meters' split, and as good as stated (over the per-batch meters' own values)
            pairs = pairs_of(line, None, split)
        else:
            pairs = pairs_of(line, inferred, block or heading)
        if pairs:
            meters, heading = line, ""
        elif "poch" in line and (epoch := epoch_of(line)):
            # an epoch's header line with no value ('Eval epoch: 19', ST-GCN's torchlight
            # log): the split's word before its marker names the values printed under it
            # (not one after it: 'Epoch 00003: val_loss improved' over Keras' next epoch)
            heading = test_word(line[:epoch.start()])
        x = (bars.at(line) if has_loss(pairs) else None) if axis.kind == "iteration" \
            else axis.spread[i] if axis.spread and i in axis.spread \
            else marker(line, axis, has_loss(pairs), header)
        if axis.headed and (epoch := epoch_of(line)) and not step_of(line):
            header = epoch
        if axis.kind == "line" and pairs:
            x = float(len(records))
        if x is None and axis.kind in ("step", "epoch") and records and \
                not (block or heading or split) and _reprinted(pairs, records[-1]):
            # a line with no step of its own that prints a loss the step's own line gave
            # (HRNet's 'Loss: 0.83, MeanIU: 0.71' after 'Epoch: [e/E] Iter:[i/N] ... Loss:
            # 0.75'): an evaluation's value, not a second train value at that step; unless
            # the line names its split as train itself ('Training Error: 27.9  Loss: 0.63'
            # after 'Epoch: [0][100/108] ... Loss 0.1072'): the epoch's summary, another
            # spelling of the train loss than the batches' one, chosen between as any two
            # ... and so is a line that says its epoch is done ('EPOCH 1 done: loss 0.29',
            # Flair's, whose evaluations print 'DEV : loss' and 'TEST : loss' of their own)
            # ... unless it prints the very value the step's line gave: an echo of it (a
            # printed dict of the epoch's last batch), no evaluation
            context = "" if _EPOCH_DONE.search(line) else "val"
            pairs = {} if _echoed(pairs, records[-1]) else {
                (f"{SUMMARY_WORD} {n}" if n in records[-1].marked else n): v
                for n, v in pairs_of(line, inferred, context).items()}
        if x is not None and (not records or records[-1].x != x):
            records.append(Record(x, wall=wall_time(line), bar=bars.bars))
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
#: a line closing its epoch: 'EPOCH 3 done', 'Epoch 3 finished', 'End of epoch 3'
_EPOCH_DONE = re.compile(r"\bepoch\s*\d+\s*(?:is\s+)?(?:done|finished|completed?|ended)\b"
                         r"|\bend\s+of\s+epoch\b", re.IGNORECASE)


def _reprinted(pairs: dict[str, float], record: Record) -> bool:
    """Whether ``pairs`` print again a loss that no split's word names and that a line with
    its own step or epoch marker gave ``record``, and no test loss."""
    return any(n in record.marked and split_of(n) == "train"
               and not set(tokens(n)) & (TEST_TOKENS | TRAIN_TOKENS) for n in pairs) \
        and not any(split_of(n) == "test" for n in pairs)


def _echoed(pairs: dict[str, float], record: Record) -> bool:
    """Whether every loss in ``pairs`` that ``record`` holds too is its very value (to the
    shorter print's digits: ``6955.6772`` and ``6955.67724609375``), and there is one."""
    same = [abs(v - record.values[n]) <= 1e-4 * max(abs(v), 1e-12)
            for n, v in pairs.items() if n in record.values and says_loss(n)]
    return bool(same) and all(same)


#: a banner over values printed one a line ('***** Eval results *****' of BERT's and the
#: Hugging Face examples' scripts, then '  eval_loss = 0.41', '  loss = 0.41')
_BANNER = re.compile(r"(\*{3,12}|={3,12})\s*([A-Za-z][\w ]{0,40}?)\s*\1\s*$")
#: a longer line is no banner (and a pattern is never run over a megabyte of stars)
BANNER_MOST = 200


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


def _curve(records: list[Record], split: str, cols: list[str]):
    rows = [r for r in records if all(c in r.values for c in cols)] if cols else []
    steps = [r.x for r in rows]
    values = [sum(r.values[c] for c in cols) for r in rows]
    walls = [r.wall for r in rows]
    return make_frame("", split, steps, values, walls, metric="+".join(cols))
