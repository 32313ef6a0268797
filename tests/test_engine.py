"""The query path's shortcuts (expansions remembered per index, highlighting by term) answer as before."""
from __future__ import annotations

import pytest

import korean
import search
from search import planner


def _answer(service, query):
    results = service.search(query, limit=20)
    return results.total, results.did_you_mean, [(h.code, h.score, h.marked) for h in results.hits]


@pytest.mark.parametrize("query", ["snapshot 스냅샷", "channel 채널 이름", "스냅샷 채널 not found", "썸네일 recording"])
def test_each_index_expands_words_against_its_own_terms(tmp_path, make_catalog, catalog, query):
    """A word expanded against one index is not taken as found (or missing) in another."""
    first = search.SearchService(make_catalog([c for c in catalog.codes if c.category == "channel"]), tmp_path / "a")
    second = search.SearchService(make_catalog([c for c in catalog.codes if c.category != "channel"]), tmp_path / "b")
    for one, other in ((first, second), (second, first)):
        one.search(query)
        remembered = _answer(other, query)
        planner._EXPANSIONS.clear()
        assert remembered == _answer(other, query)


def test_remembered_expansions_stay_bounded(search_service, monkeypatch):
    monkeypatch.setattr(planner, "_EXPANSIONS_MAX", 8)
    monkeypatch.setattr(planner, "_EXPANSIONS", {})
    first = [h.code for h in search_service.search("channel name 채널 이름 snapshot 스냅샷").hits]
    for word in ("bucket", "stream key", "송출", "녹화", "thumbnail", "segment duration", "인코딩", "title"):
        search_service.search(word)
    assert all(len(held) <= 8 for _, held in planner._EXPANSIONS.values())
    assert [h.code for h in search_service.search("channel name 채널 이름 snapshot 스냅샷").hits] == first


def _naive_mark(text, analyzers):
    """Every token's span whose term is wanted, merged: the definition mark() must keep."""
    found = sorted((t.startchar, t.endchar) for analyzer, terms in analyzers
                   for t in analyzer(text, chars=True, mode="index") if t.text in terms)
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return search.Marked(text, tuple((a, b) for a, b in merged)) if found else search.Marked(text)


@pytest.mark.parametrize("text, analyzers", [
    ("The channel name of channel 'a' and the channel's id", [(search.EN, {"channel", "id"})]),
    ("채널 이름과 채널 상태, 채널을 다시 확인", [(search.BI, {"채널", "상태"}), (search.EN, {"channel"})]),
    ("Stream key 송출 키 stream", [(search.BI, {"송출"}), (search.EN, {"stream", "key", "absent"})]),
    ("nothing matches here", [(search.EN, {"other"})]),
])
def test_every_occurrence_of_a_term_is_marked(text, analyzers):
    for _ in range(2):  # analysed once, then from the remembered spans
        assert search.mark(text, analyzers) == _naive_mark(text, analyzers)


@pytest.mark.parametrize("query", ["channel not found 채널", "스냅샷 snapshot 생성 실패", "녹화 recording bucket 버킷",
                                   "stream key 송출 키", "썸네일 thumbnail 이름"])
def test_a_hits_fields_are_marked_as_mark_marks_each(search_service, query):
    """Marking a hit's fields together (its texts analysed once) gives what mark() gives per field."""
    stored = {"name": "name", "message": "message_text", "description_ko": "desc_ko",
              "summary_en": "summary_en", "summary_ko": "summary_ko"}
    vocab = search_service._loaded.vocab
    plan = search.make_plan(korean.normalize(query), vocab, search_service.glossary, search_service.thesaurus)
    en, ko = [(search.EN, plan.en)], [(vocab.ko_analyzer, plan.ko), (search.BI, plan.bi), (search.EN, plan.en)]
    hits = search_service.search(query, limit=20).hits
    assert hits and any(m.spans for h in hits for m in h.marked.values())
    for _ in range(2):  # then from the document's remembered spans
        for hit in search_service.search(query, limit=20).hits:
            code = next(c for c in search_service.catalog.codes if c.code == hit.code)
            fields = {"name": code.name or "", "message_text": code.message, "desc_ko": code.description_ko,
                      "summary_en": code.summary.en, "summary_ko": code.summary.ko}
            assert list(hit.marked) == list(stored)
            for shown, name in stored.items():
                analyzers = ko if shown in ("description_ko", "summary_ko") else en
                assert hit.marked[shown] == search.mark(fields[name], analyzers), (hit.code, shown)


@pytest.mark.parametrize("query", ["channel not found", "스냅샷 생성 실패", "recording bucket 버킷", "stream key 송출"])
def test_totals_of_cut_postings_count_every_match(tmp_path, catalog, monkeypatch, query):
    """With postings cut to their best few (a large catalog), the total still counts every
    document matched: the same total as the uncut search of a deep page, pinned codes included."""
    from search import scoring, service as service_module
    monkeypatch.setattr(scoring, "TOP_POSTINGS", 4)  # lists cut to 4 postings
    monkeypatch.setattr(service_module, "TOP_POSTINGS", 100)  # and used uncut from page 5 of 5 on
    service = search.SearchService(catalog, tmp_path / "cut")
    pinned = [("250001", None), ("210", None)]
    first, deep = service.search(query, limit=5), service.search(query, limit=5, page=5)
    assert first.total == deep.total > 5
    pinned_first = service.search(query, limit=5, pinned=pinned)
    pinned_deep = service.search(query, limit=5, page=5, pinned=pinned)
    assert pinned_first.total == pinned_deep.total >= first.total


@pytest.mark.parametrize("seed", range(5))
def test_the_best_scores_are_picked_as_a_full_sort_picks_them(seed):
    """best_first gives heapq.nlargest's pairs by (score, -docnum), equal scores included."""
    import heapq
    import random
    from search.scoring import best_first
    rng = random.Random(seed)
    scores = {rng.randrange(5000): rng.choice([1.5, 2.25, 7.0, rng.random() * 9]) for _ in range(rng.randrange(1, 800))}
    for n in (1, 3, 10, 50, len(scores), len(scores) + 5):
        assert best_first(scores, n) == heapq.nlargest(n, scores.items(), key=lambda x: (x[1], -x[0]))


def scoring_max(weighted):
    from search.scoring import _combine_max
    return _combine_max(weighted)


CONCEPT_QUERIES = ["channel not found 채널", "스냅샷 snapshot 생성 실패", "recording bucket 버킷", "stream key 송출 키",
                   "썸네일 thumbnail 이름", "live curtain 라이브 커튼", "quality set 화질", "timemachine 타임머신"]


def test_kept_concepts_stay_within_their_budget_and_answer_as_computed(tmp_path, catalog, monkeypatch):
    """Concepts combined once and kept answer as combined anew; their bytes never pass the budget."""
    from search import service as service_module
    fresh = search.SearchService(catalog, tmp_path / "fresh")
    computed = {query: _answer(fresh, query) for query in CONCEPT_QUERIES}
    budget = 40_000  # the concepts of a query or two of the real catalog, not of all of them
    monkeypatch.setattr(service_module, "MIN_CONCEPT_BYTES", budget)
    monkeypatch.setattr(service_module, "MAX_CONCEPT_BYTES", budget)
    combined = []
    monkeypatch.setattr(service_module, "_combine_max", lambda weighted: combined.append(1) or scoring_max(weighted))
    service = search.SearchService(catalog, tmp_path / "kept")
    recombined = 0
    for round in range(2):
        for query in CONCEPT_QUERIES:
            for again in (False, True):
                combined.clear()
                assert _answer(service, query) == computed[query]
                assert not (again and combined)  # the second time, every concept of the query was kept
                recombined += len(combined) if round else 0
                (kept,) = service._concepts.values()
                held = sum(c.nbytes() + service_module.CONCEPT_KEY_BYTES + service_module.CONCEPT_TERM_BYTES * len(key[1])
                           for key, c in kept.items())
                assert held == service._concept_bytes <= budget
    assert recombined  # the concepts of the queries before were dropped to make room
