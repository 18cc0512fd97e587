"""Moved to ``lossdoctor.columns`` (the frame uses it too); kept for branches in flight."""
from ..columns import *  # noqa: F403
from ..columns import _did_you_mean, _short  # noqa: F401
