"""lossdoctor: reads training logs and says what the train and test loss are doing."""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Monitor", "Report", "Thresholds", "compare", "diagnose", "diagnose_many", "read_log",
           "__version__"]

_LAZY = {"diagnose": "api", "read_log": "api", "Report": "report", "Thresholds": "thresholds",
         "diagnose_many": "sweep", "compare": "comparison", "Monitor": "monitor"}


def __getattr__(name: str) -> Any:
    """Import the API on first use, so `lossdoctor --version` starts instantly."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'lossdoctor' has no attribute {name!r}")
