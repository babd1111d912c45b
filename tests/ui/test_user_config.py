"""The settings file: what is accepted, what is refused and how the refusal reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bankapp.storage.process_options import CONFIG as CONFIG_ENV
from screens.config import (
    UserConfig,
    config_path,
    load_config,
    remember_theme,
    remembered_theme,
    state_path,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_means_the_defaults_without_complaint(tmp_path: Path) -> None:
    loaded = load_config(tmp_path / "absent.toml")
    assert loaded.config == UserConfig()
    assert loaded.problem is None


def test_a_valid_file_sets_theme_vim_keys_and_remapped_keys(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nvim_keys = false\n[keys]\ntransfer = "ctrl+t, f6"\n')
    loaded = load_config(path)
    assert loaded.problem is None
    assert loaded.config.theme == "nord"
    assert loaded.config.vim_keys is False
    assert loaded.config.keys == {"transfer": "ctrl+t,f6"}


def test_a_file_that_is_not_toml_means_the_defaults_and_says_why(tmp_path: Path) -> None:
    path = write(tmp_path, "vim_keys = false\ntheme = \n")
    loaded = load_config(path)
    assert loaded.config == UserConfig()
    assert loaded.problem is not None and str(path) in loaded.problem
    assert "is not valid TOML" in loaded.problem and "line 2" in loaded.problem
    assert loaded.problem.endswith("Using the default settings.")


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ('vim_keys = "sometimes"', "line 3: vim_keys: Input should be a valid boolean"),
        ('colour = "red"', "line 3: colour: unknown setting"),
        ('[keys]\ntransfer = "ctrl+"', "line 4: keys.transfer"),
        ('[keys]\ntransfer = "ctrl t"', "is not a key"),
        ("[keys]\ntransfer = 5", "line 4: keys.transfer"),
        ('[keys]\n"Bad Id" = "t"', "line 4: keys.Bad Id"),
    ],
)
def test_one_bad_setting_is_named_by_line_and_the_rest_of_the_file_applies(
    tmp_path: Path, bad: str, expected: str
) -> None:
    good_keys = '[keys]\nhelp = "f2"' if not bad.startswith("[keys]") else 'help = "f2"'
    text = f'theme = "nord"\n# a comment\n{bad}\n'
    text += f"{good_keys}\n" if bad.startswith("[keys]") else f"\n{good_keys}\n"
    path = write(tmp_path, text)
    loaded = load_config(path)
    assert loaded.config.theme == "nord"  # the valid settings still apply
    assert loaded.config.keys == {"help": "f2"}
    assert loaded.problem is not None and str(path) in loaded.problem
    assert expected in loaded.problem, loaded.problem
    assert loaded.problem.endswith("the rest of the file applies.")


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    assert "cannot be read" in (load_config(path).problem or "")


def test_the_config_path_comes_from_the_environment_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv(CONFIG_ENV)
    assert config_path().name == "config.toml"
    assert "bankapp" in config_path().parts


def test_the_remembered_theme_lives_beside_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "sub" / "config.toml"
    assert remembered_theme(config) is None
    remember_theme("gruvbox", config)
    assert state_path(config) == tmp_path / "sub" / "state.toml"
    assert remembered_theme(config) == "gruvbox"
    state_path(config).write_text("theme = [", encoding="utf-8")
    assert remembered_theme(config) is None, "a damaged state file is ignored"
