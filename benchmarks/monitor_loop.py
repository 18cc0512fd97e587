"""A training loop that only logs: the Monitor's cost per log call and per diagnosis.

    python benchmarks/monitor_loop.py STEPS {monitor,bare} [TEST_EVERY]

Makes a train loss every step (a falling curve with minibatch noise) and a test loss every
TEST_EVERY steps (1000); with ``monitor`` each is logged, with ``bare`` the same loop runs
without the log call (the reference). Prints JSON: the loop's seconds, and with
``monitor`` the best-of-5 time of one diagnosis after 1,000 steps and at the end, the
number of diagnoses the loop ran and the points the Monitor keeps. lossdoctor's modules
are imported before the loop (a one-off cost of the first diagnosis, not of a log call).
"""
from __future__ import annotations

import json
import math
import random
import sys
import time


def diagnosis_seconds(monitor, repeat: int = 5) -> float:
    """One full diagnosis of everything logged (report(since=0) re-runs it, uncached)."""
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        monitor.report(since=0.0)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    steps, mode = int(sys.argv[1]), sys.argv[2]
    test_every = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rnd = random.Random(0)
    out: dict[str, float] = {}
    if mode == "monitor":
        from lossdoctor import Monitor

        warm = Monitor()                    # imports once, as any first diagnosis does
        for i in range(20):
            warm.log(i, train_loss=1.0 / (i + 1))
        warm.report()
        monitor = Monitor()
        log = monitor.log
    else:
        def log(step, train_loss=None, test_loss=None, lr=None):  # noqa: ANN001, ANN202
            return None
    scale = 5.0 / steps
    t0 = time.perf_counter()
    for i in range(steps):
        level = 2.0 * math.exp(-scale * i) + 0.05
        if i % test_every == 0:
            log(i, train_loss=level + 0.03 * rnd.random(), test_loss=level + 0.1)
        else:
            log(i, train_loss=level + 0.03 * rnd.random())
        if i == 999 and mode == "monitor":
            pause = time.perf_counter()
            out["diagnosis_1k"] = diagnosis_seconds(monitor)
            t0 += time.perf_counter() - pause          # not part of the loop's time
    out["loop"] = time.perf_counter() - t0
    if mode == "monitor":
        out["diagnosis_end"] = diagnosis_seconds(monitor)
        out["diagnoses"] = monitor.diagnoses - 10           # the timed ones excluded
        out["kept"] = sum(c.n + len(c.bad) for c in monitor.curves.values())
        out["verdict"] = monitor.report().verdict           # type: ignore[assignment]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
