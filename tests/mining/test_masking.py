"""Masking: atoms, variable detection, tokenization and the de-duplication key."""

from __future__ import annotations

import pytest

from argus.mining.masking import atoms, is_variable_atom, mask, mask_word, tokenize


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 "
            "dest: /10.250.19.102:50010",
            "Receiving block <*> src: <*> dest: <*>",
        ),
        ("10.251.91.229:50010:Got exception", "<*>:Got exception"),
        ("Deleting file /mnt/hadoop/dfs/data/current/subdir11", "Deleting file <*>"),
        (
            "Input split: hdfs://10.10.34.11:9000/pjhe/test/1/part-00005:0+134217728",
            "Input split: <*>",
        ),
        ("req 38101a0b-2096-447d-96ea-a692162415ae done", "req <*> done"),
        ("mac 00:1b:44:11:3a:b7 flags=0x1f mask ffffffff", "mac <*> flags=<*> mask <*>"),
        ("ready=true, cancel false, ws=null", "ready=<*>, cancel <*>, ws=<*>"),
        ("took 0.2477829 seconds at 04:12:34.", "took <*> seconds at <*>:<*>:<*>."),
    ],
)
def test_mask_replaces_values(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_mask_normalises_whitespace() -> None:
    assert mask("  a   b\tc ") == "a b c"


def test_names_with_a_few_digits_stay_literal() -> None:
    assert mask("jk2_init() Found child 42") == "jk2_init() Found child <*>"
    assert mask("Slf4jLogger started") == "Slf4jLogger started"
    assert is_variable_atom("u0")
    assert is_variable_atom("a64f992")  # hex id


def test_keys_before_equals_stay_literal() -> None:
    assert mask("PSR0=0x00 r24=5 (0=sup,1=usr)") == "PSR0=<*> r24=<*> (<*>=sup,<*>=usr)"


def test_numbered_suffix_keeps_the_name() -> None:
    assert mask_word("core.1234") == "core.<*>"


def test_compound_value_after_key_is_one_variable() -> None:
    assert mask_word("steps=1514038440000##7017##548365") == "steps=<*>"
    assert mask_word("bnds=[0,1][2,3]") == "bnds=<*>"
    assert mask_word("tty=:0") == "tty=:<*>"  # starts with a delimiter: kept apart


def test_calendar_words_are_values_and_words_never_merge() -> None:
    text = "connection from 1.2.3.4 at Fri Jun 17 07:07:00 2005"
    assert tokenize(text)[-2:] == ["07:07:00", "2005"]
    assert mask(text) == "connection from <*> at <*> <*> <*> <*>:<*>:<*> <*>"


@pytest.mark.parametrize(
    "word", ["a=b,c", "(uid=0)", "x.y/.z", "blk_-1", "....0x1", "[a:b]", "/p/q:1", "é=ü"]
)
def test_atoms_cover_the_word(word: str) -> None:
    assert "".join(text for text, _ in atoms(word)) == word


def test_mask_is_idempotent() -> None:
    for text in ["uid=0 euid=0 tty=NODEVssh", "a b=1##2 core.3 [x] <*>", "at 10:00:00 ok"]:
        assert mask(mask(text)) == mask(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("lifetime <1 sec", "lifetime <<*> sec"),
        ("queue >250 items", "queue ><*> items"),
        ("took *5* ms", "took *<*>* ms"),
        ("weight 3*4 kg", "weight <*> kg"),  # a '*' inside a value is part of it
        ("tag=*launch* ok", "tag=*launch* ok"),  # no value: the word stays as it is
        ("<5> and <*x*>", "<<*>> and <*x*>"),
    ],
)
def test_literal_angle_brackets_and_stars_next_to_a_value_are_kept(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_stars_around_a_word_wrap_what_is_masked_on_its_own() -> None:
    # without the stars taken off first, "*3f" was one atom and the address fell apart
    # into bytes, the ones without a digit ("bf") kept literal
    for word in ("*3f:f8:44:6f:82:50*", "*de:ff:c6:52:bf:cf*", "*10.0.0.1*"):
        assert mask_word(word) == "*<*>*"
    assert mask_word("*abc*") == "*abc*"
    assert mask_word("**") == "**"
    assert "".join(text for text, _ in atoms("**5:x*")) == "**5:x*"
