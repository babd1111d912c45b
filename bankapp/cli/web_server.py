"""The web server behind `bankapp serve`: textual-serve, with the websocket that drives a
session accepted only from the page's own origin.

Browsers send an `Origin` header on a websocket handshake but do not stop a page on another
site from opening one to 127.0.0.1 (cross-site websocket hijacking), so the server checks it:
only the origin of the public URL (scheme, host and port) may drive the bank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PAGE = Path(__file__).parent / "serve_page"  # app_index.html: no request leaves the machine


def origin_of(url: str) -> str:
    """`https://bank.example:8443/path` → `https://bank.example:8443`; default ports dropped,
    as browsers write them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_allowed(origin: str | None, public_url: str) -> bool:
    return origin is not None and origin.strip().lower() == origin_of(public_url)


def make_server(command: str, *, host: str, port: int, title: str, public_url: str | None) -> Any:
    """A textual-serve server for `command` that refuses foreign websocket origins."""
    from aiohttp import web  # the web server is imported only when serving
    from textual_serve.server import Server

    class BankServer(Server):
        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            if not origin_allowed(request.headers.get("Origin"), self.public_url):
                raise web.HTTPForbidden(text="This page may only be driven from its own address.")
            return await super().handle_websocket(request)

    import textual_serve

    return BankServer(
        command,
        host=host,
        port=port,
        title=title,
        public_url=public_url,
        # textual-serve's own assets (its JS and the font files), with bankapp's page: the
        # stock page loads its font from fonts.googleapis.com.
        statics_path=Path(textual_serve.__file__).parent / "static",
        templates_path=PAGE,
    )
