"""What people type and paste into forms: amounts read exactly as written, pasted text
cleaned of terminal control sequences before any field sees it."""

from __future__ import annotations

import importlib

from textual import events
from textual.widgets import Input, Static

from bankapp.bank import Bank
from screens import paste
from screens.app import make_app
from screens.modals.confirm import ConfirmModal
from screens.payment import PaymentScreen
from screens.register import RegisterScreen
from tests.ui.helpers import SIZE, TAB, Expect, SignIn, Type, pilot_test, play, settle


def error_text(screen: object, field: str) -> str:
    return str(screen.query_one(f"#{field}-error", Static).render())  # type: ignore[attr-defined]


@pilot_test
async def test_an_amount_with_a_space_inside_is_refused_beside_the_field(demo_bank: Bank) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, SignIn("alice"), "w", Type("12 5"), "ctrl+s")
        assert isinstance(app.screen, PaymentScreen), "no confirmation of $125.00"
        assert "no spaces inside an amount" in error_text(app.screen, "amount")
        assert app.focused is app.screen.query_one("#amount", Input)

        amount = app.screen.query_one("#amount", Input)
        amount.value = " 12.50 "
        await play(pilot, "ctrl+s", Expect(ConfirmModal))
        assert "$12.50" in app.screen.confirm_label


PASTED = "Alice\x1b[2J\x07 Martin"
"""What a careless copy from a terminal holds: a clear-screen sequence and a bell."""


@pilot_test
async def test_pasted_text_reaches_a_field_without_its_control_sequences(
    demo_bank: Bank,
) -> None:
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, settle, "f2", TAB, Expect(RegisterScreen))
        field = app.screen.query_one("#full-name", Input)
        assert app.focused is field
        app.post_message(events.Paste(PASTED))
        await settle(pilot)
        assert field.value == "Alice Martin"

        app.copy_to_clipboard("\x1b]0;title\x07Bob\x1b[31m Smith\x9b0m")
        field.value = ""
        await play(pilot, "ctrl+v")  # the app's own clipboard too
        assert field.value == "Bob Smith"


def test_the_terminal_delivers_a_paste_with_escapes_whole_and_in_order() -> None:
    """Textual's parser ends a paste at its first ESC and types the rest as keys, before the
    paste itself; the app's drivers read input with a parser that cleans the paste first."""
    parser_class = paste.install_clean_paste_parser()
    received = list(parser_class().feed(f"\x1b[200~{PASTED}\x1b[201~x"))
    assert [type(event) for event in received] == [events.Paste, events.Key]
    assert received[0].text == "Alice Martin"  # type: ignore[attr-defined]
    assert received[1].key == "x"  # type: ignore[attr-defined]
    for module in paste.DRIVER_MODULES:
        assert importlib.import_module(module).XTermParser is parser_class


def test_a_paste_split_across_reads_is_cleaned_as_one() -> None:
    data = f"ab\x1b[200~{PASTED}\nsecond line\x1b[201~cd"
    for cut in range(len(data) + 1):
        cleaner = paste.PasteCleaner()
        assert cleaner.feed(data[:cut]) + cleaner.feed(data[cut:]) == (
            "ab\x1b[200~Alice Martin\nsecond line\x1b[201~cd"
        ), cut


def test_keys_outside_a_paste_go_through_at_once() -> None:
    """A lone ESC is the Escape key only if the parser gets it now, not with the next key."""
    cleaner = paste.PasteCleaner()
    assert [cleaner.feed(key) for key in ("\x1b", "\x1b[", "A", "\x1b[A")] == [
        "\x1b",
        "\x1b[",
        "A",
        "\x1b[A",
    ]


@pilot_test
async def test_keys_typed_straight_after_enter_land_in_the_next_field(demo_bank: Bank) -> None:
    """Enter moves to the next field by a message from the field; keys the terminal delivers
    before that message arrives (fast typing, a slow link, a scanner) wait for it instead of
    landing in the field just left."""
    app = make_app(demo_bank)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, settle, "f2", Expect(RegisterScreen))
        first = app.focused
        assert isinstance(first, Input)
        for key in ("d", "o", "r", "a", "enter", "D", "o", "r", "a"):
            app.post_message(events.Key(key, None if key == "enter" else key))
        await settle(pilot)
        second = app.focused
        assert isinstance(second, Input) and second is not first
        assert (first.value, second.value) == ("dora", "Dora")
