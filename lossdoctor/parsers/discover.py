"""Finding the runs under a folder: log files and run folders, each one unit to diagnose.

A run folder (TensorBoard event files, an MLflow run, a Hugging Face output folder, a
Lightning ``version_N``) is one unit and is not searched further. Other folders are
searched: their log files are units, and TensorBoard scalar downloads side by side are one
unit whose reader pairs them into runs. Which format a file is stays the parsers' call.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import LogReadError
from .lightning import METRICS
from .registry import PARSERS, by_priority, ranked
from .source import Source
from .tfevents import NAME_MARK

#: a file with one of these endings is meant as a log: when it cannot be read, say so
LOG_SUFFIXES = (".csv", ".tsv", ".log", ".jsonl", ".ndjson", ".csv.gz", ".log.gz",
                ".jsonl.gz", ".tsv.gz")
#: never logs: images, weights, code, configs, documents, archives
SKIP_SUFFIXES = frozenset(
    ".md .rst .html .htm .pdf .png .jpg .jpeg .gif .svg .webp .bmp .tif .tiff .mp4 .wav"
    " .yaml .yml .toml .cfg .ini .conf .py .pyc .ipynb .sh .bat .c .h .cpp .js .css"
    " .pt .pth .ckpt .bin .safetensors .h5 .hdf5 .keras .onnx .pb .tflite .npy .npz .pkl"
    " .pickle .joblib .msgpack .model .spm .vocab .zip .tar .tgz .xz .bz2 .7z .whl .lock"
    " .parquet .arrow .feather .db .sqlite .lmdb .idx .pbtxt .index".split())
SKIP_NAMES = ("readme", "license", "licence", "notice", "changelog", "requirements",
              "config.json", "tokenizer", "vocab", "special_tokens_map", "generation_config",
              "preprocessor_config", "training_args", "optimizer", "scheduler", "rng_state")
SKIP_FOLDERS = frozenset({"__pycache__", "node_modules", "site-packages", ".git"})
#: a file without a log ending is read only when a parser is at least this sure of it
MIN_SCORE = 0.5
_EXPORT_FORMATS = ("tensorboard-csv", "tensorboard-json")
_VERSION_PREFIX = "version_"
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Unit:
    """One thing to read: a log file or a run folder, named by its path under the root."""

    run: str                        # path relative to the root ('' when it is the root)
    path: str
    input_format: str | None = None
    optional: bool = False          # may not be a log: skip quietly unless a parser is sure

    def choose_format(self) -> str | None:
        """The format to read with; '' when an optional file is not a log after all."""
        if self.input_format or not self.optional:
            return self.input_format
        try:
            scores = ranked(Source(self.path))
        except LogReadError:
            return ""
        return scores[0][1] if scores and scores[0][0] >= MIN_SCORE else ""


def discover(root: str | Path) -> list[Unit]:
    """Every unit under ``root``; a file or a run folder given as root is its only unit."""
    path = Path(root)
    if not path.exists():
        raise LogReadError("no such file or folder", str(root))
    if not path.is_dir():
        return [Unit("", str(root))]
    if path.name.startswith(_VERSION_PREFIX) and (path / METRICS).is_file():
        return [Unit("", str(path / METRICS))]
    fmt = run_folder_format(path)
    if fmt is not None:
        return [Unit("", str(root), fmt or None)]
    units = sorted(_walk(path, path, set()), key=lambda u: natural_key(u.run))
    if len(units) == 1 and units[0].run == ".":     # only TensorBoard downloads: one log
        return [Unit("", str(root), units[0].input_format)]
    return units


def natural_key(name: str) -> list[tuple[int, int, str]]:
    """Sort key that puts run2 before run10: runs of digits compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in _DIGITS.split(name) if part]


def run_folder_format(folder: Path) -> str | None:
    """The format of a folder that is one run, by the parsers' own folder probes (highest
    priority first), else None."""
    for parser in by_priority():
        if parser.folder is not None and parser.folder(folder):
            return parser.name
    return None


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _walk(root: Path, folder: Path, seen: set[str]) -> Iterator[Unit]:
    real = os.path.realpath(folder)
    if real in seen:            # a symlink back up the tree: searched once
        return
    seen.add(real)
    exports: list[str] = []
    for name in _listing(folder):
        path = folder / name
        if name.startswith("."):
            continue
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            if name in SKIP_FOLDERS:
                continue
            yield from _folder_units(root, path, rel, seen)
        elif kind := _is_export(path):
            exports.append(kind)
        elif not _skipped(name):
            yield Unit(rel, str(path), optional=not name.lower().endswith(LOG_SUFFIXES)
                       and NAME_MARK not in name)
    if exports:
        fmt = max(_EXPORT_FORMATS, key=exports.count)
        yield Unit(folder.relative_to(root).as_posix(), str(folder), fmt)


def _folder_units(root: Path, path: Path, rel: str, seen: set[str]) -> Iterator[Unit]:
    if path.name.startswith(_VERSION_PREFIX) and (path / METRICS).is_file():
        yield Unit(rel, str(path / METRICS))     # Lightning: the version is the run
        return
    fmt = run_folder_format(path)
    if fmt is not None:
        yield Unit(rel, str(path), fmt or None)
    else:
        yield from _walk(root, path, seen)


def _is_export(path: Path) -> str:
    """'tensorboard-csv'/'-json' for a TensorBoard scalar download, else ''."""
    if path.suffix.lower() not in (".csv", ".json"):
        return ""
    try:
        source = Source(path)
        return next((f for f in _EXPORT_FORMATS if PARSERS[f].sniff(source) > 0), "")
    except LogReadError:
        return ""


def _skipped(name: str) -> bool:
    lower = name.lower()
    stem, dot, suffix = lower.rpartition(".")
    if dot and f".{suffix}" in SKIP_SUFFIXES:
        return True
    return lower.startswith(SKIP_NAMES) or lower.endswith(("~", ".tmp", ".swp", ".lock"))
