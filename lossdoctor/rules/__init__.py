"""Diagnoses: importing the rule families fills the registry."""
from __future__ import annotations

from . import data, divergence, evidence, health, instability  # noqa: F401  (registration)
from .context import RunContext
from .registry import RULES, Rule, find_rule

__all__ = ["RULES", "Rule", "RunContext", "find_rule", "select_rules"]


def select_rules(select=None, ignore=None) -> list[Rule]:
    """Rules chosen by codes, code prefixes or names; ``ignore`` wins over ``select``."""
    def matches(r: Rule, keys) -> bool:
        for k in keys:
            k = k.strip()
            if r.name == k.lower() or r.code.lower().startswith(k.lower()):
                return True
        return False

    for k in list(select or []) + list(ignore or []):
        if not any(matches(r, [k]) for r in RULES.values()):
            find_rule(k)   # raises with "did you mean"
    chosen = [r for r in RULES.values() if not select or matches(r, select)]
    return [r for r in chosen if not ignore or not matches(r, ignore)]
