"""A small Chrome DevTools Protocol client over aiohttp: enough to drive headless Chromium."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    # Only this machine answers: a page that needs another host (a web font, say) breaks.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
ANSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
KEYS = {"Enter": 13, "Tab": 9, "Escape": 27}


def launch_chromium(
    executable: str, profile: Path, size: tuple[int, int]
) -> subprocess.Popen[bytes]:
    """Start headless Chromium with a fresh profile; its DevTools port appears in the profile."""
    args = [
        executable,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        "about:blank",
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def devtools_port(profile: Path, process: subprocess.Popen[bytes], timeout: float) -> int:
    """The port Chromium chose, read from the DevToolsActivePort file it writes at start-up."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Chromium exited with status {process.returncode}")
        if marker.exists() and (lines := marker.read_text().splitlines()):
            return int(lines[0])
        time.sleep(0.05)
    raise TimeoutError("Chromium did not open its DevTools port")


class Page:
    """One browser tab: send commands, collect events, watch what a page's websockets receive."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.listeners: list[Callable[[str, dict[str, Any]], None]] = []
        self.received = bytearray()
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())
        self.requested: list[str] = []  # every URL the page asked for
        self.listeners.append(self._collect_frames)
        self.listeners.append(self._collect_requests)

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and (future := self.replies.pop(data["id"], None)) is not None:
                if "error" in data:
                    future.set_exception(RuntimeError(f"CDP error: {data['error']}"))
                else:
                    future.set_result(data.get("result", {}))
            elif "method" in data:
                for listener in self.listeners:
                    listener(data["method"], data.get("params", {}))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies[call_id] = future
        await self.ws.send_json({"id": call_id, "method": method, "params": params})
        return await asyncio.wait_for(future, timeout=30)

    def _collect_frames(self, method: str, params: dict[str, Any]) -> None:
        if method != "Network.webSocketFrameReceived":
            return
        frame = params["response"]
        payload = frame["payloadData"]
        self.received += base64.b64decode(payload) if frame["opcode"] == 2 else payload.encode()
        self.changed.set()

    def _collect_requests(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.requestWillBeSent":
            self.requested.append(params["request"]["url"])

    def terminal_text(self, since: int = 0) -> str:
        """What the terminal received (from byte `since` on), without escape sequences."""
        return ANSI.sub(b"", bytes(self.received[since:])).decode("utf-8", "replace")

    async def wait_for_text(self, pattern: str, timeout: float, since: int = 0) -> re.Match[str]:
        """Wait until the terminal stream (from byte `since` on) shows text matching `pattern`."""
        found = await self._wait(lambda: re.search(pattern, self.terminal_text(since)), timeout)
        if found is None:
            tail = self.terminal_text(since)[-600:]
            raise TimeoutError(f"{pattern!r} never appeared; the terminal last showed {tail!r}")
        return found

    async def wait_for_bytes(self, pattern: bytes, timeout: float, since: int = 0) -> None:
        """Wait until the raw stream, escape sequences included, matches `pattern`."""
        if await self._wait(lambda: re.search(pattern, self.received[since:]), timeout) is None:
            raise TimeoutError(f"{pattern!r} never appeared in the terminal stream")

    async def _wait(self, probe: Callable[[], Any], timeout: float) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while not (found := probe()):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)
        return found

    async def type_text(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def press(self, key: str) -> None:
        """A special key; `rawKeyDown` carries no text, so xterm.js sends the key's own code."""
        common = {"key": key, "code": key, "windowsVirtualKeyCode": KEYS[key]}
        await self.send("Input.dispatchKeyEvent", type="rawKeyDown", **common)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    async def screenshot(self) -> bytes:
        shot = await self.send("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()


async def open_page(session: aiohttp.ClientSession, port: int) -> Page:
    """Attach to the first tab of the Chromium listening on `port`."""
    async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
        targets = await response.json()
    [target, *_] = [t for t in targets if t["type"] == "page"]
    ws = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
    page = Page(ws)
    await page.send("Network.enable")
    await page.send("Page.enable")
    return page
