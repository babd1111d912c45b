"""The user's UI settings: `config.toml` (theme, vim keys, remapped keys), validated with
pydantic when there is one, and the remembered theme in `state.toml` beside it."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bankapp.storage import locations

STATE_FILE = "state.toml"
ANSI_THEME = "ansi-dark"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserConfig:
    """The settings in force: the defaults, or what `config.toml` says (checked by the
    pydantic model in `screens.config_file`, imported only when there is a file)."""

    theme: str | None = None
    vim_keys: bool = True
    keys: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedConfig:
    """The settings in force, where they came from, and why a file was ignored (if it was)."""

    config: UserConfig
    path: Path
    problem: str | None = None


def config_path() -> Path:
    """`$BANKAPP_CONFIG`, or `config.toml` in the user's config folder (XDG on Linux)."""
    return locations.config_path()


def state_path(config: Path | None = None) -> Path:
    return (config or config_path()).with_name(STATE_FILE)


def load_config(path: Path | None = None) -> LoadedConfig:
    """Read and check the file; a missing file means defaults. A setting with a mistake is
    named with its line and left out, and every valid setting in the file still applies; a
    file that is not TOML at all means defaults and the reason."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        return LoadedConfig(UserConfig(), path)
    except (OSError, UnicodeDecodeError) as exc:
        return _ignored(path, f"cannot be read ({exc.__class__.__name__}: {exc})")
    except tomllib.TOMLDecodeError as exc:
        return _ignored(path, f"is not valid TOML: {exc}")
    from pydantic import ValidationError

    from screens.config_file import checked_config

    mistakes: list[str] = []
    for _ in range(MAX_PASSES):
        try:
            checked = checked_config(raw)
            config = UserConfig(checked.theme, checked.vim_keys, dict(checked.keys))
            break
        except ValidationError as exc:
            for error in exc.errors():
                mistakes.append(_describe(error, text))
                _drop(raw, error["loc"])
    else:  # pragma: no cover - each pass drops at least one setting
        config = UserConfig()
    if not mistakes:
        return LoadedConfig(config, path)
    problem = (
        f"Settings file {path}: " + "; ".join(mistakes) + ". Those settings were ignored; the "
        "rest of the file applies."
    )
    log.warning(problem)
    return LoadedConfig(config, path, problem)


MAX_PASSES = 20


def _ignored(path: Path, reason: str) -> LoadedConfig:
    problem = f"Settings file {path} {reason}. Using the default settings."
    log.warning(problem)
    return LoadedConfig(UserConfig(), path, problem)


def _drop(raw: dict[str, object], loc: tuple[int | str, ...]) -> None:
    """Remove the setting a validation error is about (a keymap entry, or a whole key)."""
    if len(loc) >= 2 and loc[0] == "keys" and isinstance(raw.get("keys"), dict):
        keys = raw["keys"]
        assert isinstance(keys, dict)
        keys.pop(loc[1], None)
        return
    if loc:
        raw.pop(str(loc[0]), None)


def _describe(error: object, text: str = "") -> str:
    assert isinstance(error, dict)
    loc = tuple(part for part in error.get("loc", ()) if part != "[key]")
    where = ".".join(str(part) for part in loc) or "file"
    message = str(error.get("msg", "invalid"))
    if error.get("type") == "extra_forbidden":
        message = "unknown setting (allowed: theme, vim_keys, [keys])"
    line = _line_of(text, str(loc[-1])) if loc else None
    return f"line {line}: {where}: {message}" if line else f"{where}: {message}"


def _line_of(text: str, name: str) -> int | None:
    """The line a setting is on: the first `name = ...` (quoted or not) or `[name]` table."""
    pattern = re.compile(rf"^\s*(?:\[\s*{re.escape(name)}\s*\]|[\"']?{re.escape(name)}[\"']?\s*=)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def remembered_theme(path: Path | None = None) -> str | None:
    """The theme last picked in the app, if any (a damaged state file is ignored)."""
    try:
        value = tomllib.loads(state_path(path).read_text(encoding="utf-8")).get("theme")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) else None


def remember_theme(theme: str, path: Path | None = None) -> None:
    """Keep the picked theme for next time; failing to write it never stops the app."""
    target = state_path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(f"theme = {json.dumps(theme)}\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        log.warning("could not remember the theme in %s: %s", target, exc)
