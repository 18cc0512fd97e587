"""`lossdoctor rules` and `lossdoctor explain`: the diagnoses' documentation, from the registry.

The text is each rule's docstring (symptom, likely causes, what to try) and its trend
condition, as ruff's `rule` and sqlfluff's rule docs print theirs.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from .console import user_errors
from .registry import command

if TYPE_CHECKING:
    from ..rules import Rule


@command
@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="A table with each rule's summary, or JSON.")
def rules(fmt: str) -> None:
    """List every diagnosis: code, name, default severity, trend condition, what to do."""
    from ..rules import RULES

    ordered = sorted(RULES.values(), key=lambda r: r.code)
    if fmt == "json":
        click.echo(json.dumps([_as_dict(r) for r in ordered], indent=2))
        return
    width = max(len(r.name) for r in ordered)
    for i, r in enumerate(ordered):
        if i:
            click.echo("")
        click.echo(f"{r.code}  {r.name:<{width}}  {r.severity.label}")
        click.echo(f"    {r.summary}")
        click.echo(f"    trend: {r.condition}")
        todo = remedy(r.doc)
        if todo:
            click.echo(f"    what to do: {todo}")


@command
@click.command("explain")
@click.argument("name")
def explain(name: str) -> None:
    """Print the documentation of one diagnosis, by name (overfitting) or code (LD201)."""
    from ..rules import find_rule

    with user_errors(None):
        r = find_rule(name)
    click.echo(f"{r.code} {r.name} (default severity: {r.severity.label})\n")
    click.echo(r.doc)
    click.echo(f"\nTrend condition: {r.condition}.")
    click.echo(f"\nSelect or ignore it with --select/--ignore {r.code} (or {r.code[:3]} for "
               f"its family); re-grade it in the config: severities.{r.name} = \"error\".")


def remedy(doc: str) -> str:
    """The docstring's body (after the summary line), unwrapped: causes and what to try."""
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")[1:] if p.strip()]
    return " ".join(paragraphs)


def _as_dict(r: Rule) -> dict[str, str]:
    return {"code": r.code, "name": r.name, "severity": r.severity.label,
            "summary": r.summary, "condition": r.condition, "what_to_do": remedy(r.doc),
            "doc": r.doc}
