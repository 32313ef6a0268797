"""The query path's shortcuts (expansions remembered per index, highlighting by term) answer as before."""
from __future__ import annotations

import pytest

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
