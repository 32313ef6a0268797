"""Search as people type Korean: keyboard left in English mode, 초성, the word still being typed,
one-jamo slips. Queries are written from the catalog's own text (the codes' names and messages)."""
import pytest


def top(search_service, query, n=3):
    return [hit.code for hit in search_service.search(query).hits[:n]]


@pytest.mark.parametrize("query, code", [
    ("thdcnfwnd cosjf", "250102"),  # 송출중 채널
    ("qjzlt dlfma", "250703"),  # 버킷 이름 (INPUT_BUCKETNAME)
    ("whswo dkdlel", "250123"),  # 존재 아이디 → 존재하지 않는 채널ID
])
def test_a_query_typed_with_the_keyboard_in_english_mode_finds_its_code(search_service, query, code):
    assert code in top(search_service, query)


def test_keyboard_mode_offers_did_you_mean_in_hangul(search_service):
    results = search_service.search("thdcnfwnd cosjf")
    assert results.did_you_mean == "송출중 채널"


def test_english_words_are_never_read_as_keyboard_korean(search_service):
    assert search_service.search("content not found").did_you_mean is None
    assert top(search_service, "content not found", 1) == ["250400"]


@pytest.mark.parametrize("query, code", [
    ("ㅂㅋ ㅇㄹ", "250703"),  # 버킷 이름 (the code's own text is English only)
    ("ㅅㅊ ㅈ ㅊㄴ", "250102"),  # 송출 중 채널
    ("ㅊㄴ ㅅㅈ ㅂㄱ", "250109"),  # 채널 삭제 불가
])
def test_initial_consonants_expand_to_the_words_they_begin(search_service, query, code):
    assert code in top(search_service, query)


@pytest.mark.parametrize("query, code", [
    ("채널 삭ㅈ", "250109"),  # 삭제 being typed (CDN status blocks deleting)
    ("존재하지 않는 채ㄴ", "250123"),
    ("bucket name doesn't ex", "250705"),
    ("input bucket name not allo", "250703"),
])
def test_the_last_word_is_a_prefix(search_service, query, code):
    assert code in top(search_service, query)


def test_the_word_being_typed_reaches_api_search_and_suggest(client):
    data = client.get("/api/search", query_string={"q": "채널 삭ㅈ"}).get_json()
    assert "250109" in [r["code"] for r in data["results"][:3]]
    suggestions = client.get("/suggest", query_string={"q": "채널 삭ㅈ"}).get_json()
    assert any(url.endswith("/250109") for url in suggestions[3])


@pytest.mark.parametrize("query, corrected, code", [
    ("채녈 삭제", "채널 삭제", "250109"),  # ㅕ for ㅓ
    ("존재하지 않는 체널ID", "존재하지 않는 채널ID", "250123"),  # ㅔ for ㅐ
])
def test_one_jamo_slips_are_corrected(search_service, query, corrected, code):
    results = search_service.search(query)
    assert code in [hit.code for hit in results.hits[:3]]
    if corrected:
        assert results.did_you_mean == corrected


@pytest.mark.parametrize("query, code", [
    ("timeme", "250122"),  # timem(achine) with one letter too many: no word begins so, none is one slip away
    ("snpash", "250157"),  # sn(a)pshot: a letter left out
    ("schedlu", "250206"),  # two letters swapped
])
def test_a_slip_in_the_word_being_typed_still_completes_it(search_service, query, code):
    assert code in top(search_service, query)


def test_a_word_no_catalog_word_begins_with_even_one_slip_away_finds_nothing(search_service):
    assert search_service.search("thumbn").total == 0  # not "them", "those", "three"
