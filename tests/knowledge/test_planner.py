"""Vector plans under filters, and reciprocal rank fusion."""

from __future__ import annotations

from argus.knowledge.fusion import RRF_K, ranks, reciprocal_rank_fusion
from argus.knowledge.planner import (
    EXACT_MAX_ROWS,
    HNSW_MAX_EF,
    SAFETY,
    TARGET_SURVIVORS,
    choose_text_terms,
    forced_plan,
    plan_vector_search,
)


def test_selective_filters_are_scanned_exactly() -> None:
    plan = plan_vector_search(estimated_rows=EXACT_MAX_ROWS, total_rows=100_000, candidates=10)
    assert plan.strategy == "exact"
    assert plan_vector_search(50, 60, 10).strategy == "exact"  # tiny table


def test_unselective_filters_use_hnsw_with_ef_sized_to_selectivity() -> None:
    wide = plan_vector_search(estimated_rows=100_000, total_rows=100_000, candidates=10)
    assert (wide.strategy, wide.ef_search) == ("hnsw", TARGET_SURVIVORS)
    share = plan_vector_search(estimated_rows=50_000, total_rows=100_000, candidates=10)
    assert share.strategy == "hnsw" and share.ef_search == min(HNSW_MAX_EF, 2 * TARGET_SURVIVORS)
    long_list = plan_vector_search(estimated_rows=100_000, total_rows=100_000, candidates=150)
    assert long_list.ef_search == max(TARGET_SURVIVORS, SAFETY * 150)


def test_hnsw_at_the_ef_cap_must_still_yield_the_candidates() -> None:
    at_cap = plan_vector_search(estimated_rows=2_000, total_rows=100_000, candidates=10)
    assert (at_cap.strategy, at_cap.ef_search) == ("hnsw", HNSW_MAX_EF)  # 1000 x 2% = 20 >= 10
    too_few = plan_vector_search(estimated_rows=1_500, total_rows=100_000, candidates=20)
    assert too_few.strategy == "exact"  # 1000 x 1.5% = 15 < 20


def test_forced_plans() -> None:
    assert forced_plan("exact", 10, 100, 20).ef_search == 0
    plan = forced_plan("hnsw", 5, 100_000, 20)
    assert (plan.strategy, plan.ef_search) == ("hnsw", HNSW_MAX_EF)
    assert forced_plan("hnsw", 100_000, 100_000, 5).ef_search == TARGET_SURVIVORS


def test_text_terms_fit_the_budget_rarest_first() -> None:
    frequencies = {"error": 0.30, "timeout": 0.05, "lidar": 0.004, "front": 0.003}
    lexemes = ["error", "front", "lidar", "timeout", "e2042"]
    # Few rows pass the filters: every term is affordable.
    assert choose_text_terms(lexemes, frequencies, 400, 100_000, 500) == lexemes
    # Many rows: rarest first while the whole-table matches fit 500 rows; an unlisted lexeme
    # (the error code) counts as the rarest listed frequency.
    assert choose_text_terms(lexemes, frequencies, 50_000, 100_000, 700) == ["e2042", "front"]
    assert choose_text_terms(lexemes, frequencies, 50_000, 100_000, 1_000) == [
        "e2042",
        "front",
        "lidar",
    ]
    # No statistics (never analysed): keep everything.
    assert choose_text_terms(lexemes, {}, 50_000, 100_000, 10) == lexemes


def test_rrf_rewards_agreement_between_signals() -> None:
    scores = reciprocal_rank_fusion(
        {"vector": ranks([1, 2, 3]), "text": ranks([2, 3]), "code": {3: 1}}
    )
    assert scores[1] == 1 / (RRF_K + 1)
    assert scores[2] == 1 / (RRF_K + 2) + 1 / (RRF_K + 1)
    assert max(scores, key=scores.__getitem__) == 3  # two middling ranks + the exact code
