"""The built wheel installs into a fresh virtual environment and works from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bankapp", "screens")
# Files the program reads at run time from inside its own package.
DATA_SUFFIXES = {".txt", ".tcss", ".ini", ".mako", ".toml", ".json", ".ttf", ".otf"}

pytestmark = pytest.mark.slow


def _copy_source(dest: Path) -> Path:
    """A clean copy of what the wheel is built from, so the build leaves the work tree alone."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "__snapshots__")
    for name in PACKAGES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    return dest


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _data_files(base: Path) -> set[str]:
    return {
        str(path.relative_to(base))
        for name in PACKAGES
        for path in (base / name).rglob("*")
        if path.suffix in DATA_SUFFIXES and "__snapshots__" not in path.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with the bankapp wheel and pinned dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    source = _copy_source(work / "src")
    wheels = work / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        cwd=work,
    )
    [wheel] = wheels.glob("bankapp-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            str(ROOT / "requirements.lock"),
            str(wheel),
        ],
        cwd=work,
    )
    return env_dir


def _site_packages(env_dir: Path) -> Path:
    python = env_dir / "bin" / "python"
    out = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=env_dir,
    )
    return Path(out.strip())


def test_the_wheel_carries_every_data_file_the_source_tree_has(installed: Path) -> None:
    """Password list, migrations and stylesheets are read from the package, not the checkout."""
    expected = _data_files(ROOT)
    assert "bankapp/data/common-passwords.txt" in expected
    missing = expected - _data_files(_site_packages(installed))
    assert not missing, f"not packaged: {sorted(missing)}"


def test_installed_bankapp_builds_and_verifies_a_demo_bank_from_another_directory(
    installed: Path, tmp_path: Path
) -> None:
    """`bankapp demo` then `bankapp verify` work from a directory far from the source tree."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANKAPP_", "PYTHON"))}
    env["BANKAPP_LOG_DIR"] = str(elsewhere / "logs")
    bankapp = str(installed / "bin" / "bankapp")
    url = f"sqlite:///{elsewhere / 'bank.db'}"
    demo = _run([bankapp, "--db", url, "demo"], cwd=elsewhere, env=env)
    assert "ledger verified" in demo
    verify = _run([bankapp, "--db", url, "verify"], cwd=elsewhere, env=env)
    assert verify.splitlines()[-1].startswith("OK:")
    imported = _run(
        [str(installed / "bin" / "python"), "-c", "import bankapp, sys; print(bankapp.__file__)"],
        cwd=elsewhere,
        env=env,
    )
    assert Path(imported.strip()).is_relative_to(_site_packages(installed))


def _files_under(base: Path) -> dict[str, int]:
    """Every file under `base` and its permission bits."""
    return {
        str(path.relative_to(base)): path.stat().st_mode & 0o777
        for path in base.rglob("*")
        if path.is_file()
    }


def test_installed_bankapp_keeps_its_data_private_in_the_users_data_folder(
    installed: Path, tmp_path: Path
) -> None:
    """From an empty folder, with a fresh HOME: `--help` writes nothing; `demo`, `where`,
    `verify`, `backup` and `restore --force` into a new database use the user's data folder,
    create nothing in the working folder, and every file
    they create is 0600 in 0700 folders."""
    home, cwd = tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANKAPP_", "PYTHON", "XDG_"))}
    env["HOME"] = str(home)
    bankapp = str(installed / "bin" / "bankapp")
    _run([bankapp, "--help"], cwd=cwd, env=env)
    _run([bankapp, "--version"], cwd=cwd, env=env)
    assert list(home.rglob("*")) == [] and list(cwd.iterdir()) == []
    assert "ledger verified" in _run([bankapp, "demo"], cwd=cwd, env=env)
    where = _run([bankapp, "where"], cwd=cwd, env=env)
    data = home / ".local" / "share" / "bankapp"
    assert f"sqlite:///{data / 'bank.db'}" in where and str(data / "bankapp.key") in where
    assert "warning" not in where
    assert _run([bankapp, "verify"], cwd=cwd, env=env).splitlines()[-1].startswith("OK:")
    backed_up = _run([bankapp, "backup"], cwd=cwd, env=env)
    [backup] = (data / "backups").iterdir()
    assert str(backup) in backed_up
    restored = f"sqlite:///{data / 'restored.db'}"
    assert "verified:" in _run(
        [bankapp, "--db", restored, "restore", "--force", str(backup)], cwd=cwd, env=env
    )
    assert (
        _run([bankapp, "--db", restored, "verify"], cwd=cwd, env=env)
        .splitlines()[-1]
        .startswith("OK:")
    )
    assert list(cwd.iterdir()) == []
    files = _files_under(home)
    assert {"bank.db", "bankapp.key", "logs/bankapp.log", "restored.db"} <= {
        name.removeprefix(".local/share/bankapp/") for name in files
    }, files
    assert {name: mode for name, mode in files.items() if mode != 0o600} == {}
    folders = [p for p in data.rglob("*") if p.is_dir()] + [data]
    assert all(p.stat().st_mode & 0o777 == 0o700 for p in folders), folders
