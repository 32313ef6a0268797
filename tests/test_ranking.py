"""Ranking by the specific word: everyday synonyms, loanwords, generic words, whole official
messages and the spelling corrector's preference for real words, through the search service."""
import pytest

from tools import loanwords as vocabulary_source


def codes(service, query, limit=10):
    return [h.code for h in service.search(query, limit=limit).hits]


@pytest.mark.parametrize("query,code,k", [
    ("cannot edit the channel unless it is ready", "250132", 1),  # edit → update
    ("system quality set cannot be removed", "250311", 1),  # removed → delete
    ("erase curtain content while it is still being created", "250421", 3),  # erase → delete
    ("schedule edit needs at least one field", "250215", 1),
    ("halted test publish failed", "250106", 3),  # halted → stop
])
def test_everyday_words_reach_the_catalogs_verbs(search_service, query, code, k):
    assert code in codes(search_service, query)[:k]


@pytest.mark.parametrize("query,answers", [
    ("can't edit the default quality set", {"250305"}),  # default → system
    ("a built-in quality profile cannot be deleted", {"250303", "250374"}),  # the same message twice
    ("only one full hd rendition allowed", {"250302"}),  # full hd → 1080p, rendition → quality
    ("daily call limit reached", {"400"}),  # a daily call limit is the gateway's quota
    ("호출 한도를 다 썼대요", {"400"}),
])
def test_everyday_names_reach_the_catalogs_things(search_service, query, answers):
    assert codes(search_service, query)[0] in answers


@pytest.mark.parametrize("query,code", [
    ("asking for the playback link before the cdn is up", "250124"),  # playback link → url
    ("playlist longer than a whole day", "250205"),  # a VOD2LIVE schedule is a playlist
    ("curtain clip is 720p but the channel is 1080p", "250405"),  # 720p, 1080p: resolutions
])
def test_everyday_names_bring_the_code_into_the_first_three(search_service, query, code):
    assert code in codes(search_service, query)[:3]


@pytest.mark.parametrize("query,code", [
    ("Quota Exceeded", "400"),
    ("Permission Denied", "210"),  # before OPEN_API_UNAUTHORIZED's "Access denied"
    ("gateway says Throttle Limited", "410"),
    ("Endpoint Timeout", "510"),
    ("http 호출 Bad Request Exception", "100"),
    ("unexpected error from apigw", "900"),
])
def test_an_official_message_written_out_ranks_its_code_first(search_service, query, code):
    assert codes(search_service, query)[0] == code


def test_a_message_with_a_placeholder_pins_nothing(search_service):
    # "{0} not found." would fit every query with "not found"; the specific word decides instead
    assert codes(search_service, "snapshot not found")[0] != codes(search_service, "bucket not found")[0]


@pytest.mark.parametrize("query,code", [
    ("오류 레코딩 파일 삭제", "250504"),
    ("error record file delete", "250504"),
    ("quota error", "400"),
    ("에러 났어요 퀄리티셋 시스템 리소스 업데이트", "250305"),
])
def test_generic_words_do_not_decide_the_order(search_service, query, code):
    assert codes(search_service, query)[0] == code


def test_a_generic_word_in_a_name_does_not_outrank_the_specific_word(search_service):
    found = codes(search_service, "timeout error")
    assert found[0] == "510"
    assert "250016" not in found[:2]  # a code whose name only shares "error"


def test_the_corrector_offers_the_real_word_not_the_catalogs_typo(search_service):
    # PUBLIHSING is a published typo in the catalog, one letter from "publising" like "publishing"
    assert search_service.search("channel is not publising").did_you_mean == "channel is not publishing"


@pytest.mark.parametrize("query,code", [
    ("레코딩 파일 딜리트", "250504"),
    ("시스템 퀄리티 프로파일 딜리트", "250374"),
    ("스케줄 업데이트 필드", "250215"),
])
def test_hangul_spellings_of_english_words_find_their_code(search_service, query, code):
    assert code in codes(search_service, query)[:3]


def test_every_english_word_of_the_catalog_is_reached_from_a_hangul_spelling(search_service, catalog):
    import transliterate

    holders: dict[str, set] = {}
    for e in catalog.codes:
        for word in vocabulary_source.content_words(f"{e.name} {' '.join(e.name_aliases)} {e.message}"):
            holders.setdefault(word, set()).add(e.code)
    unreached = []
    for word, entry in transliterate.load_loanwords().items():
        if word in holders and entry.hangul and not any(
                holders[word] & set(codes(search_service, h, limit=100)) for h in entry.hangul):
            unreached.append((word, entry.hangul[0]))
    assert not unreached, f"English words no Hangul spelling reaches: {unreached}"


@pytest.mark.parametrize("query", ["black screen", "white screen freezes"])
def test_a_common_word_the_catalog_lacks_is_not_corrected_to_one_it_has(search_service, query):
    assert search_service.search(query).did_you_mean is None  # not "back screen"


def test_a_misspelled_common_word_is_still_corrected(search_service):
    assert search_service.search("chanel not found").did_you_mean == "channel not found"


def test_a_word_naming_the_category_counts_for_all_its_codes_alike(search_service):
    # "api" names the API Gateway's category: every gateway code gets the same evidence from it,
    # however often its own text repeats the word, so the gateway's "Not Found Exception" comes first
    assert codes(search_service, "api url not found")[0] == "300"


def test_an_english_phrase_of_the_glossary_counts_with_its_first_word(search_service):
    """"quality set" typed brings its glossary words ("qualityset") into the concept of "quality": the
    phrase counts as the words typed, not once more on top of them. For every phrase of the glossary."""
    import korean
    import search

    vocab = search_service._loaded.vocab
    phrases = {w for g in search_service.glossary.groups for w in g.en if " " in w and search.en_terms(w)}
    assert len(phrases) >= 20
    more = {}
    for phrase in sorted(phrases):
        plan = search.make_plan(korean.normalize(phrase), vocab, search_service.glossary)
        words = [c for c in plan.concepts if any(f not in ("code", "name_exact") for f, _ in c)]  # not a name
        if len(words) > len(phrase.split()):
            more[phrase] = [sorted(map(str, (t for _, t in c)))[:4] for c in words]
    assert not more, list(more.items())[:5]


def test_a_word_of_our_summary_counts_more_than_the_same_word_deep_in_the_explanation(tmp_path, catalog, make_catalog):
    """The one-line summary says what a code is about: two codes with the same words, one with
    "subscription" in its summary and one with it in the middle of its explanation."""
    import dataclasses

    import search
    from catalog.model import Localized

    filler = "The request reached the service and was answered with this code after the usual checks."
    base = catalog.get("210")
    in_explanation = dataclasses.replace(
        base, code="200", message="Alpha Refused", summary=Localized("The call was refused by the gateway.", "거부"),
        explanation=Localized(f"{filler} A subscription is needed. {filler}", "설명"), fix=Localized(filler, "조치"),
        notes=(), placeholders=())
    in_summary = dataclasses.replace(
        in_explanation, code="210", message="Beta Refused",
        summary=Localized("The call was refused: a subscription is needed.", "거부"),
        explanation=Localized(f"{filler} The call was refused by the gateway. {filler}", "설명"))
    service = search.SearchService(make_catalog([in_explanation, in_summary]), tmp_path / "idx")
    assert [h.code for h in service.search("subscription needed").hits] == ["210", "200"]


@pytest.mark.parametrize("query,code", [
    ("encoder", "250101"),  # the encoder that sends the stream, not code 100's character encoding
    ("encoder not pushing", "250101"),  # pushing: the stream sent, not a file uploaded
    ("general error", "250012"),  # JSON_PARSE_GENERAL_ERROR, not a generation limit
])
def test_a_word_is_not_taken_for_another_with_the_same_stem(search_service, query, code):
    assert codes(search_service, query)[0] == code


@pytest.mark.parametrize("query,code", [
    ("signature headers missing 401", "200"),  # not REQUIRED_HEADER, whose name says header
    ("forgot the access key header", "200"),
    ("api not subscribed", "210"),  # not OPEN_API_USER_NO_PERMISSIONS, whose name says api
    ("the live station server did not answer in time", "510"),
])
def test_an_api_gateway_code_is_found_by_its_summary_as_by_a_name(search_service, query, code):
    """The gateway's codes have no name: their summary, in developers' words, counts as one does."""
    assert codes(search_service, query)[0] == code
