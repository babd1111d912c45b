"""End to end: `bankapp serve` in headless Chromium; a demo customer signs in and sees a balance."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bankapp.demo.logins import DEMO_PASSWORD
from tests.e2e.cdp import devtools_port, launch_chromium, open_page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "browser-dashboard.png"
CHROMIUM = "/usr/bin/chromium"
INSTALL_TRIED: list[str] = []

pytestmark = pytest.mark.slow


def _may_install() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("BANKAPP_INSTALL_CHROMIUM") == "1"


def _install_chromium() -> str:
    """Try `apt-get install -y chromium` once per session; the output tail, for a skip reason."""
    if not INSTALL_TRIED:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = "apt-get install -y -q chromium"
        command = f"{install} || (apt-get update -q && {install})"
        done = subprocess.run(
            ["sh", "-c", command], env=env, capture_output=True, text=True, timeout=900
        )
        INSTALL_TRIED.append((done.stdout + done.stderr)[-300:])
    return INSTALL_TRIED[0]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; installed here when CI=true or BANKAPP_INSTALL_CHROMIUM=1, else skip."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if not _may_install():
        pytest.skip(
            "Chromium is not installed: `apt-get install chromium`, or set "
            "BANKAPP_INSTALL_CHROMIUM=1 to let this test install it"
        )
    if os.geteuid() != 0:
        pytest.skip("Chromium is not installed and installing it needs root")
    output = _install_chromium()
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium could not be installed: {output}")
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"bankapp serve exited early:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"bankapp serve did not listen on {port}:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    """`bankapp serve` over a fresh demo database, on a free localhost port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANKAPP_")}
    env |= {
        "BANKAPP_LOG_DIR": str(tmp_path / "logs"),
        "BANKAPP_CONFIG": str(tmp_path / "config.toml"),
    }
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    bankapp = [sys.executable, "-m", "bankapp", "--db", url]
    demo = subprocess.run([*bankapp, "demo"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert demo.returncode == 0, f"bankapp demo failed: {demo.stderr}"
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*bankapp, "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_port(port, server, log, timeout=60)
        yield port
    finally:
        _stop(server)


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[int]:
    """Headless Chromium with a new profile; yields its DevTools port."""
    profile = tmp_path / "profile"
    profile.mkdir()
    process = launch_chromium(chromium, profile, (1280, 800))
    try:
        yield devtools_port(profile, process, timeout=60)
    finally:
        _stop(process)


async def _sign_in_and_capture(browser_port: int, app_port: int) -> tuple[str, bytes, list[str]]:
    async with aiohttp.ClientSession() as session:
        page = await open_page(session, browser_port)
        try:
            await page.send("Page.navigate", url=f"http://127.0.0.1:{app_port}/?fontsize=14")
            await page.wait_for_text("Username", timeout=60)
            await page.send(
                "Runtime.evaluate",
                expression="document.querySelector('.xterm-helper-textarea').focus()",
            )
            # Each step waits for the app to echo it, so no key overtakes a focus change.
            await page.type_text("alice")
            await page.wait_for_text("alice ", timeout=30)
            before_tab = len(page.received)
            await page.press("Tab")
            # Once the password field has the focus, the cursor is drawn on its placeholder's
            # first letter: "p", a change of style, then "assword".
            await page.wait_for_bytes(rb"p(?:\x1b\[[0-9;]*m)+assword", timeout=30, since=before_tab)
            await page.type_text(DEMO_PASSWORD)
            await page.wait_for_text("•" * len(DEMO_PASSWORD), timeout=30)
            await page.press("Enter")
            await page.wait_for_text("Your accounts", timeout=60)
            found = await page.wait_for_text(r"Total \$[0-9,]+\.[0-9]{2}", timeout=30)
            # Let the browser paint what it received before the picture is taken.
            await page.send(
                "Runtime.evaluate",
                awaitPromise=True,
                expression=(
                    "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                ),
            )
            return found.group(0), await page.screenshot(), page.requested
        finally:
            await page.close()


def test_a_demo_customer_signs_in_through_the_browser_and_sees_a_balance(
    served: int, browser: int, tmp_path: Path
) -> None:
    """Browser keys reach the app, and the dashboard it draws reaches the browser."""
    total, png, requested = asyncio.run(_sign_in_and_capture(browser, served))
    assert total.startswith("Total $")
    # Other hosts do not resolve in this browser; the page needed none of them.
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:"))
    ]
    assert elsewhere == [], elsewhere
    assert any(url.endswith(".ttf") for url in requested), requested  # the font, served here
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.width >= 1000 and image.height >= 600
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20, "the screenshot is blank"
    (tmp_path / "browser-dashboard.png").write_bytes(png)
    if os.environ.get("BANKAPP_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "browser-dashboard.png", SCREENSHOT)
