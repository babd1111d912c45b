"""Files bankapp creates are private: 0600 files in 0700 folders (the database and its -wal
and -shm, the key, logs, exports). An existing file others can read is reported with the
`chmod` that fixes it, never silently changed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bankapp.storage.locations import data_home

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create `path` as 0700, with any missing folders above it: the data folder and the
    ones inside it 0700 too, folders above the data folder (`~/.local/share`) as usual. An
    existing folder is left as it is."""
    if path.exists():
        return path
    home = data_home().absolute()
    missing = [path, *(p for p in path.parents if not p.exists())]
    for folder in reversed([p for p in missing if not p.exists()]):
        mine = folder.absolute() == home or folder.absolute().is_relative_to(home)
        folder.mkdir(mode=FOLDER_MODE if mine else 0o755, exist_ok=True)
        if mine:
            folder.chmod(FOLDER_MODE)  # mkdir's mode is masked by the umask
    if not path.absolute().is_relative_to(home):
        path.chmod(FOLDER_MODE)
    return path


def create_private(path: Path) -> None:
    """Create an empty file at `path` with mode 0600 if none is there (SQLite then writes
    into it, and gives its -wal and -shm files the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def readable_by_others(path: Path) -> bool:
    try:
        return os.name == "posix" and bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


def exposure_warnings(*paths: Path) -> list[str]:
    """One line per existing file or folder that group or others can read, with the fix."""
    warnings = []
    for path in paths:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if candidate.exists() and candidate.is_file() and readable_by_others(candidate):
                warnings.append(
                    f"warning: {candidate} can be read by other users; run `chmod 600 {candidate}`"
                )
    return warnings
