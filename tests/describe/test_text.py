"""What a drafted description may be: plain text, short, no markup."""

from __future__ import annotations

import pytest

from argus.describe.text import MAX_CHARS, clip, plain_description
from argus.errors import LLMOutputInvalid


def test_a_plain_answer_is_kept_with_its_whitespace_flattened() -> None:
    answer = '  "The payment service charges cards\n and keeps a ledger of each order."  '
    assert plain_description(answer) == (
        "The payment service charges cards and keeps a ledger of each order."
    )


@pytest.mark.parametrize(
    "answer",
    [
        "# Payment\nThe payment service charges cards.",
        "The payment service **charges** cards for orders.",
        "<p>The payment service charges cards.</p>",
        "- charges cards\n- keeps a ledger of orders",
        '{"description": "The payment service charges cards."}',
        "```\nThe payment service charges cards.\n```",
        "See [the docs](http://example.com) for the payment service.",
        "too short",
        "x" * (MAX_CHARS + 1),
    ],
)
def test_markup_and_bad_lengths_are_refused(answer: str) -> None:
    with pytest.raises(LLMOutputInvalid):
        plain_description(answer)


def test_clip_cuts_at_a_word_and_marks_the_cut() -> None:
    text = "word " * 200
    cut = clip(text, 50)
    assert len(cut) <= 50 and cut.endswith("…") and "wor…" not in cut
    assert clip("a\x00b\u202ec  d") == "abc d"
