"""Statement as a PDF a customer would accept: bank, holder, masked number, period, summary,
every line with its running balance, page numbers. Built with fpdf2; the same statement always
gives the same bytes (the creation date is the statement's own)."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from bankapp.domain.money import format_cents
from bankapp.services.statements import StatementDocument

# A Unicode font prints any name or memo; without one the built-in Helvetica (Latin-1) is used.
_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)
_COLUMNS = (
    ("Date", 22, "L"),
    ("Description", 56, "L"),
    ("Counterparty", 38, "L"),
    ("Money in", 22, "R"),
    ("Money out", 22, "R"),
    ("Balance", 26, "R"),
)
_KINDS = {"deposit": "Deposit", "withdrawal": "Withdrawal", "transfer": "Transfer"}


def unicode_font() -> tuple[Path, Path] | None:
    for regular, bold in _FONT_CANDIDATES:
        if Path(regular).is_file() and Path(bold).is_file():
            return Path(regular), Path(bold)
    return None


class _StatementPdf(FPDF):
    def __init__(self, document: StatementDocument) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.document = document
        font = unicode_font()
        if font is not None:
            self.add_font("Body", "", str(font[0]))
            self.add_font("Body", "B", str(font[1]))
            self.body_font = "Body"
            self.is_unicode = True
        else:
            self.body_font = "Helvetica"
            self.is_unicode = False
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def text_of(self, value: str) -> str:
        if self.is_unicode:
            return value
        return value.replace("•", "*").encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        document = self.document
        self.set_y(-13)
        self.set_font(self.body_font, "", 7.5)
        self.set_text_color(110)
        self.cell(
            0,
            4,
            self.text_of(
                f"{document.bank_name} · Statement no. {document.statement_id} · "
                f"{document.summary.masked_number} · Page {self.page_no()} of {{nb}}"
            ),
            align="C",
        )
        self.set_text_color(0)


def statement_pdf(document: StatementDocument) -> bytes:
    """The PDF bytes of a generated statement."""
    pdf = _StatementPdf(document)
    summary = document.summary
    pdf.set_title(f"Statement {document.statement_id}")
    pdf.set_author(document.bank_name)
    pdf.set_subject(f"Account statement {summary.period.label}")
    pdf.set_creator("bankapp")
    pdf.set_creation_date(document.generated_at.replace(tzinfo=UTC))
    pdf.add_page()
    _header(pdf, document)
    _summary_block(pdf, document)
    _lines_table(pdf, document)
    return bytes(pdf.output())


def _header(pdf: _StatementPdf, document: StatementDocument) -> None:
    summary = document.summary
    pdf.set_font(pdf.body_font, "B", 17)
    pdf.cell(0, 9, pdf.text_of(document.bank_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(pdf.body_font, "", 11)
    pdf.set_text_color(80)
    pdf.cell(0, 6, "Account statement", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)
    pdf.ln(4)
    facts = (
        ("Account holder", summary.holder_name),
        ("Account", f"{summary.account_name} ({summary.account_kind.value.replace('_', ' ')})"),
        ("Account number", summary.masked_number),
        ("Period", summary.period.label),
        ("Currency", summary.currency),
        ("Statement no.", str(document.statement_id)),
        ("Generated", f"{document.generated_at:%Y-%m-%d %H:%M} UTC by {document.generated_by}"),
    )
    for label, value in facts:
        pdf.set_font(pdf.body_font, "B", 9.5)
        pdf.cell(38, 5.5, label)
        pdf.set_font(pdf.body_font, "", 9.5)
        pdf.cell(0, 5.5, pdf.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _summary_block(pdf: _StatementPdf, document: StatementDocument) -> None:
    summary = document.summary
    money = summary.currency
    pdf.set_font(pdf.body_font, "B", 12)
    pdf.cell(0, 7, "Summary", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    rows = (
        ("Opening balance", format_cents(summary.opening_balance, money)),
        ("Money in", format_cents(summary.total_in, money)),
        ("Money out", format_cents(summary.total_out, money)),
        ("Closing balance", format_cents(summary.closing_balance, money)),
        ("Transactions", str(summary.line_count)),
    )
    pdf.set_draw_color(160)
    for i, (label, value) in enumerate(rows):
        bold = "B" if label == "Closing balance" else ""
        pdf.set_font(pdf.body_font, bold, 10)
        pdf.cell(60, 6.5, label, border="T" if i == 3 else 0)
        pdf.cell(
            40,
            6.5,
            pdf.text_of(value),
            border="T" if i == 3 else 0,
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.ln(5)


def _lines_table(pdf: _StatementPdf, document: StatementDocument) -> None:
    summary = document.summary
    pdf.set_font(pdf.body_font, "B", 12)
    pdf.cell(0, 7, "Transactions", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not document.lines:
        pdf.set_font(pdf.body_font, "", 10)
        pdf.cell(0, 7, "No transactions in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.set_font(pdf.body_font, "", 8.5)
    with pdf.table(
        col_widths=tuple(width for _, width, _ in _COLUMNS),
        text_align=tuple(align for _, _, align in _COLUMNS),
        line_height=4.6,
        first_row_as_headings=True,
        repeat_headings=1,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=(232, 236, 242)),
    ) as table:
        table.row([name for name, _, _ in _COLUMNS])
        for line in document.lines:
            description = line.memo or _KINDS.get(line.kind, line.kind)
            table.row(
                [
                    f"{line.at:%Y-%m-%d}",
                    pdf.text_of(description),
                    pdf.text_of(line.counterparty),
                    format_cents(line.amount, summary.currency) if line.amount > 0 else "",
                    format_cents(-line.amount, summary.currency) if line.amount < 0 else "",
                    format_cents(line.balance_after, summary.currency),
                ]
            )
    pdf.ln(3)
    pdf.set_font(pdf.body_font, "", 8)
    pdf.set_text_color(90)
    pdf.multi_cell(
        0,
        4,
        pdf.text_of(
            "Times are UTC. Closing balance = opening balance + money in - money out. "
            "The balance column is the balance after each transaction."
        ),
    )
    pdf.set_text_color(0)
