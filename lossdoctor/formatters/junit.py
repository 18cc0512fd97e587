"""JUnit XML for CI test tabs: a testsuite per log, a testcase per rule checked on each run.

A testcase fails when its diagnosis is at or above ``fail_on`` (the same rule as the exit
code); a diagnosis below it passes with its message in ``system-out``; a rule that did not
fire passes empty. So the test tab agrees with the job's exit status.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from ..records import Diagnosis
from ..report import Report, RunReport
from ..rules import RULES
from .registry import formatter


@formatter("junit", many=True)
def render(reports: list[Report], color: bool = False,
           fail_on: Iterable[str] | None = None) -> str:
    root = ET.Element("testsuites", name="lossdoctor")
    totals = [0, 0]
    for report in reports:
        suite = _suite(report, tuple(report.fail_on if fail_on is None else fail_on))
        root.append(suite)
        totals[0] += int(suite.get("tests", 0))
        totals[1] += int(suite.get("failures", 0))
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", str(sum(len(r.failures) for r in reports)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _suite(report: Report, fail_on: tuple[str, ...]) -> ET.Element:
    failing = {id(d) for d in report.failing(fail_on)}
    suite = ET.Element("testsuite", name=report.source)
    props = ET.SubElement(suite, "properties")
    for name, value in (("verdict", report.verdict if report.runs else ""),
                        ("format", report.format), ("fail-on", ",".join(fail_on))):
        ET.SubElement(props, "property", name=name, value=value)
    codes = report.checked or list(RULES)
    tests = failures = 0
    for run in report.runs:
        found = {d.code: d for d in run.diagnoses}
        for code in sorted(set(codes) | set(found)):
            case = _case(report, run, code, found.get(code), failing)
            suite.append(case)
            tests += 1
            failures += case.find("failure") is not None
    for where, message in report.failures:     # sweep runs whose log could not be read
        case = ET.SubElement(suite, "testcase", classname=report.source, name=f"read {where}")
        ET.SubElement(case, "error", message=message, type="unreadable").text = message
    tests += len(report.failures)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(report.failures)))
    suite.set("skipped", "0")
    return suite


def _case(report: Report, run: RunReport, code: str, d: Diagnosis | None,
          failing: set[int]) -> ET.Element:
    name = f"{code} {RULES[code].name if code in RULES else d.name if d else ''}".strip()
    if len(report.runs) > 1 or report.sweep:
        name += f" [run {run.run}]"
    case = ET.Element("testcase", classname=report.source, name=name)
    if d is None:
        return case
    text = "\n".join([d.message, *(f"- {a}" for a in d.actions)])
    if id(d) in failing:
        failure = ET.SubElement(case, "failure", message=d.message, type=d.severity.label)
        failure.text = text
    else:
        ET.SubElement(case, "system-out").text = f"{d.severity.label}: {text}"
    return case
