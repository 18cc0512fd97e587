"""An MLflow tracking server, read through its documented REST API (no mlflow package needed).

Credentials the way MLflow's client takes them: ``MLFLOW_TRACKING_TOKEN`` (a bearer token)
or ``MLFLOW_TRACKING_USERNAME``/``MLFLOW_TRACKING_PASSWORD``; ``MLFLOW_HTTP_REQUEST_TIMEOUT``
(seconds, default 120). Long lists and metric histories are read page by page.
"""
from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ..errors import LogReadError
from ..parsers.mlflow import Metric
from ..parsers.mlflow_runs import RunInfo, metric

PREFIX = "mlflow+"          # mlflow+http://host:5000: a tracking server, not a file over HTTP
API = "/api/2.0/mlflow/"
PAGE = 1000                 # runs / experiments per page
HISTORY_PAGE = 25000        # the server's largest page of a metric history
DEFAULT_TIMEOUT = 120.0


class RestStore:
    """The experiments, runs and metric histories of one tracking server."""

    def __init__(self, url: str) -> None:
        base = url[len(PREFIX):] if url.startswith(PREFIX) else url
        self.base = base.rstrip("/")
        self.uri = PREFIX + self.base
        self.where = self.base
        self.timeout = float(os.environ.get("MLFLOW_HTTP_REQUEST_TIMEOUT") or DEFAULT_TIMEOUT)
        self._experiments: dict[str, str] | None = None
        self._keys: dict[str, list[str]] = {}

    # ------------------------------------------------------------ HTTP
    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        token = os.environ.get("MLFLOW_TRACKING_TOKEN")
        user = os.environ.get("MLFLOW_TRACKING_USERNAME")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif user:
            pair = f"{user}:{os.environ.get('MLFLOW_TRACKING_PASSWORD', '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def call(self, endpoint: str, body: dict[str, Any] | None = None,
             query: dict[str, Any] | None = None) -> dict[str, Any]:
        """One API call: POST ``body`` or GET ``query``; every failure is one LogReadError."""
        url = self.base + API + endpoint
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, headers=self._headers(),
                                         method="POST" if data is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, endpoint) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LogReadError(f"cannot reach the MLflow tracking server ({reason})",
                               self.where, "is the server running? check --tracking-uri "
                               "or MLFLOW_TRACKING_URI") from None
        try:
            out = json.loads(raw)
        except ValueError:
            raise LogReadError(f"not an MLflow tracking server (the answer to {endpoint} is "
                               "not JSON)", self.where) from None
        if not isinstance(out, dict):
            raise LogReadError(f"unexpected answer to {endpoint}", self.where)
        return out

    def _http_error(self, exc: urllib.error.HTTPError, endpoint: str) -> LogReadError:
        if exc.code in (401, 403):
            return LogReadError(f"the tracking server refused access (HTTP {exc.code})",
                                self.where, "set MLFLOW_TRACKING_TOKEN, or "
                                "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")
        try:
            said = json.loads(exc.read()).get("message", "")
        except (ValueError, AttributeError, OSError):
            said = ""
        if exc.code in (404, 405, 501) and not said:
            return LogReadError(f"not an MLflow tracking server (HTTP {exc.code} for "
                                f"{API}{endpoint})", self.where)
        return LogReadError(f"the tracking server answered HTTP {exc.code} to {endpoint}"
                            + (f": {said}" if said else ""), self.where)

    def _pages(self, endpoint: str, body: dict[str, Any], key: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token = None
        while True:
            answer = self.call(endpoint, {**body, **({"page_token": token} if token else {})})
            out += answer.get(key, [])
            token = answer.get("next_page_token")
            if not token:
                return out

    # ------------------------------------------------------------ the store
    def experiments(self) -> dict[str, str]:
        if self._experiments is None:
            found = self._pages("experiments/search", {"max_results": PAGE,
                                                       "view_type": "ACTIVE_ONLY"}, "experiments")
            self._experiments = {e["experiment_id"]: e.get("name", "") for e in found}
        return self._experiments

    def _info(self, run: dict[str, Any]) -> RunInfo:
        info = run.get("info", {})
        run_id = info.get("run_id") or info.get("run_uuid", "")
        self._keys[run_id] = sorted({m["key"] for m in run.get("data", {}).get("metrics", [])})
        exp = str(info.get("experiment_id", ""))
        return RunInfo(run_id, info.get("run_name", ""), self.experiments().get(exp, exp), exp)

    def runs(self) -> list[RunInfo]:
        ids = list(self.experiments())
        out: list[RunInfo] = []
        for i in range(0, len(ids), 100):       # the API takes a bounded list of experiments
            found = self._pages("runs/search", {"experiment_ids": ids[i:i + 100],
                                                "max_results": PAGE,
                                                "run_view_type": "ACTIVE_ONLY",
                                                "order_by": ["attributes.start_time ASC"]},
                                "runs")
            out += [self._info(r) for r in found]
        return out

    def run(self, run_id: str) -> RunInfo:
        return self._info(self.call("runs/get", query={"run_id": run_id}).get("run", {}))

    def metric_keys(self, run_id: str) -> list[str]:
        if run_id not in self._keys:
            self.run(run_id)
        return self._keys[run_id]

    def history(self, run_id: str, key: str) -> Metric:
        steps, values, times = [], [], []
        token = None
        while True:
            query = {"run_id": run_id, "metric_key": key, "max_results": HISTORY_PAGE}
            answer = self.call("metrics/get-history",
                               query={**query, **({"page_token": token} if token else {})})
            for m in answer.get("metrics", []):
                steps.append(float(m.get("step", 0)))
                values.append(_number(m.get("value")))
                times.append(float(m.get("timestamp", 0)))
            token = answer.get("next_page_token")
            if not token:
                return metric(steps, values, times)


def _number(value: Any) -> float:
    """A metric value; the server writes NaN as the string or bare word ``NaN``."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
