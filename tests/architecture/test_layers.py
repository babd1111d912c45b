"""The service layer runs without the UI: no bankapp module pulls in Textual or Rich."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bankapp

# The CLI starts the UI lazily inside `cmd_ui`; importing the module must not load it.
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(bankapp.__path__, "bankapp.")
    if ".migrations" not in m.name
    and m.name != "bankapp.__main__"
    and not m.name.startswith("bankapp.bench")
)


def test_every_bankapp_module_imports_without_textual_or_rich() -> None:
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "ui = ('textual', 'rich', 'screens')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ui)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"UI modules loaded: {result.stdout}"
    assert len(MODULES) > 15


def test_no_bankapp_module_loads_the_orm() -> None:
    """The tables are SQLAlchemy Core (`storage.models`): the ORM's import costs every
    process about a fifth of a second (`bankapp verify`, each workstation's start)."""
    script = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('sqlalchemy.orm'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"ORM modules loaded: {result.stdout}"


def test_the_import_linter_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    lint = subprocess.run([str(lint_imports), "--no-cache"], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_no_screen_reaches_the_local_operators_service() -> None:
    """`bank.operator` (create any user, unlock, enrol a known TOTP key) is the shell's: the
    UI, and anything a browser reaches through `bankapp serve`, never uses it."""
    import re

    screens = Path(__file__).resolve().parents[2] / "screens"
    uses = [
        f"{path.relative_to(screens.parent)}:{number}"
        for path in sorted(screens.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.operator\b|OperatorService|services\.operator", line)
    ]
    assert len(list(screens.rglob("*.py"))) > 20
    assert uses == []
