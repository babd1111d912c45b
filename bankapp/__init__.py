"""bankapp: the service layer of a terminal banking application (no UI in this package)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bankapp")  # written once, in pyproject.toml
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
