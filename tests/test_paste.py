"""Pasting the error you got into the search box or /api/search: its code first, its values explained
(the pinning and jumping rules themselves: test_lookup.py)."""
import html
import json

import re

import pytest

from catalog import load_catalog
from support import DATA_DIR

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


def fixed_characters(message: str) -> int:
    """What a message template says besides its placeholders, spaces left out."""
    return len(re.sub(r"\{\d+\}|\s", "", message))


SPECIFIC = [e for e in WITH_PLACEHOLDERS if fixed_characters(e.message) >= 10]


@pytest.mark.parametrize("entry", SPECIFIC, ids=lambda e: e.code)
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


@pytest.mark.parametrize("lang, label", [("en", "(inferred)"), ("ko", "(추정)")])
def test_a_certain_paste_lands_on_its_code_page_with_each_value_explained(client, lang, label):
    response = client.get("/search", query_string={"q": "Invalid parameter type.pageNo can not convert to type Integer.",
                                                   "lang": lang})
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Location"] == "/codes/250021?v0=pageNo&v1=Integer"
    landed = client.get(response.headers["Location"])
    assert landed.status_code == 200 and landed.headers["Cache-Control"] == "no-store"
    page = html.unescape(landed.get_data(as_text=True))
    entry = CATALOG.get("250021")
    assert 'id="your-error"' in page and "<mark>pageNo</mark>" in page and "<mark>Integer</mark>" in page
    for p in entry.placeholders:
        meaning = p.meaning.ko if lang == "ko" else p.meaning.en
        assert meaning in page and label in meaning
    assert '<link rel="canonical" href="http://localhost/codes/250021?lang=' in page


def test_the_plain_permalink_is_unchanged_and_cacheable(client):
    response = client.get("/codes/250021")
    assert 'id="your-error"' not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"].startswith("public")
    assert "your-error" not in client.get("/codes/250021?v7=x&other=1").get_data(as_text=True)  # not its placeholders


DUMP = ("*   Trying 110.165.19.42:443...\n> POST /api/v2/channels HTTP/2\n> host: livestation.apigw.ntruss.com\n"
        "> content-type: application/json\n>\n" + "".join(f"> x-trace-{i}: {'t' * 70}\n" for i in range(600))
        + "< HTTP/2 400\n< content-type: application/json;charset=UTF-8\n<\n"
        '{"error":{"errorCode":250104,"message":"Channel names can be entered with a maximum of 21 characters '
        'including English letters, numbers and the special character “_”.","errorName":"CHANNEL_NAME_IS_WRONG"}}\n')


def test_a_50_kb_dump_posted_from_the_form_lands_on_its_code(client):
    assert 48_000 < len(DUMP.encode()) < 64 * 1024
    response = client.post("/search", data={"q": DUMP, "lang": "en"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert '<article class="code-page" data-code="250104"' in page and 'id="your-error"' in page
    assert "x-trace-5" not in page  # the paste is not echoed back


def test_a_paste_with_several_candidates_lists_them_with_the_reason(client):
    message = "There is a restriction set on how many can be created. No more channels can be created."
    response = client.post("/search", data={"q": message}, headers={"Accept-Language": "en"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = html.unescape(response.get_data(as_text=True))
    assert "2 codes match this error" in page
    assert "Codes 250148, 250149 have exactly the same message" in page


def test_typed_words_posted_go_to_the_shareable_address(client):
    response = client.post("/search", data={"q": "  channel  ", "category": "channel"})
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=channel&category=channel"
    assert client.post("/search", data={"q": "  "}).headers["Location"] == "/search"


@pytest.mark.parametrize("lang, words", [("en", "64 KB"), ("ko", "64KB까지")])
def test_a_paste_over_64_kb_gets_a_page_in_the_visitors_language(client, lang, words):
    response = client.post(f"/search?lang={lang}", data={"q": DUMP + "x" * 20_000})
    assert response.status_code == 413 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and words in page and 'name="q"' in page


def test_api_match_answers_a_pasted_error(client):
    response = client.post("/api/match", json={"text": DUMP})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["jump"] == {"code": "250104", "values": {}, "url": "http://localhost/codes/250104"}
    first = data["matches"][0]
    assert (first["code"], first["name"], first["match"]["source"]) == ("250104", "CHANNEL_NAME_IS_WRONG", "errorCode")
    assert "summary_ko" in first and first["url"] == "http://localhost/codes/250104"


def test_api_match_explains_what_it_cannot_decide(client):
    body = json.dumps({"error": {"errorCode": 250104, "message": "Channel is not found", "errorName": "CHANNEL_NAME_IS_WRONG"}})
    data = client.post("/api/match", json={"text": body}).get_json()
    assert data["jump"] is None and [m["code"] for m in data["matches"][:2]] == ["250104", "250100"]
    assert [n["kind"] for n in data["notes"]] == ["message_conflict"] and "250100" in data["notes"][0]["ko"]
    values = client.post("/api/match", json={"text": "The short clip file clip-7 is being created. (Snapshot ID: 4242)"})
    assert values.get_json()["jump"]["values"] == {"0": "clip-7", "1": "4242"}
    assert [s["placeholder"] for s in values.get_json()["segments"] if s["placeholder"] is not None] == [0, 1]


@pytest.mark.parametrize("payload, status", [({"text": "x" * (64 * 1024 + 1)}, 413), ({"text": ""}, 400),
                                             ({"q": "x"}, 400), (["x"], 400), ("not json", 400)])
def test_api_match_refuses_what_it_cannot_read(client, payload, status):
    if isinstance(payload, str):
        response = client.post("/api/match", data=payload, content_type="text/plain")
    else:
        response = client.post("/api/match", json=payload)
    assert response.status_code == status and response.get_json()["error"]["message"]
    assert response.headers["Cache-Control"] == "no-store"


def test_match_is_post_only_and_search_api_get_only(client):
    assert client.get("/api/match").status_code == 405
    assert client.post("/api/search", data={"q": "x"}).status_code == 405


def test_a_paste_in_the_search_api_is_never_kept(client):
    response = client.get("/api/search", query_string={"q": "CH-1 not found."})
    assert response.headers["Cache-Control"] == "no-store" and response.get_json()["paste"]
    assert client.get("/api/search", query_string={"q": "channel"}).headers["Cache-Control"].startswith("public")


def test_pasted_text_is_not_logged(client, caplog):
    secret = "Invalid parameter type.secretTokenXYZ can not convert to type Integer."
    with caplog.at_level("DEBUG"):
        client.post("/search", data={"q": secret})
        client.post("/api/match", json={"text": secret})
    assert "secretTokenXYZ" not in caplog.text


def test_pasted_markup_is_escaped(client):
    page = client.get("/search", query_string={"q": "<script>alert(1)</script> not found."}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
