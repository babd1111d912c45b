"""bankapp: the service layer of a terminal banking application (no UI in this package)."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Read on demand: importlib.metadata costs every command its start-up time otherwise.
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bankapp")  # written once, in pyproject.toml
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"
