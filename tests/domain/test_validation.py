"""Text people type or paste: control characters and terminal escapes never get in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankapp.domain.validation import clean_text, is_control, without_controls
from bankapp.errors import ValidationFailed


@pytest.mark.parametrize(
    ("pasted", "clean"),
    [
        ("Alice\x1b[2J\x07 Martin", "Alice Martin"),
        ("\x1b[1;31mRed\x1b[0m text", "Red text"),
        ("\x9b31mRed\x9b0m", "Red"),
        ("\x1b]0;a window title\x07Bob", "Bob"),
        ("\x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bPq#0;2;0;0;0\x1b\\done", "done"),
        ("\x1b(Bplain\x1b7\x1b8", "plain"),
        ("tab\there", "tab here"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("nul\x00 del\x7f c1\x85", "nul del c1"),
        ("Zoë 北京 😀", "Zoë 北京 😀"),
    ],
)
def test_pasted_text_loses_every_control_sequence_whole_and_keeps_its_order(
    pasted: str, clean: str
) -> None:
    assert without_controls(pasted) == clean


@given(st.text(max_size=60))
def test_cleaned_text_holds_no_control_character_but_line_breaks(text: str) -> None:
    cleaned = without_controls(text)
    assert all(ch == "\n" or not is_control(ch) for ch in cleaned)
    assert without_controls(cleaned) == cleaned


def test_a_control_character_in_a_name_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_text("Alice\x1b[2J Martin", field="full_name", label="Full name", max_length=100)
    assert caught.value.field == "full_name"
    assert caught.value.message == (
        "Full name contains a control character (such as a tab or a terminal escape code); "
        "type it again without it."
    )
