"""Drive headless Chromium over the DevTools protocol on a pipe, with the standard library only.

One launch loads the pages, each in its own tab, and gives back what the browser saw of each: a
screenshot, the page printed to PDF, every console message, log entry and uncaught exception,
every network request, and the answers to a few questions asked of the rendered document. No
port is opened (the protocol runs over file descriptors 3 and 4, ``--remote-debugging-pipe``)
and nothing reaches the network.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The flags a root user on a closed network needs: no sandbox (root), no GPU, and nothing that
# phones home (QUIC, background networking, component updates, sync). The docs' screenshot
# script launches Chromium with these too (docs/make_report_screenshots.py).
CLOSED_NETWORK = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
WIDTH, HEIGHT = 1200, 2000
FLAGS = (*CLOSED_NETWORK, f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-pipe")
TIMEOUT_S = 60.0

# Questions asked of the rendered page (the page itself runs no script).
PROBES = {
    "scripts": "document.scripts.length",
    "charts": "document.querySelectorAll('svg[role=img]').length",
    # every chart laid out at a readable size, and every glyph it uses found on the page
    "chart_widths": "Array.from(document.querySelectorAll('svg[role=img]'))"
    ".map(s => Math.round(s.getBoundingClientRect().width))",
    "unresolved_uses": "Array.from(document.querySelectorAll('svg use'))"
    ".filter(u => !document.getElementById((u.getAttribute('href') || '#').slice(1))).length",
    "text_length": "document.body.innerText.length",
    "h1": "document.querySelector('h1') && document.querySelector('h1').innerText",
}


def executable() -> str | None:
    """The Chromium on the PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Rendered:
    """What the browser made of one page."""

    screenshot_png: bytes
    pdf: bytes
    console: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    probes: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """Console errors, error log entries and uncaught exceptions, as text."""
        out = [
            f"console.{m['type']}: {[a.get('value', a.get('description')) for a in m['args']]}"
            for m in self.console
            if m["type"] in ("error", "assert")
        ]
        out += [f"log {e['source']}: {e['text']} {e.get('url', '')}" for e in self.log]
        out += [f"exception: {e['exceptionDetails'].get('text')}" for e in self.exceptions]
        return out


class _Pipe:
    """The DevTools protocol over two pipes: JSON messages, each ended by a NUL byte."""

    def __init__(self, to_browser: int, from_browser: int, process: subprocess.Popen[bytes]):
        self._out, self._in, self._process = to_browser, from_browser, process
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        def wanted(event: dict[str, Any]) -> bool:
            return event.get("method") == method and event.get("sessionId") == session

        for event in self.events:
            if wanted(event):
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if wanted(event):
                return event

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._in], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"no answer from Chromium within {TIMEOUT_S:.0f} s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                code = self._process.poll()
                raise RuntimeError(f"Chromium closed the pipe (exit code {code})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))


def _launch(binary: str, profile: str) -> tuple[subprocess.Popen[bytes], _Pipe]:
    # Chromium reads commands from fd 3 and writes answers to fd 4.
    commands_r, commands_w = os.pipe()
    answers_r, answers_w = os.pipe()

    def wire() -> None:
        # In the child, before exec: move the pipe ends out of the way (one may sit on 3 or 4),
        # then onto 3 and 4. dup2 leaves them inheritable; every other descriptor Python opened
        # is not (PEP 446), so nothing else leaks into the browser.
        high_r = fcntl.fcntl(commands_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(answers_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.dup2(high_r, 3)
        os.dup2(high_w, 4)

    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # close_fds would run after wire() and close 3 and 4 again
        close_fds=False,
        preexec_fn=wire,
    )
    os.close(commands_r)
    os.close(answers_w)
    return process, _Pipe(commands_w, answers_r, process)


def render(*pages: Path, binary: str | None = None) -> list[Rendered]:
    """Load each page in its own tab of one fresh headless Chromium and record what it saw."""
    binary = binary or executable()
    if binary is None:
        raise FileNotFoundError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="ew-chromium-") as profile:
        process, pipe = _launch(binary, profile)
        try:
            return [_visit(pipe, page.resolve().as_uri()) for page in pages]
        finally:
            with contextlib.suppress(OSError, RuntimeError, TimeoutError):
                pipe.send("Browser.close")
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _visit(pipe: _Pipe, url: str) -> Rendered:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()  # only what the page itself does counts
    pipe.send("Page.navigate", {"url": url}, session=session)
    pipe.wait_for("Page.loadEventFired", session)
    probes = {
        name: pipe.send(
            "Runtime.evaluate", {"expression": js, "returnByValue": True}, session=session
        )["result"].get("value")
        for name, js in PROBES.items()
    }
    shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
    pdf = pipe.send(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session=session
    )
    pipe.send("Target.closeTarget", {"targetId": target})
    mine = [e for e in pipe.events if e.get("sessionId") == session]

    def params(method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in mine if e.get("method") == method]

    return Rendered(
        screenshot_png=base64.b64decode(shot["data"]),
        pdf=base64.b64decode(pdf["data"]),
        console=params("Runtime.consoleAPICalled"),
        log=[p["entry"] for p in params("Log.entryAdded") if p["entry"]["level"] == "error"],
        exceptions=params("Runtime.exceptionThrown"),
        requests=[p["request"]["url"] for p in params("Network.requestWillBeSent")],
        probes=probes,
    )
