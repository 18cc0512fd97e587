"""Console output around the values: tables printed line by line, and losses named in words.

A table printed to the console
(Ultralytics YOLO's ``Epoch GPU_mem box_loss ... Size`` header and its ``1/100 3.48G 1.272 ...``
rows, YOLOv5's and v7's ``Epoch gpu_mem box obj cls total``, or any header of names with
loss columns) is turned into ``name=value`` lines. Under a banner that says the lines are
losses (pix2pix's and CycleGAN's ``loss_log.txt``), the names are made to say so.
"""
from __future__ import annotations

import math
import re

from ..columns import LEARN_LOSS
from ..names import says_loss, tokens
from .keyvaluetables import gather_key_value_tables
from .numbertext import NUM_TEXT, NUMBER, VALUE_TEXT
from .printedobjects import unwrap_numbers
from .translated import in_english

_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_SIZE = re.compile(r"^[\d.]+[KMGT]i?B?$")
#: a name (in any script: a schedule's ``α``), a percent sign after it (``Acc%``)
_HEADER_CELL = re.compile(r"^[^\W\d][\w./()\-]*%?$")
_MARKERS = {"epoch": "epoch", "epochs": "epoch", "ep": "epoch", "step": "step", "iter": "iter",
            "iteration": "iter", "global_step": "step"}


#: YOLOv5's and YOLOv7's console header, whose loss columns do not say loss
_YOLO5 = ["epoch", "gpu_mem", "box", "obj", "cls", "total"]


def _cells(line: str) -> list[str]:
    """A table line's cells: split at blanks, or at pipes when it has two or more (a
    ``epoch | tr_loss | va_loss`` table, whose names may hold blanks), or at spaced dashes
    when it has two or more (``Epoch - Loss - Training Accuracy`` over ``0 - 0.43 - 76.99``)."""
    if line.count("|") >= 2:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    if line.count(" - ") >= 2:
        return [c.strip() for c in line.strip().split(" - ")]
    return line.split()


def _header(line: str) -> list[str] | None:
    """The cells of a table header: names only, at least one a loss, no ':'/'=' pairs
    (YOLOv5's and YOLOv7's ``Epoch gpu_mem box obj cls total labels img_size``: the mean
    box, objectness and class losses and their total)."""
    if "=" in line or ": " in line:
        return None
    first = line.lstrip(" \t|").split(None, 1)
    if not first or not _HEADER_CELL.match(first[0]):
        return None       # (most lines: a time stamp or a number first)
    cells = _cells(line)
    if len(cells) < 2 or not all(c and all(_HEADER_CELL.match(w) for w in c.split())
                                 for c in cells):
        return None
    lowered = [c.lower() for c in cells[:6]]
    if lowered[:5] == _YOLO5[:5]:        # (later YOLOv5 releases print no total)
        losses = 4 if lowered == _YOLO5 else 3
        return cells[:2] + [f"{c}_loss" for c in cells[2:2 + losses]] + cells[2 + losses:]
    if not any(says_loss(c) for c in cells):
        return None
    return cells


#: a row's cell that holds no value but is no text either: a clock (fastai's ``time``
#: column, ``00:12``) or a duration (``61s``), or a dash for a value not logged (``No log``
#: in the HF Trainer's table)
_CLOCK = re.compile(r"^\d+:\d\d(?::\d\d)?$|^\d+(?:\.\d+)?(?:ms|s|min|h)$")
#: a percentage cell (an accuracy, ``50.80%``): a value, but no loss's
_PERCENT = re.compile(r"^\d+(?:\.\d+)?%$")
_DIGIT = re.compile(r"\d")


def _row(line: str, width: int) -> list[str] | None:
    """A table row of ``width`` cells, all numbers, sizes, clocks or dashes and at least one
    number (a trailing progress bar cut off)."""
    cells = _cells(line)
    if len(cells) > width and cells[width - 1].endswith(":"):
        cells = cells[:width]      # a progress bar after the row's colon, of any style
    if cells and cells[-1].endswith(":"):
        cells[-1] = cells[-1].rstrip(":")
    if len(cells) == width + 1 and not _DIGIT.search(cells[-1]):
        cells = cells[:width]       # a mark after the row (a new best's '*')
    if len(cells) != width:
        return None
    parts = cells[-1].split(None, 1)
    if len(parts) == 2 and not _DIGIT.search(parts[1]):
        cells[-1] = parts[0]        # a remark after the row ('19.6s  <- best')
    numbers = sum(bool(NUMBER.match(c) or _FRACTION.match(c)) for c in cells)
    other = sum(bool(_SIZE.match(c) or _CLOCK.match(c) or _PERCENT.match(c) or c == "-")
                for c in cells)
    return cells if numbers and numbers + other == width else None


def expand_tables(lines: list[str]) -> tuple[list[str], int]:
    """Lines with console-table rows rewritten as ``epoch 3 box_loss=1.27 ...``; also how
    many lines were table rows."""
    out: list[str] = []
    header: list[str] | None = None
    rows = 0
    for line in lines:
        cells = _header(line)
        if cells is not None:
            header = cells
            out.append("")
            continue
        row = _row(line, len(header)) if header else None
        if row is None or header is None:
            out.append(line)        # YOLO's validation rows start with a class name: kept out
            continue
        rows += 1
        out.append(_as_pairs(header, row))
    return out, rows


def _as_pairs(header: list[str], row: list[str]) -> str:
    marker = ""
    pairs = []
    for name, cell in zip(header, row, strict=True):
        kind = _MARKERS.get(name.lower())
        frac = _FRACTION.match(cell)
        if kind and (frac or NUMBER.match(cell)):
            marker = f"{kind} {frac.group(1) if frac else cell} "
            continue
        if NUMBER.match(cell) and tokens(name):
            pairs.append(f"{name}={cell}")
    return marker + " ".join(pairs)


#: a group of values headed ``Losses:`` whose names and values are not joined by a colon
#: (the early PyTorch-YOLOv3's ``[Losses: x 0.27, y 0.25, ..., total 15.14, recall: 0.0]``)
_LOSS_GROUP = re.compile(r"\blosses\s*:\s*([^\]]*)", re.IGNORECASE)
_NAME_VALUE = re.compile(rf"(?<![\w.:])([A-Za-z]\w*) ({NUM_TEXT})"
                         r"(?=\s*(?:,|$))")


#: a dict of losses printed after the word (spaCy's training loops: ``Losses {'ner': 0.18}``,
#: or under Python 2 ``('Losses', {u'ner': 0.18})``)
_LOSS_DICT = re.compile(r"\blosses['\"]?,?\s*(\{[^{}]*\})", re.IGNORECASE)
_DICT_ITEM = re.compile(rf"u?['\"](\w+)['\"]\s*:\s*({NUM_TEXT})")


def name_grouped_losses(lines: list[str]) -> list[str]:
    """Each ``name value`` in a group headed ``Losses:`` written ``name loss: value``: the
    heading is what says they are losses (``x``, ``conf``, ``total``), and the missing colon
    is what hides them; values written ``name: value`` in it (recall, precision) are left
    as they are. So is each item of a dict printed after the word ``Losses`` (spaCy's
    ``'ner': 0.18``, the loss of its named component)."""
    if not any("osses" in ln and (_LOSS_GROUP.search(ln) or _LOSS_DICT.search(ln))
               for ln in lines[:SNIFF_GROUP]):
        return lines
    out = []
    for line in lines:
        if "osses" in line and (group := _LOSS_DICT.search(line)):
            body = _DICT_ITEM.sub(r"\1 loss: \2", group.group(1))
        elif "osses" in line and (group := _LOSS_GROUP.search(line)):
            body = _NAME_VALUE.sub(r"\1 loss: \2", group.group(1))
        else:
            out.append(line)
            continue
        out.append(line[:group.start(1)] + body + line[group.end(1):])
    return out


#: Deeplearning4j's ScoreIterationListener: ``Score at iteration 100 is 1.39`` (its score is
#: the loss it minimizes)
_SCORE_AT = re.compile(r"\bScore at iteration (\d+) is\b")


#: MindSpore's LossMonitor: ``epoch: 1 step: 1875, loss is 0.123`` (or ``loss is
#: Tensor(shape=[], dtype=Float32, value= 0.123)``, or a custom print's ``loss is: 0.123``)
_LOSS_IS = re.compile(r"\b(loss) is:? (?:Tensor\([^()]*?value=\s*)?(?=[-+]?(?:\d|\.\d|nan|inf))",
                      re.IGNORECASE)


#: a loss said where it was taken, then its value: ``Loss at epoch 0 and iteration 500 is
#: 0.219``, ``NCE Loss at epoch 2, step 10: 0.94``; group 1 the name, group 2 the where
_LOSS_AT = re.compile(r"\b((?:[A-Za-z]\w* )?loss)\s+(?:at|in|after)\s+((?:(?:and\s+|,\s*)?"
                      r"(?:epoch|iteration|iter|step|batch)\s*[:#]?\s*\d+(?:\s*/\s*\d+)?\s*)+)"
                      r"(?:is|was|[:=])\s*(?=[-+]?(?:\d|\.\d|nan|inf))", re.IGNORECASE)


#: a loss said with what it was averaged over: ``Mean test loss of 63 batches: 1.0992``
#: (the skeleton action-recognition trainers': ST-GCN, 2s-AGCN, MS-G3D, CTR-GCN)
_LOSS_OVER = re.compile(r"\b(loss) of \d+ (?:batches|samples|examples|images|iterations|steps|"
                        r"sequences)\s*(?=[:=])", re.IGNORECASE)


#: llm.c's main.log: ``s:250 trl:6.1565 lr:0.0006 norm:1.23`` and ``s:250 tel:6.1565`` (its
#: train and eval losses at a step)
_LLMC = re.compile(r"^s:(\d+) (?:(trl)|tel):")


def _said_where(line: str) -> bool:
    """Whether a line may say where its loss was taken (``_LOSS_AT``): a cheap look first."""
    return " at " in line or " after " in line or " in " in line


def name_scores(lines: list[str]) -> list[str]:
    """Deeplearning4j's score lines written ``iteration N loss X``, MindSpore's ``loss is
    X`` written ``loss: X``, ``Loss at epoch E and iteration I is X`` written ``epoch E
    and iteration I Loss: X``, ``test loss of 63 batches: X`` written ``test loss: X`` and
    llm.c's ``s:250 trl:6.15`` written ``step 250 train loss: 6.15``: what they mean."""
    return [_LOSS_IS.sub(r"\1: ", ln) if "loss is" in ln or "Loss is" in ln else
            _SCORE_AT.sub(r"iteration \1 loss", ln) if "Score at iteration" in ln else
            _LOSS_AT.sub(r"\2 \1: ", ln) if _said_where(ln) and _LOSS_AT.search(ln) else
            _LOSS_OVER.sub(r"\1", ln) if "oss of " in ln else
            _LLMC.sub(lambda m: f"step {m.group(1)} {'train' if m.group(2) else 'val'} loss:", ln)
            if ln.startswith("s:") else ln
            for ln in lines]


#: Caffe's solver prints each output of the net on a line of its own; a loss output with the
#: part it weighs into the objective: ``Test net output #2: loss3/loss3 = 5.38 (* 1 = 5.38
#: loss)``
_NET_OUTPUT = re.compile(r"\b(Train|Test) net output #\d+:")
_WEIGHED = re.compile(rf"\(\*\s*[-+\d.eE]{{1,40}}\s*=\s*({VALUE_TEXT})\s+loss\)",
                      re.IGNORECASE)


def total_net_outputs(lines: list[str]) -> list[str]:
    """Each run of Caffe's ``Test net output`` lines as one ``Test net output: loss = <sum
    of the weighed parts>`` line: the objective, as ``Iteration N, loss = ...`` prints it
    for training (an Inception net's two auxiliary losses weigh in at 0.3 each); the
    outputs' own names (``loss3/top-1``, an accuracy) are no losses. ``Train net output``
    lines go: the iteration's line has the train loss."""
    out: list[str] = []
    parts: list[float] = []
    for line in lines:
        found = _NET_OUTPUT.search(line) if "net output #" in line else None
        if found is not None:
            if found.group(1) == "Test" and (weighed := _WEIGHED.search(line)):
                parts.append(float(weighed.group(1)))
            continue
        if parts:
            out.append(f"Test net output: loss = {sum(parts)!r}")
            parts = []
        out.append(line)
    if parts:
        out.append(f"Test net output: loss = {sum(parts)!r}")
    return out


def named_losses(lines: list[str]) -> list[str]:
    """The lines with what frameworks print as losses in their own words written as
    ``name loss: value`` pairs (Caffe's net outputs, Deeplearning4j's scores, MindSpore's
    ``loss is``, ``Losses:`` groups and dicts, AllenNLP's metric tables, CatBoost's
    ``learn:``/``test:``, Stable-Baselines3's key-value tables), numbers printed as tensors
    or NumPy scalars as numbers, and in English where other languages' words are printed:
    what the sniffer and the reader both read."""
    return name_split_tables(name_grouped_losses(name_scores(total_net_outputs(
        name_catboost_metrics(gather_key_value_tables(name_listed_values(
            unwrap_numbers(in_english(lines)))))))))


#: one name of a list: words joined by single blanks (``Avg. Loss``), quoted or not
_LISTED_NAME = r"['\"]?[A-Za-z][\w./-]*(?: [\w./-]+)*['\"]?"
#: names and their values printed as two lists: ``[Avg. Loss, Loss]: [10.44, 7.17]``, or
#: Keras's ``model.metrics_names`` beside what ``evaluate`` returned: ``['loss', 'acc']
#: [0.35, 0.87]``
_LISTED = re.compile(rf"[\[(]\s*({_LISTED_NAME}(?:\s*,\s*{_LISTED_NAME})+)\s*[\])]\s*[:=]?\s*"
                     rf"[\[(]\s*((?:{VALUE_TEXT})(?:\s*,\s*(?:{VALUE_TEXT}))+)\s*[\])]",
                     re.IGNORECASE)


def name_listed_values(lines: list[str]) -> list[str]:
    """A list of names followed by a list of as many values, one of the names a loss,
    written as ``name: value`` pairs (a list printed whole hides which value is whose)."""
    out = []
    for line in lines:
        if ("oss" in line or "OSS" in line) and "]" in line and (m := _LISTED.search(line)):
            names = [n.strip().strip("'\"") for n in m.group(1).split(",")]
            values = [v.strip() for v in m.group(2).split(",")]
            if len(names) == len(values) and any(says_loss(n) for n in names):
                line = line[:m.start()] + ", ".join(
                    f"{n}: {v}" for n, v in zip(names, values, strict=True)) + line[m.end():]
        out.append(line)
    return out


#: CatBoost's verbose line: ``0:\tlearn: 0.6852\ttest: 0.6862\tbest: 0.6862 (0)\ttotal:
#: 59.7ms\tremaining: 59.7s``; the metric is not named, ``best`` is the eval set's best yet
_CATBOOST = re.compile(rf"^(\d+):(\s+learn: {NUM_TEXT})?(\s+test: ({NUM_TEXT}))?"
                       rf"(?:\s+test\d+: {NUM_TEXT})*(?:\s+best: ({NUM_TEXT}) \(\d+\))?"
                       r"\s+total: ")


def name_catboost_metrics(lines: list[str]) -> list[str]:
    """CatBoost's verbose lines written ``iteration N learn-loss: X test-loss: Y``: the
    metric it prints is the objective unless an eval metric that is maximised (AUC,
    Accuracy) was chosen, which its ``best`` shows, at or above every test value: then the
    lines are left as they are, and no loss is read from them."""
    found = [(i, m) for i, ln in enumerate(lines)
             if ("learn:" in ln or "test:" in ln) and (m := _CATBOOST.match(ln))
             and (m.group(2) or m.group(3))]
    if not found:
        return lines
    if not _minimised([(int(m.group(1)), float(m.group(4)), float(m.group(5)))
                       for _, m in found if m.group(4) is not None and m.group(5) is not None]):
        return lines
    out = list(lines)
    for i, m in found:
        out[i] = (f"iteration {m.group(1)}" + m.group(2).replace("learn:", f"{LEARN_LOSS}:")
                  if m.group(2) else f"iteration {m.group(1)}") \
            + (m.group(3).replace("test:", "test-loss:") if m.group(3) else "") \
            + lines[i][m.end(3) if m.group(3) else m.end(2):]
    return out


def _minimised(printed: list[tuple[int, float, float]]) -> bool:
    """Whether CatBoost's ``best`` is the minimum of the test values so far (a loss), not
    their maximum (a score; a score that only rose has its best at every test value, as a
    loss that only fell has: the running extreme tells them apart): never above the
    running minimum of the values printed (it may be below it, at an iteration that
    ``metric_period`` left out), over each fit (the iteration going back starts another:
    a notebook fits several). Without an eval set there is no best: the metric printed is
    the objective."""
    low, last = math.inf, -1
    for iteration, test, best in printed:
        low = min(low if iteration > last else math.inf, test)
        last = iteration
        if best > low and not math.isclose(best, low, rel_tol=1e-6):
            return False
    return True


#: AllenNLP's trainer logs each epoch's metrics as a table under a header of the splits'
#: names: ``Training |  Validation``, then ``loss     |     2.876  |     2.958`` rows (others
#: head the names' column too: ``METRIC | TRAIN | VALIDATION``, then ``Loss | 0.45 | 0.78``)
_SPLIT_HEADER = re.compile(r"(?:^|\s)(?:[A-Za-z]+\s*\|\s*)?(train(?:ing)?)\s*\|\s*"
                           r"(val|valid|validation|test|eval|evaluation)\s*$", re.IGNORECASE)
_CELL = rf"({NUM_TEXT}|nan|inf|N/A)"
#: a table's rule: a line that ends in dashes (``... - -----------``, ``+------+------+``)
_TABLE_RULE = re.compile(r"[-=+]{8,}\s*$")
_SPLIT_ROW = re.compile(r"(?:^|\s)([A-Za-z_][\w./-]*)\s*\|\s*" + _CELL + r"\s*\|\s*" + _CELL
                        + r"\s*$", re.IGNORECASE)


#: the words a header of the splits' names ends in (the header's last column, an evaluation's)
_SPLIT_ENDS = ("validation", "val", "valid", "test", "eval", "evaluation")


def _split_header(line: str) -> re.Match[str] | None:
    """A table's header of the splits' names (``Training |  Validation``), looked for only
    on a line that ends in an evaluation's word: every line of a long log is asked."""
    if "|" not in line or not line.rstrip().lower().endswith(_SPLIT_ENDS):
        return None
    return _SPLIT_HEADER.search(line)


def name_split_tables(lines: list[str]) -> list[str]:
    """Each row of a table headed by the splits' names written ``training_<name>: v1
    validation_<name>: v2`` (a cell of ``N/A`` left out): the header is what says which
    value is whose."""
    if not any(_split_header(ln) for ln in lines):
        return lines
    out = []
    splits: tuple[str, str] | None = None
    for line in lines:
        header = _split_header(line)
        if header:
            splits = (header.group(1).lower(), header.group(2).lower())
            out.append(line[:header.start(1)])
            continue
        if splits and _TABLE_RULE.search(line):
            out.append(line)          # a rule under the header or between rows
            continue
        row = _SPLIT_ROW.search(line) if splits and "|" in line else None
        if row is None or splits is None:
            splits = None
            out.append(line)
            continue
        cells = [f"{split}_{row.group(1)}: {value}" for split, value
                 in zip(splits, row.group(2, 3), strict=True) if value.upper() != "N/A"]
        out.append(line[:row.start(1)] + " ".join(cells))
    return out


#: the lines a log's head is searched in for a ``Losses:`` group
SNIFF_GROUP = 200


#: pix2pix's and CycleGAN's ``loss_log.txt``: ``===== Training Loss (<date>) =====`` (again at
#: each resume), then ``(epoch: 1, iters: 100, time: 2.4, data: 9.4) D_A: 0.54 G_A: 0.43 ...``
_LOSS_BANNER = re.compile(r"^=+\s*training loss\b.*=+\s*$", re.IGNORECASE)
_BOOKKEEPING_PREFIX = re.compile(r"^\s*\([^()]*\)")
_BARE_NAME = re.compile(r"(?<![\w.])([A-Za-z]\w*)(\s*:\s*[-+]?(?:\d|\.\d|nan|inf))",
                        re.IGNORECASE)


def name_banner_losses(lines: list[str]) -> list[str]:
    """Lines under a ``Training Loss`` banner with each value after the bookkeeping in
    parentheses named a loss (``D_A loss: 0.54``): the banner is what says they are losses,
    which the names alone (``D_A``, ``cycle_A``) do not."""
    if not any(_LOSS_BANNER.match(ln) for ln in lines[:50]):
        return lines
    out = []
    for line in lines:
        head = _BOOKKEEPING_PREFIX.match(line)
        if head is None:
            out.append(line)
            continue
        rest = _BARE_NAME.sub(lambda m: m.group(1) + (m.group(2) if says_loss(m.group(1))
                                                     else " loss" + m.group(2)),
                              line[head.end():])
        out.append(line[:head.end()] + rest)
    return out
