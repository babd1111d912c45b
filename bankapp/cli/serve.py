"""`bankapp serve`: the terminal UI in a web browser through textual-serve, localhost by default."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys
from typing import TextIO

from bankapp.errors import ValidationFailed

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
EXPOSE_FLAG = "--expose-login-to-network"


def add_serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `bankapp serve` and its options on the CLI's sub-command parser."""
    serve = sub.add_parser(
        "serve", help="serve the terminal UI to a web browser (127.0.0.1 only by default)"
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}); any address other "
        f"than loopback also needs {EXPOSE_FLAG}",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL browsers use to reach this server, when it differs from "
        "http://HOST:PORT (e.g. behind a TLS reverse proxy)",
    )
    serve.add_argument(
        EXPOSE_FLAG,
        dest="expose",
        action="store_true",
        help="allow a non-loopback --host: anyone who can reach the port reaches "
        "the sign-in screen, over unencrypted HTTP",
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str, *, expose: bool) -> None:
    """Refuse a non-loopback address unless the operator said they mean it."""
    if not is_loopback(host) and not expose:
        raise ValidationFailed(
            f"Refusing to listen on {host}: anyone who can reach it would reach the sign-in "
            f"screen. Add {EXPOSE_FLAG} if that is what you want, or keep the default "
            f"{DEFAULT_HOST} and tunnel to it (ssh -L {DEFAULT_PORT}:127.0.0.1:{DEFAULT_PORT} ...)."
        )


def network_warning(host: str, port: int) -> str:
    return (
        f"WARNING: bankapp is listening on {host}:{port}. Anyone who can reach this address "
        "reaches the sign-in screen, and the traffic (passwords included) is plain HTTP. "
        "Put it behind a TLS reverse proxy or an SSH tunnel, and firewall the port."
    )


def app_command(python: str = sys.executable) -> str:
    """The shell command textual-serve runs for each browser session: this bankapp's UI."""
    return f"{shlex.quote(python)} -m bankapp"


def cmd_serve(args: argparse.Namespace, url: str, *, out: TextIO | None = None) -> int:
    """Check the address and the database, then serve until interrupted."""
    out = out or sys.stderr
    check_host(args.host, expose=args.expose)
    if not 0 < args.port < 65536:
        raise ValidationFailed(f"Port {args.port} is not between 1 and 65535.", field="port")
    from bankapp.bank import open_bank

    open_bank(url).close()  # a missing or outdated database is reported now, not per browser
    if not is_loopback(args.host):
        print(network_warning(args.host, args.port), file=out)
    # Each browser session is a child process; it finds the database in its environment,
    # which keeps a password in the URL out of the process list.
    from bankapp.storage.process_options import DATABASE_URL

    os.environ[DATABASE_URL] = url
    from bankapp.cli.web_server import make_server

    make_server(
        app_command(), host=args.host, port=args.port, title="bankapp", public_url=args.public_url
    ).serve()
    return 0
