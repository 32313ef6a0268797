"""Pasting the error you got into the search box or /api/search: its code first, its values explained."""
import html
import json

import pytest

from catalog import load_catalog
from tests_paths import DATA_DIR

CATALOG = load_catalog(DATA_DIR)
WITH_PLACEHOLDERS = [c for c in CATALOG.codes if c.placeholders and c.code != "250001"]


def api(client, q, **params):
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200
    return response.get_json()


def twins(code):
    """Codes whose published message is identical to this code's (the message cannot tell them apart)."""
    entry = CATALOG.get(code)
    return {code} | {c.code for c in CATALOG.same_message(entry)}


@pytest.mark.parametrize("entry", WITH_PLACEHOLDERS, ids=lambda e: e.code)
def test_every_rendered_example_finds_its_code_and_values(client, entry):
    data = api(client, entry.example_message(), limit=5)
    group = twins(entry.code)
    top = data["results"][: len(group)]
    assert entry.code in {r["code"] for r in top}
    mine = next(r for r in top if r["code"] == entry.code)
    assert mine["match"]["params"] == {str(p.index): p.example for p in entry.placeholders}
    assert mine["match"]["source"] == "message"


def test_live_station_body_in_an_http_dump(client):
    dump = ('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=UTF-8\r\n\r\n'
            '{"error":{"errorCode":"250021","message":"Invalid parameter type.pageNo can not convert to type Integer.",'
            '"errorName":"OPEN_API_PARAM_TYPE_ERROR"}}')
    first = api(client, dump)["results"][0]
    assert first["code"] == "250021"
    assert first["match"] == {"params": {"0": "pageNo", "1": "Integer"}, "exact": True, "source": "errorCode"}


def test_gateway_body_in_a_log_line(client):
    line = ('2026-11-25T10:00:01Z ERROR livestation call failed: '
            '{"error":{"errorCode":"210","message":"Permission Denied","details":"A subscription to the API is required."}}')
    first = api(client, line)["results"][0]
    assert (first["code"], first["match"]["source"]) == ("210", "errorCode")


def test_code_and_message_that_disagree_are_both_listed_with_a_note(client):
    body = json.dumps({"error": {"errorCode": 250104, "message": "Channel is not found", "errorName": "CHANNEL_NAME_IS_WRONG"}})
    data = api(client, body)
    codes = [r["code"] for r in data["results"][:2]]
    assert codes == ["250104", "250100"]
    conflict = next(n for n in data["paste"]["notes"] if n["kind"] == "message_conflict")
    assert conflict["codes"] == ["250100"] and conflict["values"]["said"] == "250104"
    assert "250104" in conflict["en"] and "250100" in conflict["en"]
    assert "250104" in conflict["ko"] and "250100" in conflict["ko"] and "errorCode" in conflict["ko"]


@pytest.mark.parametrize("message, group", [
    ("There is a restriction set on how many can be created. No more channels can be created.", {"250148", "250149"}),
    ("The request does not allowed : the recording has been start already", {"250135", "250136"}),
])
def test_identical_templates_return_all_their_codes_with_a_note(client, message, group):
    data = api(client, message)
    assert {r["code"] for r in data["results"][: len(group)]} == group
    note = next(n for n in data["paste"]["notes"] if n["kind"] == "same_message")
    assert set(note["codes"]) == group
    assert "errorCode" in note["en"] and "errorCode" in note["ko"] and "메시지" in note["ko"]


def test_words_are_not_taken_for_a_paste(client):
    data = api(client, "channel not found")
    assert data["results"][0]["code"] == "250100"
    assert all(r["match"] is None for r in data["results"]) and "paste" not in data


def test_unmatched_paste_falls_back_to_search(client):
    data = api(client, "Something odd happened while uploading the recording to my bucket yesterday.")
    assert data["results"] and data["paste"]["matched"] == []


def test_long_paste_is_cut_with_a_note(client):
    huge = "Channel is not found\n" + "x" * 70000
    data = api(client, huge)
    assert data["paste"]["truncated"] is True
    page = client.get("/search", query_string={"q": huge, "lang": "en"})
    assert page.status_code == 200 and "only its first 65536 characters" in page.get_data(as_text=True)


@pytest.mark.parametrize("lang, label", [("en", "(inferred)"), ("ko", "(추정)")])
def test_html_marks_each_value_with_what_it_holds(client, lang, label):
    response = client.get("/search", query_string={"q": "Invalid parameter type.pageNo can not convert to type Integer.",
                                                   "lang": lang})
    assert response.status_code == 200  # a paste shows its analysis instead of redirecting
    page = html.unescape(response.get_data(as_text=True))
    entry = CATALOG.get("250021")
    assert "<mark>pageNo</mark>" in page and "<mark>Integer</mark>" in page
    for p in entry.placeholders:
        meaning = p.meaning_ko if lang == "ko" else p.meaning_en
        assert meaning in page and label in meaning


def test_pasted_markup_is_escaped(client):
    page = client.get("/search", query_string={"q": "<script>alert(1)</script> not found."}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
