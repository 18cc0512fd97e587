"""Following a train/test pair of growing files: each file through its own Tail, joined as
``check --train --test`` joins them, so a watched pair gets check's diagnosis at every look
while only what each file appended is parsed."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .tailing import Tail

if TYPE_CHECKING:
    from .config import Settings
    from .report import Report


class PairTail:
    """The two files of a pair, each tailed with the reading options ``check`` gives it."""

    def __init__(self, train: str | Path, test: str | Path, settings: Settings) -> None:
        from .parsers import ReadOptions, pair_options

        both = ReadOptions(train_col=settings.train_col, test_col=settings.test_col,
                           segments=settings.segments or "last")
        train_options, test_options = pair_options(both)
        self.settings = settings
        self.names = (train, test)          # as given: the report's source is check's
        self.train = Tail(train, settings, train_options)
        self.test = Tail(test, settings, test_options)

    def close(self) -> None:
        self.train.close()
        self.test.close()

    def __enter__(self) -> PairTail:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def report(self) -> Report:
        """The diagnosis of both files' complete lines; raises LogReadError while either is
        not ready."""
        from .checking import diagnose_parsed
        from .parsers import join_pair

        joined = join_pair(self.train.current(), self.test.current(), *self.names)
        return diagnose_parsed(joined, self.settings)
