"""The deterministic drafter: clustering, alignment, patterns and generalisation."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import polars as pl
import pytest
import re2

from argus.mining.drafting import Draft, draft_templates, generalize, template_to_pattern
from argus.mining.patterns import RUN, VALUE_RUN, run_positions
from argus.mining.scoring import grouping_accuracy

LOGHUB = Path(__file__).resolve().parents[3] / "shared" / "data" / "loghub2k"

MIXED = [
    "PacketResponder 1 for block blk_38865049064139660 terminating",
    "PacketResponder 0 for block blk_-6952295868487656571 terminating",
    "Receiving block blk_-16089 src: /10.250.19.102:54106 dest: /10.250.19.102:50010",
    "Receiving block blk_7503483 src: /10.250.10.6:40524 dest: /10.250.10.6:50010",
    "startAnimation begin",
    "startAnimation end",
    "Changing view acls to: yarn,curi",
    "Changing view acls to: root",
    "Changing modify acls to: root",
    "session opened for user cyrus by (uid=0)",
    "session opened for user news by (uid=0)",
    "session opened for user test by (uid=0)",
    'acquire lock=233570404, flags=0x1, tag="RILJ_ACK_WL", name=com.android.phone, uid=1001',
    'acquire lock=9, flags=0x1, tag="*launch*", name=android, uid=1000',
    "Block rdd_2_3 stored as bytes in memory (estimated size 16.0 B, free 5 KB)",
    "Block rdd_4_1 stored as bytes in memory (estimated size 2.0 KB, free 9 KB)",
    "connection from 1.2.3.4 () at Fri Jun 17 07:07:00 2005",
    "connection from 5.6.7.8 (5-6-7-8.dsl.example.net) at Sat Jun 18 09:00:00 2005",
]


def _templates(drafts: list[Draft]) -> set[str]:
    return {d.template for d in drafts}


def test_drafts_group_events_and_align_values() -> None:
    drafts = draft_templates(MIXED)
    assert _templates(drafts) == {
        "PacketResponder <*> for block <*> terminating",
        "Receiving block <*> src: <*> dest: <*>",
        "startAnimation begin",
        "startAnimation end",
        "Changing view acls to: <*>",
        "Changing modify acls to: root",
        "session opened for user <*> by (uid=<*>)",
        'acquire lock=<*>, flags=<*>, tag="<*>", name=<*>, uid=<*>',
        "Block <*> stored as bytes in memory (estimated size <*> <*>, free <*> KB)",
        "connection from <*> (<*>) at <*> <*> <*> <*>:<*>:<*> <*>",
    }
    covered = sorted(i for d in drafts for i in d.members)
    assert covered == list(range(len(MIXED)))


def test_every_member_matches_and_no_other_sample_does() -> None:
    drafts = draft_templates(MIXED)
    for draft in drafts:
        regex = re2.compile(draft.pattern)
        assert draft.sample in [MIXED[i] for i in draft.members]
        assert all(regex.search(MIXED[i]) for i in draft.members), draft.template
        others = [d.sample for d in drafts if d is not draft]
        assert not any(regex.search(s) for s in others), draft.template


def test_patterns_are_valid_in_rust_regex() -> None:
    drafts = draft_templates(MIXED)
    frame = pl.DataFrame({"text": MIXED})
    for draft in drafts:
        hits = frame.select(pl.col("text").str.contains(draft.pattern)).to_series()
        assert all(hits[i] for i in draft.members), draft.template


def test_empty_and_tiny_inputs() -> None:
    assert draft_templates([]) == []
    (only,) = draft_templates(["Registered BlockManager"])
    assert only.template == "Registered BlockManager"
    assert only.members == (0,)


def test_template_to_pattern_escapes_and_allows_spaces() -> None:
    pattern = template_to_pattern("a.b (x) [<*>] $1 ^ | <*>+?")
    assert pattern == r"^\s*a\.b\s+\(x\)\s+\[\S*\]\s+\$1\s+\^\s+\|\s+\S*\+\?\s*$"
    regex = re2.compile(pattern)
    assert regex.search(" a.b  (x) [7] $1 ^ | q+?")
    assert not regex.search("aXb (x) [7] $1 ^ | q+?")
    assert not regex.search("a.b (x) [7 8] $1 ^ | q+?")  # a variable never spans words


def test_generalize_widens_on_values() -> None:
    wider = generalize("Changing view acls to: yarn,curi", ["Changing view acls to: root"])
    assert wider == "Changing view acls to: <*>"
    regex = re2.compile(template_to_pattern(wider))
    assert regex.search("Changing view acls to: yarn,curi")


def test_generalize_refuses_other_events() -> None:
    assert generalize("startAnimation begin", ["startAnimation end"]) is None
    assert generalize("Changing view acls to: <*>", ["Changing modify acls to: root"]) is None
    assert generalize("a b c", ["a b c d"]) is None
    assert generalize("a b c", []) is None


def test_generalize_learns_a_column_from_several_values() -> None:
    old = "session closed for user cyrus"
    assert generalize(old, ["session closed for user news"]) is None
    texts = ["session closed for user news", "session closed for user test"]
    assert generalize(old, texts) == "session closed for user <*>"


def test_generalize_returns_none_when_nothing_changes() -> None:
    assert generalize("took <*> ms", ["took 5 ms"]) is None


def test_hundred_texts_draft_fast() -> None:
    texts = [
        f"event {i % 7} from node-{i} took {i * 3} ms status={'ok' if i % 2 else 'bad'}"
        for i in range(100)
    ]
    texts += [f"word{i % 5}x other thing {i}" for i in range(20)]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        draft_templates(texts[:100])
        best = min(best, time.perf_counter() - started)
    assert best < 0.05


def test_loghub_batch_grouping() -> None:
    if not LOGHUB.is_dir():
        pytest.skip(f"Loghub-2k data not found at {LOGHUB} (needs ../shared/data)")
    scores = []
    for system in ("HDFS", "Spark", "BGL", "Apache", "HealthApp", "OpenStack", "Android", "Linux"):
        path = LOGHUB / system / f"{system}_2k.log_structured_corrected.csv"
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        contents = [r["Content"] for r in rows]
        predicted = [""] * len(contents)
        for draft in draft_templates(contents):
            regex = re2.compile(draft.pattern)
            for i in draft.members:
                assert regex.search(contents[i]), (system, draft.template)
                predicted[i] = draft.template
        scores.append(grouping_accuracy([r["EventTemplate"] for r in rows], predicted))
    assert sum(scores) / len(scores) >= 0.9


def test_literal_angle_brackets_and_stars_round_trip() -> None:
    texts = ["lifetime <1 sec", "lifetime <25 sec", "hits *3* of >40", "hits *7* of >2"]
    drafts = draft_templates(texts)
    templates = {d.template for d in drafts}
    assert templates == {"lifetime <<*> sec", "hits *<*>* of ><*>"}
    for draft in drafts:
        regex = re2.compile(template_to_pattern(draft.template))
        assert all(regex.match(texts[i]) for i in draft.members)


def test_a_run_of_variables_of_varying_length_is_one_variable() -> None:
    texts = [
        "Supported channels 1 2 3 on wlan0",
        "Supported channels 1 2 3 4 5 6 7 on wlan0",
        "Supported channels 36 40 on wlan1",
    ]
    (draft,) = draft_templates(texts)
    assert draft.template == "Supported channels <*> on <*>"
    regex = re2.compile(draft.pattern)
    assert all(regex.match(t) for t in [*texts, "Supported channels 9 on wlan2"])
    assert not regex.match("Supported channels on wlan0")
    assert not regex.match("Supported modes 1 2 on wlan0")


def test_a_run_of_fixed_length_keeps_one_variable_per_word() -> None:
    (draft,) = draft_templates(["child init 1 22", "child init 3 4"])
    assert draft.template == "child init <*> <*>"


def test_a_template_widens_its_run_for_later_lines() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.library import MemoryTemplateStore

    store = MemoryTemplateStore()
    committee = Committee(RuleDrafter(), store)
    first = committee.run(["Supported channels 1 2 3", "Supported channels 4 5 6"], [])
    assert [t.template for t in first.added] == ["Supported channels <*> <*> <*>"]
    later = committee.run(["Supported channels 1 2 3 4 5"], store.load())
    assert [t.template for t in later.revised] == ["Supported channels <*>"]
    (template,) = store.load()
    regex = re2.compile(template.pattern)
    assert regex.match("Supported channels 1 2 3") and regex.match("Supported channels 7")
    assert run_positions(template.template, template.pattern) == [
        "Supported",
        "channels",
        VALUE_RUN,
    ]


@pytest.mark.parametrize(
    ("texts", "template"),
    [
        (  # runs of different lengths around plain words
            [
                "reva 242 61 31 jajapi we 247 54 mamuve",
                "reva 179 jajapi we 188 5 6 7 mamuve",
                "reva 1 2 jajapi we 3 mamuve",
            ],
            "reva <*> jajapi we <*> mamuve",
        ),
        (  # a run and an optional detail: two values after "ga" without it, three with it
            [
                "zi sela v1 ga 1 2 do lu 5",
                "zi sela v2 ga 1 2 3 do lu 6 (vuji 7 ms)",
                "zi sela v3 ga 4 9 8 do lu 8 (vuji 12 ms)",
                "zi sela v4 ga 5 6 do lu 9",
            ],
            "zi sela <*> ga <*> do lu <*>",
        ),
    ],
    ids=["runs-around-plain-words", "run-and-optional-detail"],
)
def test_variable_parts_of_one_event_give_one_template(texts: list[str], template: str) -> None:
    (draft,) = draft_templates(texts)
    assert draft.template == template
    regex = re2.compile(draft.pattern)
    assert all(regex.match(t) for t in texts)


def test_a_run_of_values_does_not_swallow_the_plain_words_of_another_event() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.library import MemoryTemplateStore

    store = MemoryTemplateStore()
    committee = Committee(RuleDrafter(), store)
    committee.run(["reva 1 2 mamuve", "reva 3 4 5 mamuve", "reva 6 mamuve"], [])
    (values,) = store.load()
    assert values.template == "reva <*> mamuve"
    regex = re2.compile(values.pattern)
    assert regex.match("reva 7 8 9 10 mamuve")
    assert not regex.match("reva 1 jajapi we 2 mamuve")
    other = ["reva 1 jajapi we 2 mamuve", "reva 3 4 jajapi we 5 mamuve"]
    later = committee.run(other, store.load())
    assert [t.template for t in later.added] == ["reva <*> jajapi we <*> mamuve"]
    assert not later.revised


def test_a_run_holding_plain_words_in_its_cluster_still_matches_them() -> None:
    texts = ["ids 5 abc 6 done", "ids 5 6 7 done", "ids 1 2 done", "ids 8 done"]
    drafts = draft_templates(texts)
    assert [d.template for d in drafts] == ["ids <*> done"]
    regex = re2.compile(drafts[0].pattern)
    assert all(regex.match(t) for t in texts)
    assert run_positions(drafts[0].template, drafts[0].pattern) == ["ids", RUN, "done"]


def test_an_optional_parenthesised_detail_after_a_value_does_not_split_the_event() -> None:
    texts = ["sent 5 (1.2 KB)", "sent 6", "sent 9 (3.1 MB)", "sent 12 (took 4 ms)"]
    (draft,) = draft_templates(texts)
    assert draft.template == "sent <*>"  # the detail is part of the value's <*>
    regex = re2.compile(draft.pattern)
    assert all(regex.match(t) for t in texts)
    assert not regex.match("sent 5 more")


def test_a_detail_of_literal_words_names_the_event() -> None:
    drafts = draft_templates(["range 5 (reserved)", "range 6 (usable)", "range 7 (reserved)"])
    assert {d.template for d in drafts} == {"range <*> (reserved)", "range <*> (usable)"}


def test_a_template_makes_a_detail_optional_for_later_lines() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.library import MemoryTemplateStore

    store = MemoryTemplateStore()
    committee = Committee(RuleDrafter(), store)
    committee.run(["flushed rows 10", "flushed rows 20"], [])
    later = committee.run(["flushed rows 30 (in 4 ms)", "flushed rows 40 (in 9 ms)"], store.load())
    assert [t.template for t in later.revised] == ["flushed rows <*>"]
    (template,) = store.load()
    regex = re2.compile(template.pattern)
    assert regex.match("flushed rows 1") and regex.match("flushed rows 2 (in 3 ms)")


HOSTS = ["a.example.com", "cdn.example.net", "b.foo.org", "mail.qux.com", "api.zed.org"]


def test_a_leading_word_that_varies_across_otherwise_equal_lines_is_a_variable() -> None:
    texts = [f"{h}:{p} close, bytes {n}" for h in HOSTS for p, n in ((80, 5), (443, 17))]
    (draft,) = draft_templates(texts)
    assert draft.template == "<*>:<*> close, bytes <*>"
    few = draft_templates([f"{h}:80 close, bytes 5" for h in HOSTS[:2]])
    assert len(few) == 2  # two words at the start may name two events


def test_library_siblings_that_differ_at_one_word_merge_into_one_template() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.library import MemoryTemplateStore

    store = MemoryTemplateStore()
    committee = Committee(RuleDrafter(), store)
    for host in HOSTS[:4]:  # one host per run: four templates, too few to call it a column
        committee.run([f"{host}:80 close, bytes 5"], store.load())
    assert len(store.load()) == 4
    report = committee.run([f"{HOSTS[4]}:443 close, bytes 9"], store.load())
    assert not report.added and len(report.revised) == 4
    assert {t.template for t in store.load()} == {"<*>:<*> close, bytes <*>"}


def test_a_refused_cluster_at_the_end_of_the_input_keeps_the_run_notation() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.index import Template
    from argus.mining.library import MemoryTemplateStore

    # An older, vaguer template whose sample the cluster's draft would take: the draft is
    # refused, and the end of the input falls back to masked templates.
    vague = Template(
        template_id=1,
        pattern=template_to_pattern("<*> <*> done"),
        template="<*> <*> done",
        sample="job 7 done",
    )
    texts = ["job 1 2 done", "job 3 4 5 done", "job 6 7 8 9 done"]
    store = MemoryTemplateStore()
    report = Committee(RuleDrafter(), store).run(texts, [vague], final=True)
    assert not report.unplaced
    assert [t.template for t in report.added] == ["job <*> done"]
    regex = re2.compile(report.added[0].pattern)
    assert all(regex.match(t) for t in texts)


def test_a_template_with_a_run_makes_a_detail_optional_for_later_lines() -> None:
    from argus.mining.committee import Committee, RuleDrafter
    from argus.mining.library import MemoryTemplateStore

    store = MemoryTemplateStore()
    committee = Committee(RuleDrafter(), store)
    committee.run(["zi sela ga 1 2 do lu 5", "zi sela ga 1 2 3 do lu 6"], [])
    later = ["zi sela ga 4 do lu 7 (vuji 3 ms)", "zi sela ga 4 5 do lu 8 (vuji 9 ms)"]
    report = committee.run(later, store.load())
    assert [t.template for t in report.revised] == ["zi sela ga <*> do lu <*>"]
    (template,) = store.load()
    regex = re2.compile(template.pattern)
    assert regex.match("zi sela ga 1 do lu 2") and regex.match("zi sela ga 1 2 do lu 3 (vuji 4 ms)")
