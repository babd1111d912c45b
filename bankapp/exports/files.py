"""Where exports go: a folder the user chose (default `data/exports/`), files written whole."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bankapp.domain.statement_types import StatementFormat
from bankapp.errors import ValidationFailed
from bankapp.services.statements import StatementDocument
from bankapp.storage.locations import export_directory
from bankapp.storage.private_files import private_folder

DEFAULT_EXPORT_DIR = export_directory()


def export_folder(folder: str | Path | None) -> Path:
    """The export folder, created if missing; refused if it is a file."""
    path = Path(folder) if folder else DEFAULT_EXPORT_DIR
    if path.exists() and not path.is_dir():
        raise ValidationFailed(f"{path} is a file, not a folder.", field="folder")
    try:
        private_folder(path)
    except OSError as exc:
        raise ValidationFailed(
            f"Cannot create the folder {path}: {exc.strerror}.", field="folder"
        ) from None
    return path


def statement_filename(document: StatementDocument, fmt: StatementFormat) -> str:
    """`statement-9012-2026-10-01-2026-10-31-n17.pdf`: last four digits, period, number."""
    summary = document.summary
    period = summary.period
    return (
        f"statement-{summary.account_number[-4:]}-{period.first_day.isoformat()}-"
        f"{period.last_day.isoformat()}-n{document.statement_id}.{fmt.value}"
    )


def write_atomically(path: Path, data: bytes) -> Path:
    """Write `data` to a temporary file beside `path`, then rename: never a half-written file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def export_statement(
    document: StatementDocument, fmt: StatementFormat | str, folder: str | Path | None = None
) -> Path:
    """Write the statement as CSV or PDF into `folder`; returns the file's path."""
    from bankapp.exports.csv import statement_csv
    from bankapp.exports.pdf import statement_pdf

    fmt = StatementFormat(fmt)
    target = export_folder(folder) / statement_filename(document, fmt)
    data = (
        statement_csv(document).encode()
        if fmt == StatementFormat.CSV
        else (statement_pdf(document))
    )
    return write_atomically(target, data)
