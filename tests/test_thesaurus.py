"""The thesaurus of everyday words for the catalog's verbs and states, the generic words, and the
word-frequency prior the spelling corrector ranks its candidates by."""
import pytest

import lexicon
from tools import loanwords as vocabulary_source

# Every verb or state word of the catalog's names and official messages (the catalog's vocabulary
# as search splits it): each must have a synonym group.
VERBS_AND_STATES = """
accomplish allowd allowed already apply available bad begin bind cannot changing check completed
configure contains convert could create created creating creation delete deleted denied different
download dupicate duplicate end enable entered equal exceed exceeded exceeds exist exists expired
fail failed find fix forbidden found granted greater include included input insert invalid less
limit limited live load longer max maximum min minimum mismatch missing modify must need needed
null occurred off ok onair open over parse permission process processing publish published
publishing ready reach record recording remove requested required reserved restream restriction
return returned running set setting should smaller specified start started stop supported
timeout transfer unauthorized unavailable unexpected unsupported update updated upload use using
valid validation wrong
""".split()


def test_every_verb_and_state_of_the_catalog_has_synonyms(thesaurus):
    catalog_words = vocabulary_source.catalog_words()
    not_in_catalog = [w for w in VERBS_AND_STATES if w not in catalog_words]
    assert not not_in_catalog, f"not words of the catalog: {not_in_catalog}"
    without = [w for w in VERBS_AND_STATES if not thesaurus.synonyms(w)]
    assert not without, f"catalog verbs and states with no synonym group: {without}"


@pytest.mark.parametrize("typed,catalog_word", [
    ("edit", "update"), ("modify", "update"), ("change", "update"), ("rename", "update"),
    ("remove", "delete"), ("erase", "delete"), ("won't", "failed"), ("can't", "failed"),
    ("unable", "cannot"), ("missing", "required"), ("empty", "missing"), ("streaming", "publishing"),
    ("live", "publishing"), ("halt", "stop"), ("end", "stop"), ("begin", "start"), ("launch", "start"),
    ("too long", "exceeded"), ("over", "limit"), ("too many", "maximum"), ("malformed", "invalid"),
    ("bad", "invalid"), ("wrong", "invalid"), ("unknown", "found"), ("disabled", "off"),
    ("twice", "duplicate"), ("prohibited", "allowed"), ("timed out", "timeout"),
])
def test_developers_words_reach_the_catalogs_word(thesaurus, typed, catalog_word):
    assert catalog_word in thesaurus.synonyms(typed)
    assert typed not in thesaurus.synonyms(typed)


@pytest.mark.parametrize("query,code", [
    ("h265 is not accepted", "250360"),  # only "H264" format is supported
    ("flac audio refused", "250353"),  # only "AAC", "MP3"
    ("curtain content gif not supported", "250414"),  # content file type unsupported
])
def test_a_format_the_api_does_not_take_finds_the_code_that_refuses_it(search_service, query, code):
    assert search_service.search(query).hits[0].code == code


def test_too_big_in_korean_finds_the_size_limit_however_contracted(search_service):
    # 커 is 크 + 어 run together: "너무 커요" is "너무 크다" as people type it
    assert search_service.search("커튼 콘텐츠 사이즈 너무 커").hits[0].code == "250413"  # max size is 100MB


def test_korean_words_find_their_group(thesaurus):
    assert "update" in thesaurus.groups_of("수정")[0].catalog
    assert "delete" in thesaurus.groups_of("지워")[0].catalog
    assert thesaurus.groups_of("녹화") and not thesaurus.groups_of("채널")


def test_generic_words_are_words_that_name_no_error(thesaurus):
    for word in ("error", "Error", "issue", "problem", "please", "help",
                 "오류", "에러", "문제", "안 돼요", "안돼요"):
        assert thesaurus.is_generic(word), word
    # failure words tell SCHEDULE_EVENT_PROCESSING from SCHEDULE_EVENT_PROCESSING_FAIL
    for word in ("channel", "quota", "signature", "녹화", "송출", "invalid", "failed", "실패"):
        assert not thesaurus.is_generic(word), word


def test_weak_words_are_said_of_any_error_but_name_a_few(thesaurus):
    for word in ("failed", "Fails", "cannot", "can't", "unable"):
        assert thesaurus.is_weak(word) and not thesaurus.is_generic(word), word
    for word in ("error", "실패", "channel", "invalid"):  # 실패 tells Korean descriptions apart
        assert not thesaurus.is_weak(word), word


@pytest.mark.parametrize("text,problem", [
    ('[[group]]\ncatalog = ["update"]\nen = ["edit"]\nsynonyms = ["x"]\n', "group #1: unknown key 'synonyms'"),
    ('[group]\n', "group: must be an array of tables"),
    ('[[groups]]\ncatalog = ["a"]\n', "unknown key 'groups'"),
    ('[generic]\nen = ["error"]\nkr = ["오류"]\n', "generic: unknown key 'kr'"),
    ('[generic]\nweak_en = ["Failed"]\n', "must be lower-case English"),
    ('[[group]]\ncatalog = ["update"]\nen = ["Edit"]\n', "must be lower-case English"),
    ('[[group]]\ncatalog = ["update"]\nko = ["edit"]\n', "has no Hangul"),
    ('[[group]]\nen = ["edit"]\n', "needs at least one 'catalog' word"),
    ('[[group]]\ncatalog = ["update"]\n', "needs 'en' or 'ko' words"),
    ('[[group]]\ncatalog = ["update"]\nen = ["edit"]\n[[group]]\ncatalog = ["update"]\nen = ["x"]\n',
     "catalog word 'update' is already in group #1"),
    ('[[group]\n', "Expected"),
])
def test_a_malformed_file_fails_naming_the_file_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "thesaurus.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(lexicon.ThesaurusError) as info:
        lexicon.load_thesaurus(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "thesaurus.toml"
    path.write_text('[[group]]\ncatalog = ["Update"]\nextra = 1\n[generic]\nen = ["오류"]\n', "utf-8")
    with pytest.raises(lexicon.ThesaurusError) as info:
        lexicon.load_thesaurus(path)
    message = str(info.value)
    assert "unknown key 'extra'" in message and "'Update'" in message and "generic.en" in message


# ------------------------------------------------------------------------------- frequency prior

@pytest.mark.parametrize("typed,published_typo,real_word", [
    ("publising", "publihsing", "publishing"),  # one letter from each
    ("duplcate", "dupicate", "duplicate"),
    ("plaform", "plarform", "platform"),
    ("snaoshot", "snoashot", "snapshot"),
])
def test_the_corrector_prefers_the_real_word_to_the_catalogs_typo(typed, published_typo, real_word):
    candidates = [(published_typo, 1), (real_word, 1)]
    assert lexicon.prefer_real_words(typed, candidates) == real_word
    assert lexicon.prefer_real_words(typed, list(reversed(candidates))) == real_word


def test_nearer_still_beats_more_common():
    assert lexicon.prefer_real_words("chanel", [("channel", 1), ("the", 5)]) == "channel"
    assert lexicon.prefer_real_words("x", []) is None


def test_frequencies_in_both_languages():
    assert lexicon.zipf("publishing") > 3 > lexicon.zipf("publihsing")
    assert lexicon.zipf("Channel") == lexicon.zipf("channel") > 0
    assert lexicon.zipf("녹화", "ko") > 2 and lexicon.zipf("녹화") == 0.0
