"""lossdoctor: reads training logs and says what the train and test loss are doing."""
from __future__ import annotations

__version__ = "0.1.0"
