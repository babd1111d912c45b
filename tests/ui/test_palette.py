"""The command palette offers the screen's actions and the app's, each once, and no Textual
command that repeats ours or fails; its screenshot goes to the data folder and says where."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bankapp.bank import Bank
from screens.app import make_app
from tests.ui.helpers import SIZE, pilot_test, settle, sign_in


@pilot_test
async def test_the_palette_lists_each_command_once_and_the_screenshot_says_where(
    demo_bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANKAPP_HOME", str(tmp_path / "home"))
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert len(titles) == len(set(titles)), titles
        assert {"Help", "Theme", "Screenshot", "Quit"} <= set(titles)
        assert "Keys" not in titles and "Maximize" not in titles  # Textual's own
        [shot] = [c for c in app.get_system_commands(app.screen) if c.title == "Screenshot"]
        shot.callback()
        await settle(pilot)
        [picture] = (tmp_path / "home" / "screenshots").iterdir()
        assert picture.suffix == ".svg" and stat.S_IMODE(picture.stat().st_mode) == 0o600
        notes = [str(n.message) for n in app._notifications]
        assert any(str(picture) in note for note in notes), notes
