"""bankapp: the service layer of a terminal banking application (no UI in this package)."""

__version__ = "0.1.0"
