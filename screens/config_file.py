"""What `config.toml` may contain, as a pydantic model: anything else is an error, so typos
are caught. Imported only when a settings file exists (pydantic is not needed to paint the
sign-in screen with the defaults)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# One key as Textual names it: "t", "ctrl+t", "f5", "question_mark", "?", "shift+tab".
_KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z0-9_]+|[!-~])$")


def _key_list(value: str) -> str:
    keys = [key.strip() for key in value.split(",")]
    bad = [key for key in keys if not _KEY.match(key)]
    if bad or not keys:
        raise ValueError(
            f"{', '.join(repr(k) for k in bad) or repr(value)} is not a key; write keys as "
            '"t", "ctrl+t", "f5" or several separated by commas: "t,ctrl+t"'
        )
    return ",".join(keys)


BindingId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
KeyList = Annotated[str, AfterValidator(_key_list)]


class ConfigFile(BaseModel):
    """What `config.toml` may contain; anything else is an error, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    theme: str | None = None
    vim_keys: bool = True
    keys: dict[BindingId, KeyList] = Field(default_factory=dict)


def checked_config(raw: dict[str, object]) -> ConfigFile:
    """The settings in `raw` (parsed TOML); raises pydantic's ValidationError."""
    return ConfigFile.model_validate(raw)
