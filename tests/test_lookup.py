"""lookup.lookup(): which pasted codes are pinned above the results, the catch-all template, and
when a query or a paste jumps straight to one code. Called directly, without Flask."""
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lookup as lk
from catalog import load_catalog
from search import SearchResults
from support import DATA_DIR

CATALOG = load_catalog(DATA_DIR)
VAGUE = [e for e in CATALOG.codes if e.placeholders and e.code != "250001"
         and len(re.sub(r"\{\d+\}|\s", "", e.message)) < lk.MIN_CERTAIN_SPECIFICITY]


def codes(found):
    return [hit.code for hit in found.results.hits]


# ----------------------------------------------------------------------------------- pinning

@pytest.mark.parametrize("text, wanted", [
    ("Snapshot not found.", "SNAPSHOT_NOT_FOUND"),  # fits "{0} not found." by chance: 8 fixed characters
    ("Channel not found.", "CHANNEL_NOT_FOUND"),
])
def test_a_short_template_fit_is_searched_not_pinned(run_lookup, text, wanted):
    found = run_lookup(text)
    assert found.paste is not None and found.pinned == 0 and found.jump is None
    assert CATALOG.get(found.results.hits[0].code).name == wanted


@pytest.mark.parametrize("entry", VAGUE, ids=lambda e: e.code)
def test_a_vague_template_is_explained_but_not_pinned(run_lookup, entry):
    found = run_lookup(entry.example_message(), limit=5)
    assert entry.code in [m.code for m in found.paste.matches]
    assert found.pinned == 0 and all(hit.match is None for hit in found.results.hits)


def test_a_code_number_or_a_body_earns_the_pin(run_lookup):
    found = run_lookup("250004 Snapshot not found.")
    assert codes(found)[0] == "250004" and found.results.hits[0].match is not None and found.pinned == 1
    found = run_lookup('{"error": {"errorCode": 250004, "message": "Snapshot not found."}}')
    assert codes(found)[0] == "250004" and found.results.hits[0].match["source"] == "errorCode"


def test_earns_pin_needs_evidence(matcher):
    analysis = matcher.analyse("CH-1 not found.")
    vague = next(m for m in analysis.matches if m.source == "message")
    assert not lk.earns_pin(vague, analysis, "CH-1 not found.")
    assert lk.earns_pin(vague, analysis, f"{vague.code} CH-1 not found.")
    assert not lk.earns_pin(vague, analysis, f"1{vague.code} CH-1 not found.")  # part of another number


def test_only_the_first_page_pins_and_the_category_still_filters(search_service, matcher):
    asked = []

    class Recording:
        def search(self, text, **kw):
            asked.append(kw["pinned"])
            return search_service.search(text, **kw)

    body = '{"error": {"errorCode": 250104, "message": "Channel is not found"}}'
    found = lk.lookup(body, search=Recording(), matcher=matcher, limit=5)
    assert codes(found)[0] == "250104" and [code for code, _ in asked[-1]][:2] == ["250104", "250100"]
    second = lk.lookup(body, search=Recording(), matcher=matcher, limit=5, page=2)
    assert asked[-1] == () and second.pinned == 0
    assert [h.code for h in second.results.hits] == [h.code for h in search_service.search(body, limit=5, page=2).hits]
    other = next(c.slug for c in CATALOG.categories if c.slug != CATALOG.get("250104").category)
    assert "250104" not in codes(lk.lookup(body, search=Recording(), matcher=matcher, limit=5, category=other))


# ------------------------------------------------------------------------------ the catch-all

def test_the_catch_all_template_claims_nothing_unless_the_body_names_it(matcher):
    catch_all = CATALOG.get("250001")
    assert catch_all.message == "{0}"
    text = "ERROR: odd thing happened here\n"
    assert "250001" in [m.code for m in matcher.analyse(text).matches]  # "{0}" fits any line
    pasted = lk.identify(text, matcher)
    assert pasted.analysis.matches == () and pasted.analysis.segments == () and pasted.certain is None
    named = lk.identify(json.dumps({"error": {"errorCode": 250001, "message": "odd"}}), matcher)
    assert [m.code for m in named.analysis.matches][:1] == ["250001"] and named.certain.code == "250001"


def test_words_are_not_taken_for_a_paste(run_lookup):
    found = run_lookup("channel not found")
    assert found.paste is None and found.pinned == 0 and codes(found)[0] == "250100"
    assert run_lookup("channel not found", paste=True).paste is not None


# ------------------------------------------------------------------------------------ jumping

def test_an_exact_code_or_unique_name_jumps_on_the_first_unfiltered_page(run_lookup):
    assert run_lookup("250104").jump == "250104"
    assert run_lookup("channel_not_found").jump == "250100"
    assert run_lookup("250104", page=2).jump is None
    assert run_lookup("250104", category=CATALOG.get("250104").category).jump is None
    shared = [e.code for e in CATALOG.codes if e.name == "OPEN_API_UNAUTHORIZED"]
    assert len(shared) > 1 and run_lookup("OPEN_API_UNAUTHORIZED").jump is None


def test_a_certain_paste_jumps_with_its_values(run_lookup):
    found = run_lookup("Invalid parameter type.pageNo can not convert to type Integer.")
    assert found.jump == "250021" and found.values == {"0": "pageNo", "1": "Integer"}


@pytest.mark.parametrize("text", [
    "There is a restriction set on how many can be created. No more channels can be created.",  # two codes
    "Snapshot not found.",  # too few fixed words
    json.dumps({"error": {"errorCode": 250104, "message": "Channel is not found"}}).replace("250104", "x"),
])
def test_a_doubtful_paste_does_not_jump(run_lookup, text):
    assert run_lookup(text).jump is None


def test_an_error_code_in_a_body_jumps_even_when_the_message_disagrees(matcher):
    body = json.dumps({"error": {"errorCode": 250104, "message": "Channel is not found"}})
    pasted = lk.identify(body, matcher)
    assert pasted.analysis.conflicts and pasted.certain is None
    assert lk.identify(json.dumps({"error": {"errorCode": 250104}}), matcher).certain.code == "250104"


def test_a_long_paste_is_searched_by_its_message(run_lookup):
    body = json.dumps({"error": {"errorCode": 999999, "message": "Channel is not found"}, "pad": "x" * 400})
    found = run_lookup(body)
    assert found.results.query == "Channel is not found" and codes(found)[0] == "250100"
    assert lk.words_of("y" * 300, dataclasses.replace(found.paste, body=None)) == "y" * lk.SHORT_QUERY


def test_a_failed_search_is_degraded_and_jumps_nowhere(matcher):
    class Down:
        def search(self, text, *, limit, page, category, pinned):
            return SearchResults(text, 0, page, limit, (), degraded=True)

    for text in ("250104", '{"error": {"errorCode": 250104}}'):
        found = lk.lookup(text, search=Down(), matcher=matcher, limit=10)
        assert found.degraded and found.jump is None and found.values == {} and found.results.hits == ()


def test_is_paste_keeps_long_or_multiline_text_out_of_addresses(matcher):
    assert not lk.is_paste("channel not found", matcher) and not lk.is_paste("채널 녹화", matcher)
    assert lk.is_paste("채널\n녹화", matcher) and lk.is_paste("채널 " * (lk.SHORT_QUERY // 3 + 1), matcher)
    assert lk.is_paste('{"error": {"errorCode": 250104}}', matcher)


def test_lookup_and_what_it_uses_need_no_flask():
    code = "import sys, lookup, matcher, search, catalog; print('flask' in sys.modules, 'markupsafe' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
