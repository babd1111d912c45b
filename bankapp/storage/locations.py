"""Where bankapp keeps its files: the one home of every default path.

Run from its checkout (the working folder is the source tree: `make run`, `make test`), the
data folder is `./data`, as always. Installed (`pipx install .`), it is the user's data folder
(platformdirs: `~/.local/share/bankapp` on Linux), so the same command run from two folders
is the same bank. `BANKAPP_HOME` overrides both (the environment is read in
`process_options`). Nothing here creates anything: a path is made (0700) only when something
is written there.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from bankapp.storage.process_options import process_options

CHECKOUT_DATA = Path("data")


def running_from_checkout() -> bool:
    """True when the working folder is the source tree this bankapp was imported from."""
    source_root = Path(__file__).resolve().parents[2]
    try:
        here = Path.cwd().resolve()
    except OSError:
        return False
    return here == source_root and (source_root / "pyproject.toml").is_file()


def data_home() -> Path:
    if chosen := process_options().home:
        return chosen
    if running_from_checkout():
        return CHECKOUT_DATA
    return platformdirs.user_data_path("bankapp")


def default_database_url() -> str:
    return f"sqlite:///{data_home() / 'bank.db'}"


def database_url_from_env(explicit: str | None = None) -> str:
    """The database a command uses: `--db`, else BANKAPP_DATABASE_URL, else the default."""
    return explicit or process_options().database_url or default_database_url()


def default_key_file() -> Path:
    """The key file of a database without a folder of its own (PostgreSQL)."""
    return data_home() / "bankapp.key"


def log_directory() -> Path:
    if chosen := process_options().log_dir:
        return chosen
    return data_home() / "logs"


def export_directory() -> Path:
    return data_home() / "exports"


def config_path() -> Path:
    """`$BANKAPP_CONFIG`, or `config.toml` in the user's config folder (XDG on Linux)."""
    if chosen := process_options().config:
        return chosen
    return platformdirs.user_config_path("bankapp") / "config.toml"
