"""What one printed line of a console log says: its step or epoch marker, its ``name:
number`` pairs (the split a word before them names), and its time stamp."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np

from ..names import LOSS_LIKE, TEST_TOKENS, TRAIN_TOKENS, humps_apart, split_of, tokens

_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf(?:inity)?)\b"
_WORD = r"[A-Za-z_][\w./-]*"
#: a number ends there: not before more digits, a decimal part ('1.2.3' is a version) or an
#: exponent (else '8.99e-05.' ends a sentence and reads as 8.99), nor a percent sign
_NUM_END = r"(?![\d]|\.\d|[eE][-+]?\d|\s*%)"
_PAIR = re.compile(rf"(?<![\w/.\-'\"])['\"]?({_WORD}(?: {_WORD}){{0,3}}(?: ?\([A-Za-z]+\))?)"
                   rf"['\"]?\s*[:=]\s*"
                   rf"['\"]?(?:tensor\(\s*|[({{](?=\s*(?:{_NUM})\s*[,)}}])\s*)?({_NUM}){_NUM_END}",
                   re.IGNORECASE)
#: a marker glued to its counter, the counter ending at a separator: ``epoch18, iter120,
#: loss: 0.027`` (not ``global_step50/mp_rank_00.pt``, a path)
_GLUED = r"(?=\d+(?:[,;:)\]\s]|$))"
#: an epoch marker ('Epoch 3/10', 'epoch: 3', 'ep 14,', or a bare E glued to its counter
#: and the epochs planned, ``[Fold 2] Finetune E3/10:``): group 1 the epoch, group 2 the
#: epochs planned
_EPOCH = re.compile(rf"\b(?:(?:epoch|ep)(?:\b|{_GLUED})|e(?=\d+/\d+\b))(?:\(train\))?"
                    r"['\"]?\s*(?:[:=#]\s*)?"
                    r"(?:[\[({'\"]\s*)?(\d+(?:\.\d+)?)(?:\s*/\s*(\d+))?", re.IGNORECASE)
_BEST = re.compile(r"\bbest\b", re.IGNORECASE)
#: the word best right before a value's name, only brackets and signs between: that value is
#: the best so far (a running minimum, as a name holding 'best' is: ``names.STATS``)
_AFTER_BEST = re.compile(r"\bbest[\s(\[:=,-]*$", re.IGNORECASE)
#: ESPnet's ``3epoch:train:101-200batch:`` and ``3epoch results:``: the epoch before its word
_NTH_EPOCH = re.compile(r"\b(\d+)epoch\b")
#: Swin Transformer's ``Train: [3/300][100/1251]``: the epoch in the first brackets; timm's
#: ``Train: 3 [ 200/390 ( 51%)]``: the epoch before the batch's brackets
_TRAIN_EPOCH = re.compile(r"\btrain(?:ing)?\s*:\s*\[?\s*(\d+)\s*(?:/\s*(\d+)\s*\]|(?=\[))",
                          re.IGNORECASE)
#: a step marker: a step or iteration (MMEngine's ``Iter(train) [100/8000]``), a global batch
#: (``Epoch 2, Global Batch 2344, Training Loss: ..``, counted over the whole run), or a batch
#: or a loop counter (``i=3/530``, ``it 7/100``) with its epoch's total ('Batch [100/600]',
#: not 'batch size 32' nor a loose 'i = 3'); its counter, with
#: thousands separators or without (BasicSR's ``iter: 100,000``), is whole ('Loss for final
#: step: 0.2712' names no step)
_COUNT = r"(\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?!\.?\d))"
#: between a marker and its counter: a quote, a separator, a bracket, each with the blanks
#: after it (blanks around optional parts made the engine try every split of a long run)
_SEP = r"['\"]?\s*(?:[:=#]\s*)?(?:[\[({]\s*)?"
_STEP = re.compile(rf"\b(?:(?:global[ _](?:step|batch)|step|num_updates"
                   rf"|(?:batch|itr|it|i)(?={_SEP}\d+\s*/\s*\d))\b"
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
#: loss 702.3``, ``samples: 1000``, Megatron's ``consumed samples: 320`` (a step wins); not
#: a clock after the word (``time for last 50 samples : 0:00:08 hours``)
SEEN = re.compile(r"\b(?:consumed[ _])?(?:tokens|samples|examples|images|sequences)(?:[ _]seen)?"
                  rf"\b{_SEP}{_COUNT}(?!:\d)", re.IGNORECASE)
#: a boosting round's counter opening the line: XGBoost's and LightGBM's ``[12]\t...``
ROUND = re.compile(r"^\s*\[(\d+)\]\s")
LOSS_PAIR = re.compile(rf"(?:loss\w*|(?<![a-z])(?:{'|'.join(LOSS_LIKE)}))['\"]?"
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
#: by a value of its own: ``Epoch 0 @ 10:27 PM : 0.9816 C.E. Loss, 94.28% Accuracy`` (not a
#: clock's seconds: ``04:32:45 Loss per epoch 35 :1.69``)
VALUE_THEN_LOSS = re.compile(rf"(?<![\w.:])({_NUM})\s+({_LOSS_NAME})\b"
                             rf"(?!\s*[:=]?\s*(?:{_NUM}))", re.IGNORECASE)
#: a loss (or perplexity) named for its step or epoch: ``Loss for Iter 51: 0.398``, ``Test
#: loss for epoch 0: 0.2198``, ``Train perplexity at epoch 0: 396.31``, ``Loss per epoch 3
#: :1.70`` (the marker is read as every line's; 'Loss for final step: 0.27' names none)
LOSS_FOR = re.compile(rf"(?<![\w.])((?:{_WORD} )?(?:loss|cost|perplexity|ppl)) (?:for|at|per) "
                      r"(?:the )?(?:epoch|iter|iteration|step|batch) \d+\s*[:=]\s*"
                      rf"({_NUM}){_NUM_END}", re.IGNORECASE)
#: a word that makes a line an evaluation's ('VAL loss: 0.02 (epoch: 3, step: 50)')
TEST_WORD = re.compile(rf"(?<![a-z])(?:{'|'.join(sorted(TEST_TOKENS))})(?![a-z])",
                       re.IGNORECASE)
NAMED_NUMBER = re.compile(rf"{_WORD}\s*(?:[:=]\s*)?(?:{_NUM})", re.IGNORECASE)
#: a 12-hour clock's AM or PM (``07/07/2022 04:32:45 PM Loss per epochs:927.1``)
_MERIDIEM = re.compile(r"(\d:\d\d(?::\d\d)?(?:[.,]\d+)?) ?[AP]M\b")
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:[.,](\d+))?")
_MARKER_WORDS = frozenset({"epoch", "epochs", "ep", "step", "steps", "iter", "iteration", "global"})


def has_loss(pairs: dict[str, float]) -> bool:
    """Whether a line's pairs hold a train or test loss (not only an lr, an accuracy, a
    count): what makes a bar update or a 'tokens N' line a point."""
    return any(split_of(n) in ("train", "test") for n in pairs)


def step_of(line: str) -> re.Match[str] | None:
    """The line's step marker ('step 100', 'Step [100/600]', 'Epoch: [0][10/5005]'): group 1
    the step, group 2 the steps its epoch holds, when printed."""
    return _STEP.search(line) or ("[" in line and (_EPOCH_BATCH.search(line)
                                                   or _TIMM_BATCH.search(line)
                                                   or _TRAIN_COUNT.search(line))) or None


#: a bare counter of planned rounds opening a line's message, ``[3/1000] train_loss: ..``
#: or ``INFO:root:[3/1000]: ..``: the epoch when the line also holds an evaluation's loss
#: (batches are counted on lines without one)
_BARE_EPOCH = re.compile(r"(?:^|[\s:])\[\s*(\d+)\s*/\s*(\d+)\s*\]:?\s+[A-Za-z]")


def epoch_of(line: str) -> re.Match[str] | None:
    """The line's epoch marker ('Epoch 3/10', 'epoch: 3', Swin's 'Train: [3/300]', ESPnet's
    '3epoch:train:', '[3/1000] train_loss: .. val_loss: ..'): group 1 the epoch, group 2
    the epochs planned, when printed."""
    epoch = _EPOCH.search(line)
    if epoch and _BEST.search(line, 0, epoch.start()):
        return None         # 'Accuracy: 0.037 Best 0.037 ep 0': the best's epoch, a reference
    return (epoch or ("[" in line and _TRAIN_EPOCH.search(line))
            or ("epoch" in line and _NTH_EPOCH.search(line))
            or ("[" in line and TEST_WORD.search(line) and _BARE_EPOCH.search(line)) or None)


#: records glued on one line ('..., train_acc: 0.3898epoch: 2/1000, train_loss: ..', a
#: print with end=''): at least this many, each opened by the same epoch marker
GLUED_RECORDS = 3


def unglued(line: str) -> list[str]:
    """A line holding ``GLUED_RECORDS`` or more records each opened by the same spelling of
    an epoch marker, cut before each; else the line itself."""
    if line.count("poch") < GLUED_RECORDS or not (first := _EPOCH.search(line)):
        return [line]
    # the first marker's own text, found again glued to the number before it (no word
    # boundary there)
    marker = re.escape(line[first.start():first.start(1)])
    starts = [m.start() for m in re.finditer(rf"{marker}(?=\d)", line)]
    if len(starts) < GLUED_RECORDS:
        return [line]
    head = [line[:starts[0]]] if line[:starts[0]].strip() else []
    return head + [line[a:b] for a, b in zip(starts, [*starts[1:], len(line)], strict=True)]


def count(digits: str) -> float:
    return float(digits.replace(",", ""))


def pairs_of(line: str, inferred: set[str] | None = None, block: str = "") -> dict[str, float]:
    """``name: number`` pairs (and ``loss 0.41`` ones, when no pair is a loss); a loss after
    a split's word ('Test set:', '| valid |'), or under a banner that names one (``block``),
    is that split's: 'test loss' (added to ``inferred``)."""
    out: dict[str, float] = {}
    if "M " in line:     # a clock's AM/PM is no word of the name after it
        line = _MERIDIEM.sub(r"\1", line)
    context, last = block, 0
    low = line.lower()
    # each pattern runs only on a line holding the text it cannot match without (most of a
    # long log's lines hold one style): a pair's sign, a loss's name, 'for' or 'at'
    paired = ":" in line or "=" in line
    named = "loss" in low or "cost" in low
    for m in _PAIR.finditer(line) if paired else ():
        name = " ".join(m.group(1).split())
        toks = tokens(name)
        if not toks or (toks[-1] in _MARKER_WORDS and not any("loss" in t for t in toks)):
            continue      # 'Epoch: 3', 'Train Epoch: 1': the x axis, not a value
        if _AFTER_BEST.search(line, last, m.start()):
            continue      # '-> Saved best (loss: 0.24)': the lowest so far, not a point
        context = _split_in(line[last:m.start()], False) or context
        last = m.end()
        out.setdefault(_in_context(name, toks, context, inferred), float(m.group(2)))
        head = name.split(" ", 1)[0] if " " in name else ""
        if head and split_word(head):
            # a split's word heading a phrase names the values after it ('Valid acc: 0.84 |
            # loss: 9.41'), as one before them on the line does
            context = test_word(head)
    if not has_loss(out) and (" for " in low or " at " in low or " per " in low):
        for m in LOSS_FOR.finditer(line):
            name = " ".join(m.group(1).split())
            out[_in_context(name, tokens(name), context, inferred)] = float(m.group(2))
    if not has_loss(out) and named:  # 'Lr: 0.0019' is a pair, 'Loss 4.2 (4.23)' beside it not
        last = 0
        for m in _BARE_LOSS.finditer(line, _name_start(low)):
            name = " ".join(m.group(1).split())
            # a split's word standing alone before it (fairseq's '| valid | ... | loss 8.7'),
            # not one inside another value's name ('val_acc 0.91 | loss 0.52')
            context = _split_in(line[last:m.start()], True) or context
            last = m.end()
            out[_in_context(name, tokens(name), context, inferred)] = float(m.group(2))
    if not has_loss(out) and "|" in line:
        out = _split_cells(line) or out
    if not has_loss(out) and named:
        found = {}
        for m in VALUE_THEN_LOSS.finditer(line):
            name = " ".join(m.group(2).split())
            context = split_word(line[:m.start()]) or block
            found[_in_context(name, tokens(name), context, inferred)] = float(m.group(1))
        out = found or out        # the number a stray 'PM : 0.98' took is the loss's
    return out


def _name_start(low: str) -> int:
    """Where a loss's name can start at the earliest: two words before the word in which
    'loss' or 'cost' first shows (``_LOSS_NAME``), so a long line's head is not tried."""
    found = [i for i in (low.find("loss"), low.find("cost")) if i >= 0]
    head = low[:min(found)].rsplit(" ", 3) if found else []
    return len(head[0]) + 1 if len(head) == 4 else 0


#: a cell of a line cut by bars that is a split's word and a number: ``| train 2.59 | val 2.61``
_SPLIT_CELL = re.compile(rf"^\s*(train(?:ing)?|val(?:id(?:ation)?)?|test|eval|dev)\s+({_NUM})"
                         rf"{_NUM_END}(?:\s|$)", re.IGNORECASE)


def _split_cells(line: str) -> dict[str, float]:
    """In a line cut into cells by bars that names no loss, cells holding a split's word and
    a number alone (``step 100 | train 2.59 | val 2.61 | lr 1e-3``): each split's loss, when
    a train cell is among them (what else a train and a validation value side by side are
    printed for), as a series named by a split's word alone is in the long format."""
    found = {}
    for cell in line.split("|"):
        if m := _SPLIT_CELL.match(cell):
            found[f"{m.group(1).lower()} loss"] = float(m.group(2))
    return found if any(split_of(n) == "train" for n in found) else {}


def _in_context(name: str, toks: list[str], context: str, inferred: set[str] | None) -> str:
    """``name`` as the split's word before it on its line makes it ('test loss'), unless it
    names a split itself; such names are added to ``inferred``."""
    if not context or set(toks) & (TEST_TOKENS | TRAIN_TOKENS):
        return name
    named = f"{context} {name}"
    if inferred is not None:
        inferred.add(named)
    return named


#: digits as one digit: how a text's split words read does not depend on which digits it holds
_ONE_DIGIT = str.maketrans("123456789", "000000000")


def _split_in(text: str, named_numbers_out: bool) -> str:
    """``split_word`` of ``text``, with its ``name value`` pairs taken out first when asked.
    The lines of a log repeat a few texts but for their numbers: each is read once."""
    return _template_split(text.translate(_ONE_DIGIT), named_numbers_out)


@lru_cache(maxsize=4096)
def _template_split(text: str, named_numbers_out: bool) -> str:
    return split_word(NAMED_NUMBER.sub(" ", text) if named_numbers_out else text)


def split_word(text: str) -> str:
    low = text.lower()
    if not any(w in low for w in _SPLIT_WORDS) and "dict for global" not in text:
        return ""
    found = [_VERBS.get(t, t) for t in _SPLIT_WORD.findall(humps_apart(text))]
    if "dict for global" in text and _EVALUATED.search(text):
        found.append("eval")
    return found[-1] if found else ""


#: TF Estimator's line of an evaluation's results ('Saving dict for global step 1000:
#: accuracy = 0.96, global_step = 1000, loss = 0.061'): its 'loss' is the evaluation's
_EVALUATED = re.compile(r"\bSaving dict for global step\b")


def test_word(text: str) -> str:
    """The split's word in ``text`` when it names an evaluation ('' for train's: a bare loss
    is the train loss anyway)."""
    word = split_word(text)
    return "" if word in ("train", "training") else word
#: a split's word as a verb heading a line ('Validate: ... Loss 1.29'): that split's values
_VERBS = {"validate": "val", "validating": "val", "testing": "test"}
#: every split's word: a text holding none of them (most of a log's text) names no split
_SPLIT_WORDS = tuple(sorted(TEST_TOKENS | {"train", "training"} | set(_VERBS)))
#: one of them standing as a word of its own, as ``names.tokens`` splits words (at anything
#: but letters and digits, and between camelCase's humps): one search, not a split a line
_SPLIT_WORD = re.compile(rf"(?<![a-z0-9])({'|'.join(sorted(_SPLIT_WORDS, key=len, reverse=True))})"
                         r"(?![a-z0-9])")


def wall_time(line: str) -> float:
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
