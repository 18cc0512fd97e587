"""The colours of curves, trend directions and severities, shared by plots and HTML."""
from __future__ import annotations

from .records import Direction, Severity

SPLIT_COLORS = {"train": "#1f5fbf", "test": "#e07000"}
DIRECTION_COLORS = {Direction.FALLING: "#2ca25f", Direction.FLAT: "#9e9e9e",
                    Direction.RISING: "#de2d26"}
SEVERITY_COLORS = {Severity.INFO: "#2e7d32", Severity.WARNING: "#b35c00",
                   Severity.ERROR: "#c62828"}
