"""`bankapp serve`: loopback by default, an explicit flag and a warning for any other address."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import pytest

from bankapp.cli import main as cli
from bankapp.cli.serve import EXPOSE_FLAG, app_command, is_loopback


class FakeServer:
    """Stands in for textual-serve's Server and records how it was built."""

    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, command: str, **options: Any) -> None:
        self.made.append({"command": command, **options})

    def serve(self) -> None:
        return None


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    monkeypatch.delenv("BANKAPP_DATABASE_URL", raising=False)
    return FakeServer.made


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    assert cli.main(["--db", url, "init"]) == 0
    return url


def test_serve_listens_on_loopback_by_default_and_passes_the_database_to_sessions(
    fake_server: list[dict[str, Any]], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", demo_url, "serve", "--port", "8123"]) == 0
    [made] = fake_server
    assert made["host"] == "127.0.0.1"
    assert made["port"] == 8123
    assert made["command"].endswith("-m bankapp")
    assert os.environ["BANKAPP_DATABASE_URL"] == demo_url
    assert "WARNING" not in capsys.readouterr().err


def test_serve_refuses_a_network_address_without_the_explicit_flag(
    fake_server: list[dict[str, Any]], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", demo_url, "serve", "--host", "0.0.0.0"]) == cli.EXIT_ERROR
    assert fake_server == []
    err = capsys.readouterr().err
    assert "Refusing to listen on 0.0.0.0" in err
    assert EXPOSE_FLAG in err


def test_serve_on_a_network_address_with_the_flag_prints_a_warning(
    fake_server: list[dict[str, Any]], demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--db", demo_url, "serve", "--host", "0.0.0.0", EXPOSE_FLAG]) == 0
    assert fake_server[0]["host"] == "0.0.0.0"
    err = capsys.readouterr().err
    assert "WARNING" in err and "plain HTTP" in err


def test_serve_reports_a_missing_database_before_starting(
    fake_server: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    assert cli.main(["--db", url, "serve"]) == cli.EXIT_ERROR
    assert fake_server == []
    assert capsys.readouterr().err.startswith("bankapp: ")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("bank.example", False),
    ],
)
def test_only_loopback_addresses_count_as_local(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_session_command_runs_this_interpreter() -> None:
    assert app_command("/opt/my python/bin/python") == "'/opt/my python/bin/python' -m bankapp"


# -- the websocket only from the page's own origin (cross-site websocket hijacking) ----------


def test_the_origin_of_a_public_url_is_its_scheme_host_and_port() -> None:
    from bankapp.cli.web_server import origin_allowed, origin_of

    assert origin_of("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert origin_of("https://Bank.Example/teller/") == "https://bank.example"
    assert origin_of("https://bank.example:443") == "https://bank.example"
    assert origin_allowed("http://127.0.0.1:8000", "http://127.0.0.1:8000")
    assert not origin_allowed("http://localhost:8000", "http://127.0.0.1:8000")
    assert not origin_allowed("http://127.0.0.1:8000.evil.example", "http://127.0.0.1:8000")
    assert not origin_allowed(None, "http://127.0.0.1:8000")


class IdleAppService:
    """Stands in for the per-browser UI process: the handshake is what these tests test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    async def start(self, width: int, height: int) -> None:
        return None

    async def stop(self) -> None:
        return None


def _handshake(origin: str | None) -> int:
    """Open the session websocket with this Origin header; the HTTP status it got."""
    import asyncio

    import textual_serve.server
    from aiohttp import WSServerHandshakeError
    from aiohttp.test_utils import TestClient, TestServer

    from bankapp.cli.web_server import make_server

    server = make_server("bankapp", host="127.0.0.1", port=8123, title="bankapp", public_url=None)

    async def connect() -> int:
        async with TestClient(TestServer(await server._make_app())) as client:
            headers = {"Origin": origin} if origin is not None else {}
            try:
                socket = await client.ws_connect("/ws", headers=headers)
            except WSServerHandshakeError as refused:
                return refused.status
            await socket.close()
            return 101

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textual_serve.server, "AppService", IdleAppService)
        return asyncio.run(asyncio.wait_for(connect(), timeout=30))


def test_a_page_on_another_site_cannot_open_the_session_websocket() -> None:
    assert _handshake("https://evil.example") == 403
    assert _handshake("http://127.0.0.1:8124") == 403  # another port is another origin
    assert _handshake(None) == 403


def test_the_page_served_by_bankapp_itself_opens_it() -> None:
    assert _handshake("http://127.0.0.1:8123") == 101


def test_the_served_page_makes_no_request_to_another_host() -> None:
    """Every stylesheet, script and font the page names comes from the bankapp server itself
    (the stock textual-serve page loads its font from fonts.googleapis.com)."""
    import asyncio
    import re

    from aiohttp.test_utils import TestClient, TestServer

    from bankapp.cli.web_server import make_server

    async def fetch() -> tuple[str, list[int]]:
        server = make_server(
            "true", host="127.0.0.1", port=8000, title="Bank", public_url="http://127.0.0.1:8000"
        )
        async with TestClient(TestServer(await server._make_app())) as client:
            page = await (await client.get("/")).text()
            assets = re.findall(r'(?:href|src)="([^"]+)"|url\("([^"]+)"\)', page)
            statuses = []
            for pair in assets:
                url = next(part for part in pair if part)
                if url.startswith("http://127.0.0.1:8000/"):
                    url = url.removeprefix("http://127.0.0.1:8000")
                statuses.append((await client.get(url)).status)
            return page, statuses

    page, statuses = asyncio.run(fetch())
    foreign = [
        url
        for url in re.findall(r"https?://[^\s\"')]+", page)
        if not url.startswith(("http://127.0.0.1:8000", "http://www.w3.org/2000/svg"))
    ]
    assert foreign == [], foreign
    assert "RobotoMono-VariableFont_wght.ttf" in page
    assert statuses and all(status == 200 for status in statuses), statuses
