"""Search: the service (search.py), Korean analysis (korean.py) and the /search, /api/search and
/suggest views. Relevance is judged separately in test_relevance.py."""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

import korean
import search
from app import create_app
from catalog import load_catalog
from support import DATA_DIR, ROOT

CATALOG = load_catalog(DATA_DIR)
NAMES = sorted({n for c in CATALOG.codes for n in (c.name, *c.name_aliases) if n})
HOSTILE = ["*", "?", "*:*", "message:channel", "name:*", "AND", "OR", "NOT", "channel AND NOT found",
           "(channel", "channel)", "[250100 TO 250200]", "{a TO b}", '"channel', "'", "\\", "\\\\*",
           "channel~2", "cha*", "chan?el", "+channel -found", "^3", "channel^100", "/regex/", "<>", "&&",
           "||", "%", "%00", "\x00", "\ud7a3" * 3, "ㄱㄴㄷ", "🙂", "\u200b", " ", "\t\n", "NULL", "None",
           "__proto__", "' OR 1=1 --", "<script>alert(1)</script>", "a" * 5000, "채널" * 2000]


def codes(results) -> list[str]:
    return [h.code for h in results.hits]


def text_of(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------------------- Korean analysis

def test_normalize_folds_width_compatibility_and_controls():
    assert korean.normalize("ＣＨＡＮＮＥＬ＿ＮＯＴ＿ＦＯＵＮＤ") == "CHANNEL_NOT_FOUND"
    assert korean.normalize("  채널\x00을\u200b   찾음 \n") == "채널 을 찾음"
    decomposed = "\u1100\u1161\u11a8"  # 각 as conjoining jamo
    assert korean.normalize(decomposed) == "각"
    assert len(korean.normalize("가" * 1000, 256)) == 256


@pytest.mark.parametrize("text, wanted, unwanted", [
    ("채널을 찾을 수 없어요", {"채널", "찾", "없"}, {"을", "어요", "수"}),
    ("녹화가 시작되지 않아요", {"녹화", "시작"}, {"가", "되", "않", "아요"}),
    ("버킷이 없다고 나와요", {"버킷", "없"}, {"이", "다고", "나와요"}),
    ("권한이 없습니다", {"권한", "없"}, {"이", "습니다"}),
    ("재전송 대상", {"재전송", "전송", "대상"}, set()),
])
def test_morphemes_keep_content_and_drop_particles_and_endings(text, wanted, unwanted):
    terms = {p.text for p in korean.morphemes(text)}
    assert wanted <= terms and not (unwanted & terms)


def test_morpheme_offsets_point_at_their_surface_even_next_to_latin_words():
    text = "Re-Stream 송출 대상의 targetName이\n채널을 찾을 수 없음"
    pieces = list(korean.morphemes(text))
    assert [p.text for p in pieces][:2] == ["송출", "대상"]  # not 대/상의, as mecab says without context
    for p in pieces:
        assert text[p.start:p.end].startswith(p.text[0])


def test_bigrams_cover_hangul_runs_only():
    assert [p.text for p in korean.bigrams("채널을 ab 키")] == ["채널", "널을", "키"]
    assert list(korean.bigrams("no hangul")) == []


def test_mecab_is_loaded_lazily_not_at_import():
    code = "import sys, app, search, korean, views_search; print('mecab_ko' in sys.modules, 'whoosh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_only_the_search_package_imports_whoosh():
    outside = [p for p in ROOT.rglob("*.py") if ".venv" not in p.parts and "search" not in p.relative_to(ROOT).parts[:1]]
    assert any(p.name == "views_search.py" for p in outside)
    for path in [*outside, *ROOT.glob("templates/*.html")]:
        assert not re.search(r"^\s*(from|import) whoosh", path.read_text("utf-8"), re.M), path.name


def test_glossary_loads_and_expands_both_ways():
    glossary = korean.Glossary.load(search.GLOSSARY_PATH, en_key=search.en_terms)
    assert len(glossary) >= 60
    for group in glossary.groups:
        assert group.ko and group.en
    found = {e.matched: e for e in glossary.expand("녹화가 안 돼요", ["녹화"], [])}
    assert "recording" in found["녹화"].add_en and "레코딩" in found["녹화"].add_ko
    found = {e.matched: e for e in glossary.expand("오브젝트스토리지에 숏 클립을", [], [])}
    assert "object storage" in found["오브젝트 스토리지"].add_en
    assert "short clip" in found["숏클립"].add_en or "short clip" in found.get("클립", found["숏클립"]).add_en
    assert "스토리지" not in found  # the longer entry wins
    found = {e.matched: e for e in glossary.expand("recordings failed", [], search.en_terms("recordings failed"))}
    assert any("녹화" in e.add_ko for e in found.values())


# ------------------------------------------------------------------------- exact, codes, names

@pytest.mark.parametrize("code", [c.code for c in CATALOG.codes])
def test_every_code_finds_itself_first(search_service, code):
    results = search_service.search(code)
    assert codes(results)[0] == code and results.hits[0].exact
    assert results.exact_codes == (code,)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_and_alias_ranks_its_codes_first(search_service, name):
    expected = {c.code for c in CATALOG.by_name(name)}
    for query in (name, name.lower(), f"  {name.title()} "):
        results = search_service.search(query)
        assert set(codes(results)[:len(expected)]) == expected
        assert set(results.exact_codes) == expected


def test_code_prefix_lists_its_codes_in_order(search_service):
    results = search_service.search("2501", limit=100)
    listed = [c.code for c in CATALOG.codes if c.code.startswith("2501")]
    assert codes(results)[:len(listed)] == sorted(listed, key=int)
    assert results.total >= len(listed)


def test_code_inside_a_sentence_ranks_first(search_service):
    assert codes(search_service.search("got errorCode 250307 from the API"))[0] == "250307"
    assert codes(search_service.search("에러코드 250109 떴어요"))[0] == "250109"


def test_name_written_as_words_ranks_first(search_service):
    assert codes(search_service.search("channel not found"))[0] == "250100"
    assert codes(search_service.search("Invalid Segment Duration"))[0] == "250307"


def test_full_width_and_decomposed_input_is_normalised(search_service):
    assert search_service.search("２５０１０４").exact_codes == ("250104",)
    assert search_service.search("ＣＨＡＮＮＥＬ＿ＮＯＴ＿ＦＯＵＮＤ").exact_codes == ("250100",)
    composed = search_service.search("채널을 찾을 수 없음")
    decomposed = search_service.search("\u110e\u1162\u1102\u1165\u11af\u110b\u1173\u11af 찾을 수 없음")
    assert codes(decomposed)[:3] == codes(composed)[:3]


# --------------------------------------------------------------------------- Korean and English

@pytest.mark.parametrize("query, expected", [
    ("채널을 찾을 수 없어요", {"250100"}),
    ("녹화가 시작되지 않아요", {"250133", "250134", "250135", "250136"}),
    ("화질 설정에서 세그먼트 길이 오류", {"250307"}),
    ("스냅샷 생성 실패", {"250170"}),
    ("버킷이 없다고 나와요", {"250705", "250707"}),
    ("채널명 규칙", {"250104"}),
    ("권한이 없습니다", {"250006", "250017", "250023", "210", "250010", "250015"}),
])
def test_korean_with_particles_finds_the_code(search_service, query, expected):
    assert codes(search_service.search(query))[0] in expected


def test_particle_attached_noun_matches_the_noun(search_service):
    with_particle = codes(search_service.search("채널을", limit=50))
    assert "250100" in with_particle[:5]
    assert set(codes(search_service.search("채널", limit=20))) & set(with_particle[:20])


@pytest.mark.parametrize("query, code", [
    ("숏클립 업로드 실패", "250167"),  # SHORT_CLIP_UPLOAD_FAIL: no official Korean text
    ("타임머신 URL 조회가 안 돼요", "250141"),
    ("스냅샷이 만료됐어요", "250174"),
    ("라이브 커튼 삽입 실패", "250401"),
])
def test_korean_reaches_codes_with_english_only_official_text(search_service, query, code):
    assert not CATALOG.get(code).description_ko
    assert code in codes(search_service.search(query))[:3]


def test_english_stemming(search_service):
    singular = codes(search_service.search("recording"))
    plural = codes(search_service.search("recordings"))
    assert singular[:5] == plural[:5]
    assert search_service.search("recordings").did_you_mean is None


def test_a_word_missing_from_the_text_never_zeroes_the_result(search_service):
    assert codes(search_service.search("channel not found zyxwvut qqqq"))[0] == "250100"


@pytest.mark.parametrize("query, code, suggestion", [
    ("chanel not found", "250100", "channel not found"),
    ("segmnet duration", "250307", "segment duration"),
    ("CHANNEL_CANNOT_DELETE_DUE_TO_CDN_STATUS", "250109", "CNANNEL_CANNOT_DELETE_DUE_TO_CDN_STATUS"),
    ("SNAPSHOT_CREATE_NOT_ALLOWED", "250157", "SNOASHOT_CREATE_NOT_ALLOWED"),
])
def test_typos_find_the_code_and_offer_a_correction(search_service, query, code, suggestion):
    results = search_service.search(query)
    assert codes(results)[0] == code
    assert results.did_you_mean == suggestion


def test_no_correction_for_known_words(search_service):
    for query in ("channel not found", "250104", "채널을 찾을 수 없어요", "CNANNEL_CANNOT_DELETE_DUE_TO_CDN_STATUS"):
        assert search_service.search(query).did_you_mean is None


# ----------------------------------------------------------------------------- query syntax

@pytest.mark.parametrize("query", HOSTILE)
def test_query_syntax_is_text_and_nothing_raises(search_service, query):
    results = search_service.search(query, limit=100)
    assert isinstance(results, search.SearchResults)
    assert len(results.query) <= search.MAX_QUERY
    if not re.search(r"[A-Za-z0-9\uac00-\ud7a3]", query):
        assert results.total == 0 and not results.hits  # "*" is not "everything"


def test_operators_are_words_not_syntax(search_service):
    plain = codes(search_service.search("message channel"))
    fielded = codes(search_service.search("message:channel"))
    assert plain == fielded
    assert search_service.search("*").total == 0
    assert search_service.search("cha*").total < len(CATALOG)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.integers(1, 100), st.integers(1, 20))
def test_service_never_raises(search_service, text, limit, page):
    results = search_service.search(text, limit=limit, page=page)
    assert len(results.hits) <= limit
    for hit in results.hits:
        assert CATALOG.get(hit.code) and set(hit.marked) == {"name", "message", "description_ko", "summary_en",
                                                             "summary_ko"}
        for marked in hit.marked.values():  # spans inside the text, in order, never overlapping nor touching
            assert all(0 <= a < b <= len(marked.text) for a, b in marked.spans)
            assert all(end < start for (_, end), (start, _) in zip(marked.spans, marked.spans[1:]))
    search_service.suggest(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=200), limit=st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 200).map(str)),
       page=st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 200).map(str)),
       category=st.one_of(st.none(), st.text(max_size=20), st.sampled_from([c.slug for c in CATALOG.categories])))
def test_endpoints_never_answer_5xx(client, q, limit, page, category):
    params = {k: v for k, v in {"q": q, "limit": limit, "page": page, "category": category}.items() if v is not None}
    for path in ("/api/search", "/search", "/suggest"):
        response = client.get(path, query_string=params)
        assert response.status_code < 500, (path, params)
        if path == "/api/search" and response.status_code == 400:
            assert response.get_json()["error"]["message"]


# ------------------------------------------------------------------------------ highlighting

def test_hits_carry_the_matched_spans_as_data(search_service):
    hit = search_service.search("<script>alert(1)</script> channel not found").hits[0]
    assert hit.code == "250100"
    assert hit.marked["message"] == search.Marked("Channel is not found", ((0, 7), (15, 20)))
    assert hit.marked["name"] == search.Marked("CHANNEL_NOT_FOUND", ((0, 7), (12, 17)))
    desc = hit.marked["description_ko"]
    assert desc.text == "채널을 찾을 수 없음" and desc.text[slice(*desc.spans[0])] in ("채널", "채널을")


def test_spans_are_on_the_datas_own_text(tmp_path, make_catalog):
    entry = dataclasses.replace(CATALOG.get("250100"), message='Value <b>x</b> & "quotes" too <big>',
                                description_ko="채널 <i>이름</i> & 값")
    service = search.SearchService(make_catalog([entry]), tmp_path / "idx")
    hit = service.search("value quotes 채널").hits[0]
    message = hit.marked["message"]
    assert message.text == entry.message and [message.text[a:b] for a, b in message.spans] == ["Value", "quotes"]
    assert hit.marked["description_ko"].text == entry.description_ko
    assert hit.marked["description_ko"].spans[0] == (0, 2)


def test_mark_merges_overlapping_spans():
    out = search.mark("채널을 찾을 수 없음", [(search.KO, {"채널"}), (search.BI, {"채널", "널을"})])
    assert out == search.Marked("채널을 찾을 수 없음", ((0, 3),))
    assert search.mark("a < b", []) == search.Marked("a < b")
    assert search.mark("", [(search.EN, {"a"})]) == search.Marked("")


def test_the_search_package_makes_no_html():
    """Highlighting is the web layer's: the engine returns text and spans, never markup."""
    for path in sorted((ROOT / "search").glob("*.py")):
        source = path.read_text("utf-8")
        assert not re.search(r"^\s*(from|import) (markupsafe|html|jinja2|flask)\b", source, re.M), path.name
        assert not re.search(r"Markup\(|<mark|&lt;|&amp;", source), path.name


def test_the_marked_filter_escapes_the_text_and_wraps_each_span():
    from views_search import marked_html
    text = 'Value <b>x</b> & "quotes" too <big>'
    assert marked_html(search.Marked(text, ((0, 5), (18, 24)))) == Markup(
        "<mark>Value</mark> &lt;b&gt;x&lt;/b&gt; &amp; &#34;<mark>quotes</mark>&#34; too &lt;big&gt;")
    assert marked_html(search.Marked("<i>", ((0, 3),))) == Markup("<mark>&lt;i&gt;</mark>")
    assert marked_html(search.Marked("a < b")) == Markup("a &lt; b") and marked_html(search.Marked("")) == ""


def test_search_page_escapes_markup_in_the_data(tmp_path, make_app, make_catalog):
    entry = dataclasses.replace(CATALOG.get("250100"), message='Value <b>x</b> & "quotes" too <big>',
                                description_ko="채널 <i>이름</i> & 값")
    app = make_app(PRERENDER=False, SHARE_IMAGES=False)
    app.extensions["catalog"] = catalog = make_catalog([entry])
    app.extensions["search"] = search.SearchService(catalog, tmp_path / "idx")
    page = app.test_client().get("/search?q=value+quotes+채널&lang=en").get_data(as_text=True)
    assert "<mark>Value</mark> &lt;b&gt;x&lt;/b&gt; &amp; &#34;<mark>quotes</mark>&#34; too &lt;big&gt;" in page
    assert "<mark>채널</mark> &lt;i&gt;" in page and "<b>x</b>" not in page and "<i>이름" not in page


# ------------------------------------------------------------------------ paging, filter, pinned

def test_paging_is_consistent(search_service):
    whole = codes(search_service.search("channel", limit=30))
    pages = [codes(search_service.search("channel", limit=10, page=p)) for p in (1, 2, 3)]
    assert sum(pages, []) == whole
    assert search_service.search("channel", limit=10, page=50).hits == ()


def test_category_filter(search_service):
    results = search_service.search("failed", category="snapshot-short-clip", limit=100)
    assert results.hits and all(CATALOG.get(c).category == "snapshot-short-clip" for c in codes(results))
    assert results.total == len(results.hits)
    assert "250104" not in codes(search_service.search("250104", category="quality"))


def test_pinned_codes_come_first_with_their_match(search_service):
    match = {"params": {"0": "ch-1"}, "exact": True, "source": "message"}
    results = search_service.search("snapshot", pinned=[("250104", match), ("999999", {}), ("250104", {})])
    assert codes(results)[0] == "250104" and results.hits[0].match == match
    assert codes(results).count("250104") == 1
    assert all(h.match is None for h in results.hits[1:])
    assert results.hits[0].score >= results.hits[1].score
    filtered = search_service.search("snapshot", category="snapshot-short-clip", pinned=[("250104", match)])
    assert "250104" not in codes(filtered)


def test_fast_scoring_equals_whooshs_own(search_service):
    """The service's scores (over cached postings, the first pages from each term's best postings
    only) are the scores Whoosh's own matchers give for the same plan, on the same index."""
    storage, _ = search.load_verified(search_service.root / search.LIVE, search_service.key)
    with storage.open_index().searcher(weighting=search.WEIGHTING) as searcher:
        vocab = search.Vocab.read(searcher.reader(), storage, [w for g in search_service.glossary.groups for w in g.ko])
        code_of = {d: c for c, d in vocab.doc_of.items()}
        for query in ("채널을 찾을 수 없어요", "segmnet duration", "CDN 상태 때문에 채널 삭제 불가", "object storage"):
            plan = search.make_plan(korean.normalize(query), vocab, search_service.glossary, search_service.thesaurus)
            slow = {code_of[h.docnum]: h.score for h in searcher.search(plan.query, limit=None, optimize=False)}
            best = sorted(slow.values(), reverse=True)
            first = search_service.search(query, limit=100)  # ranked from each term's best postings
            assert first.total == len(slow) and first.hits
            assert all(abs(hit.score - slow[hit.code]) < 1e-3 for hit in first.hits)
            assert all(abs(hit.score - b) < 1e-3 for hit, b in zip(first.hits, best))
            for category in {vocab.cat_of[vocab.doc_of[code]] for code in list(slow)[:3]}:  # every posting
                filtered = search_service.search(query, limit=100, category=category)
                mine = {c: sc for c, sc in slow.items() if vocab.cat_of[vocab.doc_of[c]] == category}
                assert filtered.total == len(mine)
                assert {hit.code for hit in filtered.hits} <= mine.keys()
                assert all(abs(hit.score - mine[hit.code]) < 1e-3 for hit in filtered.hits)
                assert all(abs(hit.score - b) < 1e-3 for hit, b in zip(filtered.hits, sorted(mine.values(), reverse=True)))


# ---------------------------------------------------------------------------- the index's life

def index_folder(root: Path) -> Path:
    return root / search.LIVE


def test_build_writes_a_manifest_and_reuses_a_current_index(tmp_path):
    root = tmp_path / "idx"
    service = search.SearchService(CATALOG, root)
    ident = service.ensure()
    assert service.last_build_seconds is not None
    manifest = json.loads((index_folder(root) / search.MANIFEST).read_text())
    assert manifest["catalog_fingerprint"] == CATALOG.fingerprint and manifest["documents"] == len(CATALOG)
    assert manifest["key"] == search.index_key(CATALOG) and manifest["code_version"]
    on_disk = sorted(p.name for p in index_folder(root).iterdir() if p.name != search.MANIFEST)
    assert set(manifest["files"]) <= set(on_disk) and search.SPELL_FILE in manifest["files"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((index_folder(root) / name).read_bytes()).hexdigest() == digest
    again = search.SearchService(CATALOG, root)
    assert again.ensure() == ident and again.last_build_seconds is None
    assert sorted(p.name for p in root.iterdir()) == [".build.lock", search.LIVE]  # no scratch left


def test_stale_or_broken_index_is_rebuilt(tmp_path, caplog):
    root = tmp_path / "idx"
    search.SearchService(CATALOG, root).ensure()
    changed = dataclasses.replace(CATALOG, fingerprint="something-else")
    stale = search.SearchService(changed, root)
    with caplog.at_level(logging.WARNING):
        stale.ensure()
    assert stale.last_build_seconds is not None and "another catalog" in caplog.text
    manifest = json.loads((index_folder(root) / search.MANIFEST).read_text())
    assert manifest["catalog_fingerprint"] == "something-else"
    for name in manifest["files"]:
        (index_folder(root) / name).write_bytes(b"\x00garbage" * 10)
    healed = search.SearchService(changed, root)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        healed.ensure()
    assert healed.last_build_seconds is not None and "checksum" in caplog.text
    assert codes(healed.search("250104"))[0] == "250104"


def test_workers_starting_together_build_once(tmp_path):
    root = tmp_path / "idx"
    start = time.time() + 2.0
    script = (
        "import sys, time; sys.path.insert(0, {root!r})\n"
        "from catalog import load_catalog; import search\n"
        "svc = search.SearchService(load_catalog({data!r}), {idx!r})\n"
        "time.sleep(max(0, {start} - time.time()))\n"
        "ident = svc.ensure()\n"
        "print(ident, svc.last_build_seconds is not None, svc.search('250104').hits[0].code)\n"
    ).format(root=str(ROOT), data=str(ROOT / "data"), idx=str(root), start=start)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(6)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    lines = [out.split() for out, _ in outputs]
    assert len({line[0] for line in lines}) == 1
    assert sum(line[1] == "True" for line in lines) == 1
    assert all(line[2] == "250104" for line in lines)
    assert sorted(p.name for p in root.iterdir()) == [".build.lock", search.LIVE]


def test_rebuilds_never_fail_a_running_search_nor_a_starting_one(tmp_path):
    root = tmp_path / "idx"
    reader = search.SearchService(CATALOG, root)
    reader.ensure()
    expected = codes(reader.search("채널을 찾을 수 없어요"))
    errors, answers, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                for q in ("채널을 찾을 수 없어요", "2501", "chanel not found"):
                    r = reader.search(q)
                    assert r.hits and not r.degraded
                    if q.startswith("채널"):
                        answers.append(codes(r))
                starting = search.SearchService(CATALOG, root)  # a worker starting during a rebuild
                starting.ensure()
                assert starting.last_build_seconds is None  # it never saw half an index
                answers.append(codes(starting.search("채널을 찾을 수 없어요")))
            except Exception as exc:  # pragma: no cover - the assertion below reports it
                errors.append(exc)
            stop.wait(0.001)  # a pause, so the hammering threads never starve the rebuilding one

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for t in threads:
        t.start()
    builder = search.SearchService(CATALOG, root)  # another worker, rebuilding
    for _ in range(2):
        builder.rebuild()
        time.sleep(0.05)
    stop.set()
    for t in threads:
        t.join()
    assert not errors and answers and all(a == expected for a in answers), errors[:1]


def test_deleted_index_under_a_running_service_changes_nothing(tmp_path, caplog):
    root = tmp_path / "idx"
    service = search.SearchService(CATALOG, root)
    service.ensure()
    expected = codes(service.search("segment duration"))
    shutil.rmtree(root)
    with caplog.at_level(logging.WARNING):
        results = service.search("segment duration")
        fresh = threading.Thread(target=lambda: answers.append(service.search("segment duration")))
        answers: list = []
        fresh.start()
        fresh.join()
    assert codes(results) == expected and codes(answers[0]) == expected
    assert not caplog.records


def test_unwritable_index_dir_builds_in_memory(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        app = create_app({"TESTING": True, "SEARCH_INDEX_DIR": str(blocker / "idx")})
        results = app.extensions["search"].search("250104")
    assert codes(results)[0] == "250104" and not results.degraded  # a whole index, only not on disk
    assert len(caplog.records) == 1 and "memory" in caplog.text and "Traceback" not in caplog.text
    response = app.test_client().get("/api/search?q=channel")
    assert response.status_code == 200 and response.get_json()["results"]


def test_files_damaged_under_a_running_service_change_no_answer(tmp_path):
    root = tmp_path / "idx"
    service = search.SearchService(CATALOG, root)
    service.ensure()
    queries = ("bucket", "채널 삭제", "2503", "quality set", "chanel")
    before = {q: codes(service.search(q)) for q in queries}
    for f in index_folder(root).iterdir():
        if f.name != search.MANIFEST:
            f.write_bytes(b"")
    assert {q: codes(service.search(q)) for q in queries} == before
    assert in_threads(lambda: {q: codes(service.search(q)) for q in queries}) == before


def in_threads(func):
    out = []
    thread = threading.Thread(target=lambda: out.append(func()))
    thread.start()
    thread.join()
    return out[0]


def test_build_index_command(runner, app):
    result = runner.invoke(args=["build-index"])
    assert result.exit_code == 0 and "222 codes" in result.output
    before = (Path(app.config["SEARCH_INDEX_DIR"]) / search.LIVE / search.MANIFEST).read_text()
    result = runner.invoke(args=["build-index", "--force"])
    assert result.exit_code == 0 and "built in" in result.output
    assert (Path(app.config["SEARCH_INDEX_DIR"]) / search.LIVE / search.MANIFEST).read_text() != before


# ------------------------------------------------------------------------------------ views

@pytest.mark.parametrize("query, code", [
    ("250104", "250104"), (" 250104 ", "250104"), ("channel_not_found", "250100"), ("Channel_Not_Found", "250100"),
    ("ACCESS_DENIED", "250015"), ("CNANNEL_CANNOT_DELETE_DUE_TO_CDN_STATUS", "250109"), ("210", "210"),
])
def test_search_page_redirects_an_exact_code_or_name(client, query, code):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/codes/{code}")


def test_ambiguous_name_lists_both_codes(client):
    response = client.get("/search?q=OPEN_API_UNAUTHORIZED")
    assert response.status_code == 200
    page = text_of(response)
    assert 'href="/codes/250015"' in page and 'href="/codes/250017"' in page


def test_search_page_shows_results_with_highlights_and_korean(client):
    page = text_of(client.get("/search?q=채널을+찾을+수+없어요&lang=en"))
    first = page.index('href="/codes/250100"')
    assert page.index("<mark>", first) > first
    assert "채널을 찾을 수 없음" in html.unescape(re.sub(r"</?mark>", "", page))
    assert '<span class="category">Channels</span>' in page and "codes match" in page


def test_search_page_lists_a_code_prefix(client):
    page = text_of(client.get("/search?q=2503"))
    listed = re.findall(r'<li><a class="result" href="/codes/(\d+)"', page)
    assert listed[:5] == ["250300", "250301", "250302", "250303", "250304"]


def test_search_page_paging_and_filter(client):
    page = text_of(client.get("/search?q=channel"))
    assert 'rel="next"' in page and "page=2" in page
    second = text_of(client.get("/search?q=channel&page=2"))
    assert 'rel="prev"' in second and '<ol class="results" start="21">' in second
    filtered = text_of(client.get("/search?q=failed&category=live-curtain"))
    catalog = client.application.extensions["catalog"]
    listed = {catalog.get(code).category for code in re.findall(r'<a class="result" href="/codes/(\d+)"', filtered)}
    assert listed == {"live-curtain"}
    assert '<option value="live-curtain" selected>' in filtered


def test_search_page_offers_did_you_mean(client):
    page = text_of(client.get("/search?q=segmnet+duration"))
    assert 'href="/search?q=segment+duration"' in page


def test_search_page_escapes_the_query(client):
    page = text_of(client.get("/search", query_string={"q": "<script>alert(1)</script>"}))
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_empty_search_page(client):
    response = client.get("/search")
    assert response.status_code == 200 and "Type a code" in text_of(response)


def test_api_search_shape(client):
    data = client.get("/api/search?q=채널을+찾을+수+없어요&limit=5").get_json()
    assert set(data) >= {"query", "total", "results", "did_you_mean"}
    assert data["query"] == "채널을 찾을 수 없어요" and data["did_you_mean"] is None
    assert 0 < len(data["results"]) <= 5 and data["total"] >= len(data["results"])
    first = data["results"][0]
    assert set(first) >= {"code", "name", "message", "description_ko", "category", "url", "score", "highlights", "match"}
    assert first["code"] == "250100" and isinstance(first["code"], str) and first["url"].endswith("/codes/250100")
    assert first["match"] is None and isinstance(first["score"], float)
    assert "<mark>" in first["highlights"]["message"]
    assert first["marks"]["message"] and all(first["message"][a:b].lower() in ("channel", "found")
                                             for a, b in first["marks"]["message"])
    assert all(isinstance(r["code"], str) for r in data["results"])


@pytest.mark.parametrize("query", ["채널을 찾을 수 없어요", "stream key", "<b>&amp;", "stream \\ key", "failed"])
def test_api_search_body_is_what_the_json_provider_writes(app, client, query):
    """The body written from pieces encoded once is byte for byte the provider's JSON of the same answer."""
    import views_search
    body = client.get("/api/search", query_string={"q": query, "limit": "20"}).get_data()
    with app.test_request_context("/api/search", query_string={"q": query, "limit": "20"}):
        results = views_search.find(query, 20).results
        cat = views_search.get_catalog()
        expected = {"query": query, "total": results.total, "page": results.page, "limit": results.limit,
                    "results": [views_search.result_json(hit, cat.get(hit.code)) for hit in results.hits],
                    "did_you_mean": results.did_you_mean}
        assert body == app.json.response(expected).get_data()


def test_api_search_paging_and_category(client):
    one = client.get("/api/search?q=failed&limit=5&page=1").get_json()
    two = client.get("/api/search?q=failed&limit=5&page=2").get_json()
    assert {r["code"] for r in one["results"]}.isdisjoint(r["code"] for r in two["results"])
    filtered = client.get("/api/search?q=failed&category=schedule&limit=100").get_json()
    assert filtered["results"] and {r["category"] for r in filtered["results"]} == {"schedule"}


def test_api_search_did_you_mean(client):
    assert client.get("/api/search?q=chanel+not+found").get_json()["did_you_mean"] == "channel not found"


@pytest.mark.parametrize("query_string", [
    "", "q=", "q=%20%20", "q=a&limit=0", "q=a&limit=101", "q=a&limit=-1", "q=a&limit=x", "q=a&limit=1.5",
    "q=a&page=0", "q=a&page=abc", "q=a&page=101", "q=a&category=nope", "q=a&category=%3Cx%3E",
])
def test_api_search_bad_requests_are_400_json(client, query_string):
    response = client.get(f"/api/search?{query_string}")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_suggest_names_codes_and_korean(client):
    response = client.get("/suggest?q=chan")
    assert response.headers["Content-Type"].startswith("application/x-suggestions+json")
    query, completions, descriptions, urls = response.get_json()
    assert query == "chan" and completions and all(c.startswith("CHANNEL_") for c in completions)
    assert len(completions) == len(descriptions) == len(urls) <= 10
    assert all(u.startswith("http") and "/codes/" in u for u in urls)
    _, completions, _, urls = client.get("/suggest?q=2501").get_json()
    assert completions[:3] == ["250100", "250101", "250102"] and len(completions) == 10
    _, completions, descriptions, _ = client.get("/suggest?q=스냅샷 생성 실패").get_json()
    assert completions[0] == "SNAPSHOT_CREATE_FAILED" and len(completions) <= 10
    _, completions, _, _ = client.get("/suggest?q=nameless-codes 250321").get_json()
    assert "250321" in completions  # a code with no published name is suggested by its number


@pytest.mark.parametrize("q", ["", " ", "*", "<script>", "\x00", "ㅋ", "a" * 5000])
def test_suggest_never_errors(client, q):
    response = client.get("/suggest", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_json()
    assert body[0] == q and len(body) == 4 and len(body[1]) <= 10
    if not q.strip():
        assert body == [q, [], [], []]


def test_opensearch_description_offers_suggestions(client):
    body = text_of(client.get("/opensearch.xml"))
    assert "/search?q={searchTerms}" in body and "/suggest?q={searchTerms}" in body
