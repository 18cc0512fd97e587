"""The evidence keys that views read (the plot's marks, the rules' own cross-checks): named
once, so renaming one is an error mypy reports in every writer and reader, not a plot mark
that silently disappears. The JSON output shows them as they are spelled here."""
from __future__ import annotations

from typing import Final

#: overfitting: the smoothed test loss at its lowest (step, value); the plot stars it
TEST_BEST_STEP: Final = "test_best_step"
TEST_BEST_VALUE: Final = "test_best_value"
#: lr_too_high: the steps of the spikes counted (the first 20); the plot marks each one
SPIKE_STEPS: Final = "spike_steps"
#: lr_too_high: how many spikes; a spiky run yields its verdict to a strong overfitting
SPIKE_COUNT: Final = "spike_count"
