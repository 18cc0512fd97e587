"""The package's version, in a leaf module: the CLI and the SARIF output read it without
running the package's ``__init__`` (which reaches the API and its views)."""
from __future__ import annotations

__version__ = "0.1.0"
