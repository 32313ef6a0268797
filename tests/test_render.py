"""What makes a search answer cheap must not change it: result rows rendered once with holes for
the marked fields, result JSON fields made once per code, templates translated through the
render's catalog."""
from __future__ import annotations

import dataclasses

import pytest
from flask import get_template_attribute

from search import Marked
from search.service import SearchHit


def hit_for(entry, marks=True) -> SearchHit:
    """A hit on every shown field of the entry, its first word marked (or nothing marked)."""
    fields = {"name": entry.name, "message": entry.message, "description_ko": entry.description_ko,
              "summary_en": entry.summary.en, "summary_ko": entry.summary.ko}
    marked = {}
    for field, text in fields.items():
        text = text or ""
        end = text.find(" ") if " " in text else len(text)
        marked[field] = Marked(text, ((0, end),) if marks and end > 0 else ())
    return SearchHit(code=entry.code, score=1.0, marked=marked)


def rendered_both_ways(app, entry, hit, lang):
    with app.test_request_context(f"/search?q=x&lang={lang}"):
        titles = {c.slug: c for c in app.extensions["catalog"].categories}
        fast = app.extensions["result_rows"].html(hit, entry, lang, titles)
        slow = get_template_attribute("result_row.html", "result_row")(hit, entry, lang, titles)
    return str(fast), str(slow)


def test_every_pre_rendered_row_is_the_rows_template_byte_for_byte(make_app):
    """Every code, marked and unmarked, both languages in one app (a row kept for one would show in the other)."""
    app = make_app()
    codes = app.extensions["catalog"].codes
    for lang in ("en", "ko"):
        for entry in codes:
            for marks in (True, False):
                fast, slow = rendered_both_ways(app, entry, hit_for(entry, marks), lang)
                assert fast == slow, (entry.code, lang, marks)
    assert any("<mark>" in rendered_both_ways(app, e, hit_for(e), "ko")[0] for e in codes)


def test_a_row_whose_text_holds_the_hole_character_is_rendered_in_full(make_app):
    app = make_app()
    entry = app.extensions["catalog"].codes[0]
    for odd in (dataclasses.replace(entry, message="a \x00name\x00 b \x00"),
                dataclasses.replace(entry, code="25\x00name\x000")):
        fast, slow = rendered_both_ways(app, odd, hit_for(odd), "en")
        assert fast == slow and "\x00name\x00" in fast


def test_a_pasted_errors_pin_shows_its_values(make_app):
    app = make_app()
    entry = app.extensions["catalog"].codes[0]
    hit = dataclasses.replace(hit_for(entry), match={"params": {"0": "pageNo"}, "exact": True, "source": "message"})
    fast, slow = rendered_both_ways(app, entry, hit, "en")
    assert fast == slow and "<mark>pageNo</mark>" in fast


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_result_permalinks_follow_the_origin_of_each_request(make_app, host):
    """The fixed fields of a result are kept per code, but the permalink is per origin."""
    app = make_app(PRERENDER=False)
    client = app.test_client(use_cookies=False)
    for first in ("localhost", "127.0.0.1"):  # the other origin asks first
        client.get("/api/search?q=channel", headers={"Host": first})
    results = client.get("/api/search?q=channel", headers={"Host": host}).get_json()["results"]
    assert results and all(r["url"] == f"http://{host}/codes/{r['code']}" for r in results)
    prefixed = client.get("/api/search?q=channel", base_url=f"http://{host}/errors/").get_json()["results"]
    assert prefixed and all(r["url"] == f"http://{host}/errors/codes/{r['code']}" for r in prefixed)


def test_kept_result_fields_are_not_changed_by_an_answer(make_app):
    app = make_app(PRERENDER=False)
    client = app.test_client(use_cookies=False)
    first = client.get("/api/search?q=channel").get_json()["results"][0]
    again = client.get("/api/search?q=channel").get_json()["results"][0]
    assert first == again and {"score", "highlights", "marks", "match"} <= set(again)
    assert "score" not in next(iter(app.extensions["entry_json"].values()))


def test_templates_translate_in_the_renders_language_even_when_forced(make_app):
    """The bound catalog is the render's: the Korean page, and an English render forced in a Korean request."""
    from flask import render_template_string
    from flask_babel import force_locale

    app = make_app(PRERENDER=False)
    page = app.test_client(use_cookies=False).get("/search?q=channel&lang=ko").get_data(as_text=True)
    assert "검색" in page and ">Search<" not in page
    with app.test_request_context("/search?lang=ko"):
        assert render_template_string("{{ _('Search') }}") == "검색"
        with force_locale("en"):
            assert render_template_string("{{ _('Search') }}") == "Search"
            assert render_template_string("{{ ngettext('%(num)d code', '%(num)d codes', 2) }}") == "2 codes"


def test_fragments_are_kept_per_language_and_origin(make_app):
    """A fragment (head links, brand, footer, form attributes) in another language or path prefix is its own."""
    app = make_app(PRERENDER=False)
    client = app.test_client(use_cookies=False)
    english = client.get("/search?q=channel&lang=en").get_data(as_text=True)
    korean = client.get("/search?q=channel&lang=ko").get_data(as_text=True)
    prefixed = client.get("/search?q=channel&lang=en", base_url="http://localhost/errors/").get_data(as_text=True)
    assert 'data-none="No matching codes"' in english and "Skip to content" in english
    assert 'data-none="No matching codes"' not in korean and "Skip to content" not in korean
    assert 'href="/errors/static/' in prefixed and 'data-api="/errors/api/search"' in prefixed
    assert 'class="result" href="/errors/codes/' in prefixed and 'class="result" href="/codes/' not in prefixed
    assert 'href="/errors/' not in client.get("/search?q=channel&lang=en").get_data(as_text=True)
    assert len(app.jinja_env.fragments) >= 3 * 5  # head links, brand, footer, form attributes, paste box


def test_a_fragment_with_the_visitors_text_is_rendered_every_time(make_app):
    app = make_app(PRERENDER=False)
    client = app.test_client(use_cookies=False)
    client.get("/search?q=channel&lang=en")  # the empty paste box, kept
    for text in ("first pasted text {0}\nline", "second pasted text {1}\nline"):
        page = client.post("/search?lang=en", data={"q": text}).get_data(as_text=True)
        assert text.split("\n")[0] in page.split('<textarea id="paste-text"')[1].split("</textarea>")[0]
    assert not any("pasted text" in str(kept) for kept in app.jinja_env.fragments.values())
