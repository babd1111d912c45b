"""The cards screen: a customer's cards (masked), limits, status, the card actions and the
selected card's transactions. Staff open it for one customer (`owner_id`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from bankapp.domain.account_numbers import mask_account_number
from bankapp.domain.card_types import (
    CardAuthorisation,
    CardKind,
    CardStatus,
    CardTransaction,
    CardView,
    IssuedCard,
)
from bankapp.domain.types import AccountView
from bankapp.services.approvals import ApprovalView
from screens.base import BankScreen
from screens.changes import account_changes, card_changes
from screens.labels import entry_kind_label
from screens.modals.card_issue import IssueCardModal
from screens.modals.card_pay import PayCardModal
from screens.modals.card_purchase import CardPurchaseModal
from screens.modals.card_reveal import CardRevealModal
from screens.modals.confirm import ConfirmModal

STATUS_STYLES = {
    CardStatus.ACTIVE: "green",
    CardStatus.FROZEN: "bold yellow",
    CardStatus.LOST: "bold red",
    CardStatus.STOLEN: "bold red",
    CardStatus.CANCELLED: "dim",
    CardStatus.REPLACED: "dim",
}


CARD_COLUMNS = (
    ("Card", 19),
    ("Type", 6),
    ("Status", 9),
    ("Expires", 7),
    ("Account", 24),
    ("Limit", 11),
    ("Used", 11),
    ("Available", 11),
)
# The amount before the description, so it shows at 80 columns (as in account history).
TRANSACTION_COLUMNS = (("Date", 16), ("Kind", 14), ("Amount", 12), ("Description", 46))


@dataclass(frozen=True)
class CardsData:
    cards: list[CardView]
    accounts: list[AccountView]
    applications: list[ApprovalView]


@dataclass(frozen=True)
class CardActivity:
    pending: list[CardAuthorisation]  # authorised, not settled yet
    posted: list[CardTransaction]


class CardsScreen(BankScreen):
    """Cards and what they did; letters run the actions on the highlighted card."""

    CSS_PATH = "cards.tcss"

    HELP = (
        "Your debit and credit cards, shown by their last four digits only. Move with the "
        "arrow keys; the highlighted card's limit and transactions are shown below (purchases "
        "not yet settled first). N issues a debit card at once, applies for a credit card "
        "(the bank decides the limit) or takes the card of an approved application (its full "
        "number and CVV are shown once), F freezes or unfreezes, L reports "
        "it lost, S stolen (both block it for good and offer a replacement), X cancels, "
        "B makes a purchase with it and P pays a credit card."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "issue_card", "New card", id="card-issue"),
        Binding("f", "toggle_freeze", "Freeze/unfreeze", id="card-freeze"),
        # The rest are listed on the screen (MORE_KEYS): the footer keeps room for Help and
        # Quit at 80 columns.
        Binding("p", "pay_card", "Pay card", show=False, id="card-pay"),
        Binding("b", "purchase", "Purchase", show=False, id="card-purchase"),
        Binding("l", "report_lost", "Lost", show=False, id="card-lost"),
        Binding("s", "report_stolen", "Stolen", show=False, id="card-stolen"),
        Binding("r", "replace_card", "Replace", show=False, id="card-replace"),
        Binding("x", "cancel_card", "Cancel card", show=False, id="card-cancel"),
        Binding("f5", "refresh", "Refresh", show=False, id="card-refresh"),
    ]
    MORE_KEYS: ClassVar[str] = (
        "More: p pay card · b purchase · l lost · s stolen · r replace · x cancel"
    )

    def __init__(self, owner_id: int | None = None) -> None:
        super().__init__()
        self.owner_id = owner_id
        self.card_views: list[CardView] = []
        self.accounts: list[AccountView] = []
        self.applications: list[ApprovalView] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="cards-view"):
            yield Static("Cards", classes="section-title")
            yield DataTable(id="cards", cursor_type="row", zebra_stripes=True)
            yield Static("", id="card-applications", classes="-hidden")
            yield Static("", id="card-summary")
            yield Static(Text(self.MORE_KEYS), id="card-keys")
            yield Static("Card transactions", classes="section-title")
            yield DataTable(id="card-transactions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    @property
    def cards_table(self) -> DataTable[Text]:
        return self.query_one("#cards", DataTable)

    @property
    def transactions_table(self) -> DataTable[Text]:
        return self.query_one("#card-transactions", DataTable)

    def on_mount(self) -> None:
        self.title = "Cards"
        # Fixed widths: the layout does not shift as rows arrive (and snapshots are stable).
        for label, width in CARD_COLUMNS:
            self.cards_table.add_column(label, width=width)
        for label, width in TRANSACTION_COLUMNS:
            self.transactions_table.add_column(label, width=width)
        self.cards_table.focus()

    def on_screen_resume(self) -> None:
        self.action_refresh()

    # -- loading --------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(self._load, self._show, group="cards")

    def changed_elsewhere(self) -> None:
        cards, accounts = list(self.card_views), list(self.accounts)

        def show(data: CardsData) -> None:
            self._show(data)
            self.tell_changed(
                card_changes(cards, data.cards)
                + account_changes(accounts, data.accounts, self.money)
            )

        self.call_service(self._load, show, group="cards")

    def _load(self) -> CardsData:
        cards = self.bank.cards.list_cards(self.actor, owner_id=self.owner_id)
        accounts = self.bank.accounts.list_accounts(self.actor, owner_id=self.owner_id)
        applications = self.bank.cards.credit_applications(self.actor, owner_id=self.owner_id)
        return CardsData(cards, accounts, applications)

    def _show(self, data: CardsData) -> None:
        self.card_views, self.accounts = data.cards, data.accounts
        self.applications = data.applications
        self._show_applications(data.applications)
        names = {a.id: a for a in data.accounts}
        table = self.cards_table
        row = table.cursor_row
        table.clear()
        for card in data.cards:
            account = names.get(card.account_id)
            credit = card.kind == CardKind.CREDIT
            table.add_row(
                Text(card.masked),
                Text(card.kind.value.capitalize()),
                Text(card.status.value, style=STATUS_STYLES[card.status]),
                Text(card.expiry),
                Text(f"{account.name} {mask_account_number(account.number)}" if account else ""),
                Text(self.money(card.credit_limit) if credit else "—", justify="right"),
                Text(self.money(card.used) if credit else "—", justify="right"),
                Text(self.money(card.available), justify="right"),
                key=str(card.id),
            )
        if data.cards:
            table.move_cursor(row=max(0, min(row, len(data.cards) - 1)))
        self._show_selected()

    def _show_applications(self, applications: list[ApprovalView]) -> None:
        """The latest credit card application, while it is news: waiting, or approved and
        the card not taken yet, or declined (with the reason)."""
        line = self.query_one("#card-applications", Static)
        latest = applications[0] if applications else None
        text: Text | None = None
        if latest is not None and latest.status == "pending":
            text = Text(
                f"Credit card application #{latest.id} for {self.money(latest.amount)}: "
                "waiting for the bank's decision."
            )
        elif latest is not None and latest.status == "approved" and not latest.consumed:
            text = Text.assemble(
                (f"Credit card application #{latest.id} approved", "bold green"),
                f" with a limit of {self.money(latest.decided_amount or 0)}: press N to "
                "take the card.",
            )
        elif latest is not None and latest.status in ("rejected", "voided"):
            text = Text.assemble(
                (f"Credit card application #{latest.id} declined", "bold"),
                ": ",
                latest.reason,  # typed by staff: plain text
            )
        line.set_class(text is None, "-hidden")
        line.update(text or "")

    @property
    def selected_card(self) -> CardView | None:
        table = self.cards_table
        if not self.card_views or table.cursor_row < 0:
            return None
        return self.card_views[min(table.cursor_row, len(self.card_views) - 1)]

    @on(DataTable.RowHighlighted, "#cards")
    def _highlighted(self) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        card = self.selected_card
        summary = self.query_one("#card-summary", Static)
        if card is None:
            summary.update(Text("No cards yet. Press N to issue one."))
            self.transactions_table.clear()
            return
        summary.update(self._summary(card))
        card_id = card.id
        self.call_service(
            lambda: CardActivity(
                self.bank.cards.authorisations(self.actor, card_id),
                self.bank.cards.transactions(self.actor, card_id, limit=100),
            ),
            self._show_transactions,
            group="card-transactions",
        )

    def _summary(self, card: CardView) -> Text:
        parts: list[str | tuple[str, str]] = [
            (card.masked, "bold"),
            f" · {card.kind.value} · {card.cardholder_name}",
            f" · expires {card.expiry} · ",
            (card.status.value, STATUS_STYLES[card.status]),
            "\n",
        ]
        if card.kind == CardKind.CREDIT:
            parts += [
                "Limit ",
                (self.money(card.credit_limit), "bold"),
                " · Used ",
                (self.money(card.used), "bold"),
                " · Available ",
                (self.money(card.available), "bold"),
            ]
        else:
            parts += ["Spends from its account · Available ", (self.money(card.available), "bold")]
        if card.held:
            parts += [" · Waiting to settle ", (self.money(card.held), "bold")]
        if card.blocked_by_bank and card.status != CardStatus.ACTIVE:
            parts.append(" · blocked by the bank")
        if card.replaced_by_id is not None:
            parts.append(" · replaced by a new card")
        return Text.assemble(*parts)

    def _show_transactions(self, activity: CardActivity) -> None:
        table = self.transactions_table
        table.clear()
        for pending in activity.pending:
            table.add_row(
                Text(f"{pending.authorised_at:%Y-%m-%d %H:%M}"),
                Text("Pending", style="italic"),
                Text(self.money(-pending.amount, plus=True), justify="right", style="italic"),
                Text(pending.merchant),  # typed by someone: plain text
            )
        for line in activity.posted:
            table.add_row(
                Text(f"{line.at:%Y-%m-%d %H:%M}"),
                Text(entry_kind_label(line.kind)),
                Text(self.money(line.amount, plus=True), justify="right"),
                Text(line.description),  # contains a merchant name someone typed: plain text
            )

    # -- actions --------------------------------------------------------------------------

    def _card_or_warn(self) -> CardView | None:
        card = self.selected_card
        if card is None:
            self.notify("There is no card to act on; press N to issue one.", severity="warning")
        return card

    def action_issue_card(self) -> None:
        self.app.push_screen(
            IssueCardModal(self.owner_id, self.accounts, self.applications), self._issued
        )

    def _issued(self, issued: IssuedCard | ApprovalView | None) -> None:
        if issued is None:
            return
        if isinstance(issued, ApprovalView):
            self.notify(
                f"Application #{issued.id} for a {self.money(issued.amount)} credit limit is "
                "with the bank; you will see the decision here.",
                title="Credit card",
                markup=False,
            )
            self.action_refresh()
            return
        self.app.push_screen(CardRevealModal(issued), lambda _: self.action_refresh())

    def action_toggle_freeze(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        if card.status == CardStatus.FROZEN:
            self._run(lambda: self.bank.cards.unfreeze(self.actor, card.id), "Card unfrozen.")
        else:
            self._run(lambda: self.bank.cards.freeze(self.actor, card.id), "Card frozen.")

    def action_report_lost(self) -> None:
        self._report(stolen=False)

    def action_report_stolen(self) -> None:
        self._report(stolen=True)

    def _report(self, *, stolen: bool) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        word = "stolen" if stolen else "lost"
        lines = [
            ("Card", card.masked),
            ("Effect", "Blocked for good: no purchase will be accepted."),
            ("Then", "You can have a replacement with a new number."),
        ]

        def reported(_: CardView) -> None:
            self.notify(f"Card {card.masked} reported {word}.", markup=False)
            self.action_refresh()
            self._offer_replacement(card)

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.call_service(
                    lambda: self.bank.cards.report_lost(self.actor, card.id, stolen=stolen),
                    reported,
                    group="card-action",
                )

        self.app.push_screen(
            ConfirmModal(f"Report this card {word}?", lines, confirm=f"Report {word}"), confirmed
        )

    def _offer_replacement(self, card: CardView) -> None:
        lines = [("Replaces", card.masked), ("Account", "the same as the old card")]
        self.app.push_screen(
            ConfirmModal("Issue a replacement card?", lines, confirm="Issue replacement"),
            lambda ok: self._replace(card) if ok else None,
        )

    def action_replace_card(self) -> None:
        card = self._card_or_warn()
        if card is not None:
            self._offer_replacement(card)

    def _replace(self, card: CardView) -> None:
        self.call_service(
            lambda: self.bank.cards.replace(self.actor, card.id), self._issued, group="card-action"
        )

    def action_cancel_card(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        lines = [("Card", card.masked), ("Effect", "Cancelled for good; it cannot be undone.")]
        self.app.push_screen(
            ConfirmModal("Cancel this card?", lines, confirm="Cancel card"),
            lambda ok: (
                self._run(lambda: self.bank.cards.cancel(self.actor, card.id), "Card cancelled.")
                if ok
                else None
            ),
        )

    def action_purchase(self) -> None:
        card = self.selected_card
        self.app.push_screen(CardPurchaseModal(card), lambda _: self.action_refresh())

    def action_pay_card(self) -> None:
        card = self._card_or_warn()
        if card is None:
            return
        if card.kind != CardKind.CREDIT:
            self.notify(
                "Only a credit card is paid; a debit card spends its account.", severity="warning"
            )
            return
        self.app.push_screen(PayCardModal(card, self.accounts), lambda _: self.action_refresh())

    def _run(self, call: Callable[[], CardView], done: str) -> None:
        def finished(_: CardView) -> None:
            self.notify(done)
            self.action_refresh()

        self.call_service(call, finished, group="card-action")
