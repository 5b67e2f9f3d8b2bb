"""Vectorised template assignment: every id it gives is a real match of that line."""

from __future__ import annotations

import polars as pl

from argus.mining.index import Template, TemplateIndex
from argus.mining.matching import ChunkMatcher, proof_regexes, surely_matched
from argus.mining.patterns import template_to_pattern


def _index(*templates: Template) -> TemplateIndex:
    return TemplateIndex.build(templates, version=1)


def test_lines_of_one_shape_but_other_templates_are_matched_alone() -> None:
    index = _index(
        Template(
            template_id=1, pattern=r"^port 80 open$", template="port 80 open", sample="port 80 open"
        ),
        Template(
            template_id=2,
            pattern=r"^port \d+ open$",
            template="port <*> open",
            sample="port 1 open",
        ),
    )
    lines = pl.Series(["port 80 open", "port 81 open", "port 80 open", "port 7 open"])
    # all four share the shape "port 0 open"; the first fixes it to template 1
    assert ChunkMatcher(index).assign(lines).to_list() == [1, 2, 1, 2]


def test_shapes_learnt_in_one_chunk_serve_the_next() -> None:
    index = _index(
        Template(
            template_id=1, pattern=r"^took \d+ ms$", template="took <*> ms", sample="took 1 ms"
        )
    )
    matcher = ChunkMatcher(index)
    assert matcher.assign(pl.Series(["took 5 ms", "nope"])).to_list() == [1, None]
    assert matcher.assign(pl.Series(["took 99 ms", "took x ms"])).to_list() == [1, None]


def test_a_pattern_polars_cannot_compile_is_matched_by_re2() -> None:
    # \Q...\E quoting is RE2 syntax that polars' Rust engine rejects
    index = _index(
        Template(
            template_id=1,
            pattern=r"^\Quser(1)\E logged in$",
            template="user(1) logged in",
            sample="user(1) logged in",
        )
    )
    lines = pl.Series(["user(1) logged in", "user(2) logged in", "user(1) logged out"])
    assert ChunkMatcher(index).assign(lines).to_list() == [1, None, None]


def _own(template_id: int, template: str) -> Template:
    return Template(
        template_id=template_id,
        pattern=template_to_pattern(template),
        template=template,
        sample=template.replace("<*>", "1"),
    )


def test_pass_one_proof_never_claims_a_text_re2_does_not_match() -> None:
    index = _index(_own(1, "took <*> ms"), _own(2, "user <*> logged in"))
    texts = pl.Series(
        [
            "took 5 ms",
            "took  5   ms",
            "user u1 logged in",
            "took 5 s",  # no template
            "took\u00a05 ms",  # NBSP: Rust's \s takes it, RE2's does not
            "took\x0b5 ms",  # vertical tab: the same
            "user é logged in",  # not ASCII: left to RE2
        ]
    )
    proven = surely_matched(texts, proof_regexes(index))
    assert proven is not None
    sure = proven.to_list()
    assert sure == [True, True, True, False, False, False, False]
    for text, proven in zip(texts, sure, strict=True):
        assert not proven or index.match(text) is not None


def test_pass_one_proof_uses_only_patterns_of_the_engines_own_dialect() -> None:
    # \< is a literal '<' for RE2 and a word start for Rust's regex: such a pattern proves nothing
    odd = Template(template_id=1, pattern=r"^\s*a\s+\<b\s*$", template="a <b", sample="a <b")
    assert proof_regexes(_index(odd)) == []
    both = _index(odd, _own(2, "took <*> ms"))
    proven = surely_matched(pl.Series(["took 1 ms", "a <b"]), proof_regexes(both))
    assert proven is not None and proven.to_list() == [True, False]


def test_regexes_polars_cannot_take_leave_every_text_to_re2() -> None:
    assert surely_matched(pl.Series(["x"]), ["a{1000}{1000}"]) is None
