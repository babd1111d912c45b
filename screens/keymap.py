"""`KeymapApp`, the base of the bank's App: keys that work everywhere (vim j/k, copy the
account number, lock, theme), the user's remapped keys and theme applied at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.widgets import Input, Select, TextArea

from bankapp.domain.types import AccountView
from screens.clipboard import copy_account_number
from screens.config import (
    ANSI_THEME,
    LoadedConfig,
    UserConfig,
    load_config,
    remember_theme,
    remembered_theme,
)
from screens.messages import LockRequested

TEXT_ENTRY = (Input, TextArea, Select)


class ShowsAnAccount(Protocol):
    selected_account: AccountView | None


def _subclasses(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _bank_commands() -> type[Provider]:
    """The palette's commands, imported when the palette first opens (they import the
    screens they go to, which the sign-in screen does not need)."""
    from screens.commands import BankCommands

    return BankCommands


def known_binding_ids() -> set[str]:
    """Every binding id declared by a class of the `screens` package (for keymap checks);
    every screen is imported first, so none is missed."""
    import screens.all_screens  # noqa: F401

    ids: set[str] = set()
    for cls in set(_subclasses(DOMNode)):
        if cls.__module__.partition(".")[0] != "screens":
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def shown_account(screen: object) -> AccountView | None:
    """The account a screen is showing or has selected, if it says so."""
    for name in ("selected_account", "account"):
        value = getattr(screen, name, None)
        if isinstance(value, AccountView):
            return value
    return None


class KeymapApp(App[int]):
    """Global keys and user preferences; `BankApp` builds on it."""

    COMMANDS = App.COMMANDS | {_bank_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "vim_down", "Down (vim)", show=False, id="vim-down"),
        Binding("k", "vim_up", "Up (vim)", show=False, id="vim-up"),
        Binding(
            "y", "copy_account_number", "Copy account number", show=False, id="copy-account-number"
        ),
        Binding("f8", "lock_now", "Lock screen", show=False, id="lock"),
        Binding("f9", "change_theme", "Theme", show=False, id="switch-theme"),
    ]

    user_config: UserConfig = UserConfig()
    config_problem: str | None = None
    _theme_path: Path | None = None

    def on_mount(self) -> None:
        self.apply_user_config(load_config())

    # -- preferences ----------------------------------------------------------------------

    def apply_user_config(self, loaded: LoadedConfig) -> None:
        """Keymap, vim keys and theme from the settings; any problem is said once, plainly."""
        self.user_config = loaded.config
        problems = [loaded.problem] if loaded.problem else []
        if loaded.config.keys:
            unknown = sorted(set(loaded.config.keys) - known_binding_ids())
            if unknown:
                problems.append(
                    f"Settings file {loaded.path}: unknown key binding id(s) "
                    f"{', '.join(unknown)}; see the keyboard reference in the README."
                )
            self.set_keymap(dict(loaded.config.keys))
        theme = remembered_theme(loaded.path) or loaded.config.theme or self._default_theme()
        if theme not in self.available_themes:
            problems.append(f"Unknown theme {theme!r}; using {self.theme!r}.")
        elif theme != self.theme:
            self.theme = theme
        self._theme_path = loaded.path  # from now on a theme change is the user's choice
        self.config_problem = " ".join(problems) or None
        if self.config_problem:
            self.notify(
                self.config_problem, title="Settings", severity="warning", timeout=20, markup=False
            )

    def _default_theme(self) -> str:
        """ANSI colours on a 16-colour terminal, where 24-bit colours would be approximated."""
        sixteen = self.console.color_system in ("standard", "windows")
        return ANSI_THEME if sixteen and not self.is_headless else self.theme

    def watch_theme(self, theme: str) -> None:
        if self._theme_path is not None and theme != remembered_theme(self._theme_path):
            remember_theme(theme, self._theme_path)

    # -- global actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("vim_down", "vim_up"):
            focused = self.focused
            return (
                self.user_config.vim_keys
                and focused is not None
                and not isinstance(focused, TEXT_ENTRY)
            )
        if action == "copy_account_number":
            return shown_account(self.screen) is not None
        return True

    def action_vim_down(self) -> None:
        self._move_cursor("down")

    def action_vim_up(self) -> None:
        self._move_cursor("up")

    def _move_cursor(self, direction: str) -> None:
        focused = self.focused
        for name in (f"action_cursor_{direction}", f"action_scroll_{direction}"):
            if callable(move := getattr(focused, name, None)):
                move()
                return

    def action_copy_account_number(self) -> None:
        account = shown_account(self.screen)
        if account is not None:
            copy_account_number(self, account)

    def action_lock_now(self) -> None:
        self.post_message(LockRequested())
