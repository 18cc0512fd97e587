"""The rule registry: each diagnosis is one function registered under a code and a name."""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UsageError, close_matches
from ..records import Diagnosis, Finding, Severity
from ..thresholds import Thresholds
from .context import RunContext

#: a rule's logic: the facts of what it found, or None; ``@rule`` gives the name and grade
Check = Callable[[RunContext, Thresholds], "Finding | None"]


@dataclass(frozen=True)
class Rule:
    """A diagnosis the engine can make; its docstring is its user documentation."""

    code: str
    name: str
    severity: Severity
    priority: int            # lower acts first when several fire: picks the verdict
    condition: str           # the trend condition, in words, for `lossdoctor rules`
    check: Check

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    def diagnose(self, ctx: RunContext, th: Thresholds) -> Diagnosis | None:
        """Run the check; what it found, named, coded and graded by this registration."""
        found = self.check(ctx, th)
        return None if found is None else self.diagnosis(found)

    def diagnosis(self, found: Finding) -> Diagnosis:
        """A finding as this rule's Diagnosis: the rule's name, code and severity stamped."""
        return Diagnosis(self.name, self.severity, found.text, found.start_step,
                         found.end_step, found.evidence, found.advice, code=self.code,
                         yields_to=found.yields_to, confidence=found.confidence)


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, priority: int, condition: str
         ) -> Callable[[Check], Check]:
    """Register a check; a duplicate code or name fails loudly at import."""
    def wrap(check: Check) -> Check:
        if code in RULES or any(r.name == name for r in RULES.values()):
            raise RuntimeError(f"rule {code} {name} registered twice")
        RULES[code] = Rule(code, name, severity, priority, condition, check)
        return check
    return wrap


def find_rule(key: str) -> Rule:
    """A rule by code (LD201) or name (overfitting), case-insensitive."""
    k = key.strip()
    for r in RULES.values():
        if r.code.lower() == k.lower() or r.name == k.lower():
            return r
    options = [r.name for r in RULES.values()] + [r.code for r in RULES.values()]
    close = close_matches(k, options, n=1)
    raise UsageError(f"unknown diagnosis {key!r}", None,
                     f"did you mean {close[0]!r}?" if close else
                     f"known: {', '.join(sorted(r.name for r in RULES.values()))}")
