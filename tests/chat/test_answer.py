"""The rule path's answer and the chunking of answers into token events."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from argus.chat.answer import compose
from argus.chat.events import CHUNK_CHARS, chunks


def test_the_answer_says_it_was_written_without_an_llm() -> None:
    suspects = {
        "incident": True,
        "category_guess": "database",
        "suspects": [{"module": "payment", "score": 0.9, "reasons": ["new errors"]}],
    }
    text = compose([("suspect_modules", suspects)], "no LLM is configured")
    assert text.startswith("Answered without an LLM (no LLM is configured)")
    assert "the most suspect module is payment" in text


def test_a_failed_tool_is_named_with_its_error() -> None:
    text = compose([("search_knowledge", {"error": "knowledge base down"})], "x")
    assert "search_knowledge could not answer: knowledge base down" in text


def test_an_undiagnosed_batch_says_so() -> None:
    report = {"diagnosed": False, "status": "parsing", "failure_reason": None}
    assert "not diagnosed yet: it is parsing" in compose([("batch_report", report)], "x")


def test_a_follow_up_names_the_earlier_question() -> None:
    text = compose([("module_counts", {"modules": []})], "x", follows="which module?")
    assert "Following up on your earlier question ('which module?')" in text


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=600))
def test_chunks_join_back_to_the_text(text: str) -> None:
    pieces = chunks(text)
    assert "".join(pieces) == text
    assert all(0 < len(p.rstrip("\r\n")) <= CHUNK_CHARS or p.strip("\r\n") == "" for p in pieces)
