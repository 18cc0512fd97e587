"""Headless Chromium over the DevTools protocol on a pipe (no extra packages): load a page,
collect its console errors, failed or remote requests, and take a phone-sized screenshot."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-pipe"]


def find_chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Chromium:
    """One browser process; ``call`` sends a command and returns its result, keeping events."""

    def __init__(self, exe: str, profile: Path, timeout: float = 30.0) -> None:
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        # high copies, so the child's dup2 to fds 3 and 4 cannot clobber one with the other
        a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 20)
        b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 20)

        def wire() -> None:
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [exe, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)   # every other fd of ours is close-on-exec
        for fd in (to_chrome_r, from_chrome_w, a, b):
            os.close(fd)
        self.timeout = timeout
        self.events: list[dict] = []
        self._buf = b""
        self._id = 0

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise ConnectionError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: str | None = None, **params: object) -> dict:
        self._id += 1
        msg: dict = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._w)
        os.close(self._r)


def load_page(exe: str, page: Path, profile: Path, width: int = 412, height: int = 900
              ) -> dict:
    """Open a local page at a phone's size: errors, request URLs, page width and a PNG."""
    browser = Chromium(exe, profile)
    try:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        sid = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", sid)
        browser.call("Emulation.setDeviceMetricsOverride", sid, width=width, height=height,
                     deviceScaleFactor=1, mobile=True)
        browser.call("Page.navigate", sid, url=page.resolve().as_uri())
        browser.wait_for("Page.loadEventFired")
        sizes = browser.call("Runtime.evaluate", sid, returnByValue=True, expression=(
            "JSON.stringify({scroll: document.documentElement.scrollWidth,"
            " inner: window.innerWidth, svgs: document.querySelectorAll('svg').length,"
            " svgWidth: Math.max(0, ...[...document.querySelectorAll('svg')]"
            ".map(s => s.getBoundingClientRect().width))})"))["result"]["value"]
        shot = browser.call("Page.captureScreenshot", sid, format="png")["data"]
        events = list(browser.events)
    finally:
        browser.close()
    return {"errors": _errors(events), "sizes": json.loads(sizes),
            "requests": [e["params"]["request"]["url"] for e in events
                         if e.get("method") == "Network.requestWillBeSent"],
            "png": base64.b64decode(shot)}


def _errors(events: list[dict]) -> list[str]:
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.exceptionThrown":
            out.append(str(p.get("exceptionDetails", {}).get("text")))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append(" ".join(str(a.get("value")) for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append(str(p["entry"].get("text")))
        elif m == "Network.loadingFailed":
            out.append(f"request failed: {p.get('errorText')}")
    return out
