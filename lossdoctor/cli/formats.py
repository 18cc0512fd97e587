"""`lossdoctor formats`: every log format it reads (and how it knows one) and every output."""
from __future__ import annotations

import inspect
import json

import click

from .registry import command


@command
@click.command("formats")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="A list to read, or JSON.")
def formats(fmt: str) -> None:
    """List the log formats (--input-format values): what each reads and how it is detected
    when no --input-format is given; then the output formats (--format values)."""
    from ..formatters import describe_formats
    from ..parsers import PARSERS

    inputs = [{"name": p.name, "reads": p.description, "detected": _detection(p.sniff)}
              for p in sorted(PARSERS.values(), key=lambda p: p.name)]
    outputs = [{"name": name, "writes": text} for name, text in describe_formats().items()]
    if fmt == "json":
        click.echo(json.dumps({"input": inputs, "output": outputs}, indent=2))
        return
    click.echo("Log formats (--input-format NAME; detected from the content when not given):")
    for item in inputs:
        click.echo(f"\n  {item['name']}\n    reads: {item['reads']}")
        click.echo(f"    detected by: {item['detected']}")
    click.echo("\nOutput formats (--format NAME):\n")
    width = max(len(o["name"]) for o in outputs)
    for o in outputs:
        click.echo(f"  {o['name']:<{width}}  {o['writes']}")


def _detection(sniff: object) -> str:
    """How a parser recognises its logs: the first paragraph of its sniffer's docstring."""
    doc = inspect.getdoc(sniff) or "its content"
    return " ".join(doc.split("\n\n")[0].split()).replace("``", "")
