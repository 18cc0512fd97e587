"""The words of metric names: a name split into lower-case tokens (``Loss/train`` -> ``loss
train``, ``valLoss`` -> ``val loss``) and what they say (a split, a loss, a component, a
count, bookkeeping), so that every common spelling is matched by meaning, not by a list of
strings."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

TEST_TOKENS = frozenset({"val", "valid", "validation", "test", "eval", "evaluation", "dev",
                         "vl", "v", "va", "tst", "te", "holdout", "evaluated", "validated",
                         "tested"})
#: a held-out set scored after training (Lightning's ``trainer.test``): beside a validation
#: loss, not the curve a run is watched by
HELD_OUT_TOKENS = frozenset({"test", "tst", "te", "holdout"})
TRAIN_TOKENS = frozenset({"train", "training", "trn", "tr", "main", "batch", "trained"})
#: tokens that say "the same loss, aggregated differently": not a separate component
MODIFIERS = ("epoch", "avg", "mean", "total", "overall", "running", "smoothed", "step", "batch",
             "current")
STATS = frozenset({"min", "max", "std", "stderr", "var", "count", "best"})
#: the loss seen through exp, not a loss of its own: Megatron's ``lm loss PPL`` beside its
#: ``lm loss value`` (a log with no loss but a perplexity reads ln(ppl) as its loss)
PERPLEXITY = frozenset({"ppl", "perplexity"})
#: settings about a loss, not a loss: AMP's loss_scale, a loss_weight or coefficient
SETTINGS = frozenset({"scale", "scaler", "weight", "weights", "coef", "coeff", "lambda",
                      "factor"})
#: a framework's own step (Lightning's and the HF Trainer's in W&B) before W&B's ``_step``,
#: which counts log calls
STEP_NAMES = ("step", "global_step", "globalstep", "iteration", "iter", "it",
              "trainer/global_step", "train/global_step", "_step", "batch", "steps", "n_iter")
EPOCH_NAMES = ("epoch", "epochs", "ep", "epoch/epoch")
#: words that make a name a loss when no name says "loss": an objective, a likelihood, an error
LOSS_LIKE = ("nll", "objective", "cost", "mse", "mae", "rmse", "bce", "xent", "crossentropy",
             "huber", "ce", "smoothl1")
#: of those, the errors a regression reports beside its objective (an MSE): RMSE is its
#: square root (the same trend on a log scale), MAE a second measure of the same fit
REPORTED = frozenset({"rmse", "mae", "l1"})
#: a name that counts what the loss was taken over, not a loss: ``num_loss_tokens``,
#: ``n_loss_samples``, ``loss_tokens``
COUNT_WORDS = frozenset({"num", "number", "n", "nb"})
COUNTED = frozenset({"tokens", "samples", "examples", "items", "elements", "words", "chars",
                     "sequences", "batches"})
#: what a run spends (clocks, memory, speed), which a word of LOSS_LIKE can be said of too:
#: MXNet's ``Time cost`` is no loss
RESOURCES = frozenset({"time", "runtime", "wall", "walltime", "elapsed", "duration", "seconds",
                       "memory", "mem", "gpu", "speed", "throughput", "compute"})
#: bookkeeping, never a loss whatever the file is called: clocks, counters, rates, metrics, ids
BOOKKEEPING = RESOURCES | frozenset({
    "timestamp", "lr", "step", "steps", "epoch", "epochs", "iter", "iteration", "iterations", "acc",
    "accuracy", "precision", "recall", "f1", "auc", "map", "map50", "iou", "miou", "dice",
    "bleu", "rouge", "wer", "cer", "label", "labels", "id", "ids", "index", "idx", "class",
    "target", "seed", "count", "samples", "tokens", "rate", "score", "correct", "total"})


#: BasicSR's and ESRGAN's loss names (``l_pix``, ``l_g_gan``, ``l_d_real``): an ``l_`` prefix
#: at the start of a name or of a path segment is the word loss
_L_PREFIX = re.compile(r"(^|[/.])l_(?=[a-z])")


_CAMEL = re.compile(r"([a-z])([A-Z])")
_NOT_ALNUM = re.compile(r"[^0-9a-zA-Z]+")
_CROSS_ENTROPY = re.compile(r"cross[^0-9a-z]{0,3}entropy")
#: the smooth L1 (Huber-like) loss of detectors, MXNet's ``Train-SmoothL1``, ``smooth_l1``
_SMOOTH_L1 = re.compile(r"smooth[^0-9a-z]{0,3}l1")
#: errors spelled out (Keras' ``mean_squared_error``, a header's 'Mean Squared Error'): the
#: losses their short names are
_SPELLED_ERRORS = re.compile(r"(root[^0-9a-z]{0,3})?mean[^0-9a-z]{0,3}(squared|absolute)"
                             r"[^0-9a-z]{0,3}error")


def tokens(name: str) -> list[str]:
    """``'Train/epoch_loss'`` -> ``['train', 'epoch', 'loss']``; camelCase is split too."""
    return list(_tokens(name))


def humps_apart(text: str) -> str:
    """``text`` in lower case with camelCase's humps set apart (``valLoss`` -> ``val loss``),
    as names are split into words."""
    return _CAMEL.sub(r"\1 \2", text).lower()


def _split(name: str) -> tuple[str, ...]:
    if "l_" in name:
        name = _L_PREFIX.sub(r"\1loss_", name)
    lowered = humps_apart(name)
    if "cross" in lowered:          # 'val_cross_entropy' names the loss 'crossentropy' does
        lowered = _CROSS_ENTROPY.sub("crossentropy", lowered)
    if "smooth" in lowered:         # 'SmoothL1', 'smooth_l1': one loss, as 'crossentropy'
        lowered = _SMOOTH_L1.sub("smoothl1", lowered)
    if "error" in lowered:          # 'mean squared error' names the loss 'mse' does
        lowered = _SPELLED_ERRORS.sub(_short_error, lowered)
    toks = tuple(t for t in _NOT_ALNUM.split(lowered) if t)
    if "ls" not in toks:
        return toks
    # 'ls' right after a split's word is the loss abbreviated (``tr_ls``, ``val_ls_box_reg``)
    return tuple("loss" if t == "ls" and i and toks[i - 1] in _SPLIT_WORDS else t
                 for i, t in enumerate(toks))


#: (remembered: a text log splits the same few names on every line, and a table's column
#: chooser asks each column's words a dozen times: 4,096 names thrashed on a table of 50,000
#: columns, 3.8 s, 2.5 s with room for 65,536)
_tokens = lru_cache(maxsize=1 << 16)(_split)


_SPLIT_WORDS = TRAIN_TOKENS | TEST_TOKENS


def _short_error(m: re.Match[str]) -> str:
    return ("r" if m.group(1) else "") + ("mse" if m.group(2) == "squared" else "mae")


@lru_cache(maxsize=1 << 16)
def split_of(name: str) -> str | None:
    """``train``, ``test`` or ``lr`` by the column's name, or None when it is not a loss
    (remembered: a text log asks it of the same few names on every line)."""
    toks = tokens(name)
    if not toks or (STATS | SETTINGS | PERPLEXITY) & set(toks):
        return None
    if "lr" in toks or re.search(r"(^|[^a-z])lr\d*$", name.lower()) or \
            ("learning" in toks and "rate" in toks):
        return "lr"
    if not any(t == "loss" or t.endswith("loss") for t in toks):
        return None
    if counts(toks):
        return None       # num_loss_tokens: how many tokens the loss was taken over
    if names_test(toks):
        return "test"
    return "train"


#: a test split's word that can stand for something else beside a train split's (DeePMD's
#: ``rmse_v_trn``: the virial's error on the train set)
WEAK_TEST = frozenset({"v"})


def names_test(toks: Iterable[str]) -> bool:
    """Whether a name's tokens name a test split: a test word, unless the only one is a
    letter that can mean something else and a train word stands beside it."""
    words = set(toks)
    found = TEST_TOKENS & words
    return bool(found - WEAK_TEST) or bool(found) and not TRAIN_TOKENS & words


def says_loss(name: str) -> bool:
    """The name says it is a loss: ``loss``, ``val_losses``, ``nll``, ``objective``, ... (a
    ``cost`` of time or memory is no loss)."""
    toks = tokens(name)
    if counts(toks):
        return False
    return any(t.endswith("loss") or t == "losses" for t in toks) or (
        any(t in LOSS_LIKE for t in toks) and not RESOURCES & set(toks)) or _set_norm(toks) \
        or _dual_head(toks)


#: YOLOv10's losses of its two heads, one-to-many and one-to-one (``train/box_om``,
#: ``val/cls_oo``): the word loss is not written
_HEAD_PARTS, _HEADS = frozenset({"box", "cls", "dfl"}), frozenset({"om", "oo"})


def _dual_head(toks: list[str]) -> bool:
    return len(toks) >= 2 and toks[-2] in _HEAD_PARTS and toks[-1] in _HEADS


def dual_head(name: str) -> bool:
    """A YOLOv10 head's loss (``train/box_om``)."""
    return _dual_head(tokens(name))


#: the L2 and L1 errors LightGBM names its regression metrics by (its l2 is the MSE)
NORM_ERRORS = ("l2", "l1")


def _set_norm(toks: list[str]) -> bool:
    """A split's word and an L2 or L1 error, nothing else (LightGBM's ``training's l2``,
    ``valid_1's l1``): an ``l2_norm`` or ``l2_reg`` column is no loss."""
    return len(toks) > 1 and toks[-1] in NORM_ERRORS and all(
        t in _SPLIT_WORDS or t.isdigit() for t in toks[:-1])


def counts(toks: list[str]) -> bool:
    """Whether a name's tokens count something (``num_loss_tokens``, ``loss_tokens``)."""
    return bool(toks) and (toks[0] in COUNT_WORDS or toks[-1] in COUNTED)


def bookkeeping(name: str) -> bool:
    """A clock, counter, rate, metric, label or id column (``_runtime``, ``epoch``, ``acc``)."""
    toks = tokens(name)
    # a numbered one too: acc0, acc1 (two models' accuracies)
    words = set(toks) | {t.rstrip("0123456789") for t in toks}
    return bool(toks) and not says_loss(name) and bool(BOOKKEEPING & words)


#: words that name the whole objective: a loss so named is the main one, and the parts
#: logged beside it are its components (a VAE's ``elbo_loss`` beside its ``recon_loss``;
#: Ludwig's ``combined`` loss beside each output feature's)
WHOLE = frozenset({"elbo", "objective", "combined"})


def component(name: str) -> str:
    """What is left of a loss name without split and aggregation words: '' for the main loss."""
    toks = [t for t in tokens(name) if t not in TEST_TOKENS and t not in TRAIN_TOKENS
            and t not in MODIFIERS and t not in WHOLE and t != "loss"]
    return " ".join(toks)


def measured(name: str) -> str:
    """What a loss column measures: its component, with the number of an eval set after a
    split's word dropped too (XGBoost's ``validation_1-logloss``, LightGBM's
    ``valid_1/multi_logloss``), so that one metric on two sets is one measure."""
    toks = tokens(name)
    kept = [t for i, t in enumerate(toks)
            if not (t.isdigit() and i and toks[i - 1] in _SPLIT_WORDS)]
    return component(" ".join(kept))
