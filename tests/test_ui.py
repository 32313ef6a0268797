"""Code pages for developers and support staff: replies, confusable codes, copy buttons, CSP-ready markup."""
import html
import re

import pytest

from relations import Relations, edit_distance
from support import ROOT

BASE = "http://localhost"
PAGES = ["/", "/?lang=ko", "/categories/channel", "/codes/250104", "/codes/250144?lang=ko", "/codes/210",
         "/search?q=channel", "/search", "/codes/open_api_unauthorized", "/codes/999999", "/nope"]


def text(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404), path
    return response.get_data(as_text=True)


def reply(page, lang):
    m = re.search(r'<pre id="reply-%s" class="reply-text" lang="%s">(.*?)</pre>' % (lang, lang), page, re.S)
    assert m, lang
    return html.unescape(m.group(1))


def confused_codes(page):
    m = re.search(r'<section id="confused".*?</section>', page, re.S)
    return re.findall(r'href="/codes/(\d+)"', m.group(0)) if m else []


# ------------------------------------------------------------------- replies to customers

@pytest.mark.parametrize("ui", ["en", "ko"])
def test_reply_blocks_in_both_languages_whatever_the_interface(client, cat, ui):
    entry = cat.get("250104")
    page = text(client, f"/codes/250104?lang={ui}")
    ko, en = reply(page, "ko"), reply(page, "en")
    assert ko.startswith("안녕하세요.") and en.startswith("Hello,")
    for body in (ko, en):
        assert "250104" in body and "CHANNEL_NAME_IS_WRONG" in body and entry.message in body
    assert f"{BASE}/codes/250104?lang=ko" in ko and f"{BASE}/codes/250104?lang=en" in en
    assert f"\"{entry.message}\"\n({entry.description_ko})" in ko
    assert "문의하신 오류는 Live Station API 오류 코드 250104 (CHANNEL_NAME_IS_WRONG)입니다." in ko
    assert "The error you received is Live Station API error 250104 (CHANNEL_NAME_IS_WRONG)." in en
    assert not re.search(r"<[a-z]", ko + en)  # plain text that pastes cleanly


def test_reply_says_what_it_means_and_what_to_do_then_closes(client, cat):
    entry = cat.get("250104")
    page = text(client, "/codes/250104")
    en, ko = reply(page, "en"), reply(page, "ko")
    assert f"What it means: {entry.summary.en}" in en and f"원인: {entry.summary.ko}" in ko
    steps = entry.guidance.next_steps
    assert "What to do:\n" + "\n".join(f"{i}. {s.en}" for i, s in enumerate(steps, 1)) in en
    assert "조치 방법:\n" + "\n".join(f"{i}. {s.ko}" for i, s in enumerate(steps, 1)) in ko
    assert en.splitlines()[-1] == "Thank you." and ko.splitlines()[-1] == "감사합니다."


def test_korean_reply_quotes_our_summary_where_ncp_gives_no_korean(client, cat):
    entry = cat.get("250015")  # "Access denied": no official Korean description
    assert not entry.description_ko and entry.summary.ko
    ko = reply(text(client, "/codes/250015"), "ko")
    assert f"\"{entry.message}\"\n(의미: {entry.summary.ko})" in ko
    assert f"원인: {entry.summary.ko}" not in ko  # said once


def test_reply_falls_back_to_our_fix_without_guidance(app, cat):
    from dataclasses import replace

    from views import reply_text
    entry = replace(cat.get("250104"), guidance=None)
    with app.test_request_context("/codes/250104"):
        assert f"What to do: {entry.fix.en}" in reply_text(entry, "en")
        assert f"조치 방법: {entry.fix.ko}" in reply_text(entry, "ko")


REPLY_LINES_KO = ("안녕하세요.", "입니다.", "보내 주십시오.", "감사합니다.")
INTERNAL = re.compile(r"공식 문서에는 없|공개 코드|public code|not officially documented|officially document", re.I)


@pytest.mark.parametrize("code", ["250000", "250015", "250021", "250104", "250144", "250365", "100", "200", "210", "900"])
def test_korean_reply_is_korean_in_one_polite_register(client, cat, code):
    """Apart from NCP's English message, names, codes, fields and the link, a Korean reply reads in Korean."""
    entry = cat.get(code)
    ko = reply(text(client, f"/codes/{code}"), "ko")
    rest = ko.replace(f"\"{entry.message}\"", "")
    rest = re.sub(r"https?://\S+|\{\w+\}|[A-Za-z0-9_.]*[_./{}][A-Za-z0-9_./{}]*|[a-z]+[A-Z]\w*", " ", rest)
    assert not re.search(r"\b[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}\b", rest), rest
    ours = ko.replace(f"\"{entry.message}\"", "").replace(f"({entry.description_ko})", "")
    fixed = [line for line in ours.splitlines() if line and not line.startswith(("(의미:", "원인:", "조치 방법:"))
             and not re.match(r"\d+\. ", line)]
    assert all(line.endswith(REPLY_LINES_KO) or line.startswith("자세한 내용:") for line in fixed), fixed
    assert not INTERNAL.search(ko) and not INTERNAL.search(reply(text(client, f"/codes/{code}"), "en"))


def test_gateway_reply_names_the_gateway_and_status(client):
    page = text(client, "/codes/210?lang=en")
    assert "API Gateway error 210 (HTTP 401)." in reply(page, "en")
    assert "API Gateway 오류 210(HTTP 401)입니다." in reply(page, "ko")


def test_reply_matches_the_python_text(app, client):
    from views import reply_text
    page = text(client, "/codes/250021")
    with app.test_request_context("/codes/250021"):
        entry = app.extensions["catalog"].get("250021")
        assert reply(page, "ko") == reply_text(entry, "ko")
        assert reply(page, "en") == reply_text(entry, "en")


@pytest.mark.parametrize("code", ["250000", "250144", "250321", "100", "900", "250707"])
def test_every_kind_of_code_has_a_reply_and_copy_buttons(client, code):
    page = text(client, f"/codes/{code}")
    assert 'data-copy-from="reply-ko"' in page and 'data-copy-from="reply-en"' in page
    assert f'data-copy-text="{BASE}/codes/{code}"' in page
    assert f'data-copy-text="{code}"' in page
    assert 'data-copy-from="message"' in page and 'data-copy-from="example-json"' in page


# ------------------------------------------------------------------------ copy buttons

def test_copy_buttons_are_hidden_until_the_script_runs(client):
    page = text(client, "/codes/250104")
    buttons = re.findall(r"<button[^>]*class=\"copy\"[^>]*>", page)
    assert len(buttons) >= 7
    assert all(" hidden" in b and 'type="button"' in b for b in buttons)
    assert 'data-copy-text="CHANNEL_NAME_IS_WRONG"' in page


def test_copy_sources_hold_the_exact_text(client, cat):
    entry = cat.get("250144")  # a four-line message
    page = text(client, "/codes/250144")
    message = re.search(r'<blockquote class="message" id="message" lang="en">(.*?)</blockquote>', page, re.S)
    assert html.unescape(message.group(1)) == entry.message
    example = re.search(r'<code id="example-json">(.*?)</code>', page, re.S)
    import json
    assert json.loads(html.unescape(example.group(1))) == entry.example_body()


def test_unnamed_code_has_no_copy_name_button(client):
    assert "Copy name" not in text(client, "/codes/210?lang=en")


# ------------------------------------------------------------------ often confused with

@pytest.mark.parametrize("code, other", [("250135", "250136"), ("250136", "250135"), ("250144", "250145"),
                                         ("250145", "250144"), ("250146", "250147"), ("250303", "250374"),
                                         ("250100", "250125"), ("250015", "250017"), ("250006", "250015")])
def test_confused_with_pairs(client, code, other):
    assert other in confused_codes(text(client, f"/codes/{code}"))


@pytest.mark.parametrize("code", ["250109", "250110", "250111", "250112", "250126", "250128", "250156", "250157",
                                  "250170"])
def test_a_misspelt_name_is_not_confused_with_names_that_merely_start_alike(client, code):
    """CNANNEL_CANNOT_DELETE_... is not CHANNEL_CANNOT_CREATE_INSTANCE: no "often confused with" for them."""
    assert confused_codes(text(client, f"/codes/{code}")) == []


def test_a_typo_that_makes_two_names_equal_is_a_confusion(cat, make_catalog):
    from dataclasses import replace
    real = cat.get("250100")  # CHANNEL_NOT_FOUND
    misspelt = replace(real, code="259001", name="CHANEL_NOT_FOUND", message="Channel was not found here.")
    rel = Relations([*cat.codes, misspelt])
    assert rel.corrections["CHANEL"] == "CHANNEL"
    reasons = {c.code.code: c for c in rel.confused_with(misspelt)}
    assert reasons["250100"].reason == "typo" and reasons["250100"].typos == (("CHANEL", "CHANNEL"),)
    assert reasons["250100"].names == ("CHANEL_NOT_FOUND", "CHANNEL_NOT_FOUND")


def test_confused_with_reasons(rel, cat):
    reasons = {c.code.code: c.reason for c in rel.confused_with(cat.get("250144"))}
    assert reasons == {"250145": "same_message"}
    assert {c.code.code: c.reason for c in rel.confused_with(cat.get("250015"))} == {
        "250017": "same_name", "250006": "open_api_prefix"}
    assert {c.code.code: c.reason for c in rel.confused_with(cat.get("250100"))} == {"250125": "word_order"}
    assert {c.code.code: c.reason for c in rel.confused_with(cat.get("250334"))} == {"250335": "similar_name"}
    assert rel.confused_with(cat.get("250128")) == ()


def test_confusion_is_symmetric_and_never_lists_the_code_itself(rel, cat):
    for entry in cat.codes:
        for c in rel.confused_with(entry):
            assert c.code.code != entry.code
            assert entry.code in {x.code.code for x in rel.confused_with(c.code)}, (entry.code, c.code.code)


def test_typo_detection_finds_the_published_misspellings_only(rel):
    assert rel.corrections == {"CNANNEL": "CHANNEL", "DUPICATE": "DUPLICATE", "PLARFORM": "PLATFORM",
                               "SNOASHOT": "SNAPSHOT"}


def test_unrelated_codes_are_not_confused(rel, cat):
    assert rel.confused_with(cat.get("250000")) == ()
    assert "250132" not in {c.code.code for c in rel.confused_with(cat.get("250114"))}


@pytest.mark.parametrize("a, b, d", [("CHANNEL", "CNANNEL", 1), ("ab", "ba", 1), ("", "abc", 3),
                                     ("SNAPSHOT", "SNOASHOT", 2), ("kitten", "sitting", 3), ("same", "same", 0)])
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)
    assert edit_distance(a, b, limit=1) == min(d, 2)


def test_related_codes_section(client, cat):
    entry = next(c for c in cat.codes if c.related)
    page = text(client, f"/codes/{entry.code}")
    shown = set(confused_codes(page))
    for code in entry.related:
        assert f'href="/codes/{code}"' in page
    section = re.search(r'<section id="related".*?</section>', page, re.S)
    listed = re.findall(r'href="/codes/(\d+)"', section.group(0)) if section else []
    assert listed == [code for code in entry.related if code not in shown]  # a code is shown once, confused first


# ---------------------------------------------------------------- recently viewed, search

def test_home_has_a_hidden_recently_viewed_list_for_the_script(client):
    page = text(client, "/?lang=en")
    assert re.search(r'<section id="recent" aria-labelledby="recent-h" hidden>', page)
    assert '<ol class="recent"></ol>' in page and 'class="clear"' in page


def test_code_page_tells_the_script_what_to_remember(client):
    assert 'data-code="250104" data-title="CHANNEL_NAME_IS_WRONG"' in text(client, "/codes/250104")
    assert 'data-code="210" data-title="Permission Denied"' in text(client, "/codes/210")


def test_instant_search_strings_and_endpoint_are_on_the_form(client):
    page = text(client, "/categories/channel?lang=ko")
    form = re.search(r'<form class="search"[^>]*>', page).group(0)
    assert 'data-api="/api/search"' in form and 'action="/search"' in form
    assert 'data-many="결과 {n}건"' in form and "{q}" in form
    assert 'data-instant' in page
    assert 'role="combobox"' not in page  # added by the script, so nothing claims to be a combobox without it


# --------------------------------------------------------------- CSP, weight, print

@pytest.mark.parametrize("path", PAGES)
def test_pages_are_ready_for_a_strict_content_security_policy(client, path):
    page = text(client, path)
    scripts = re.findall(r"<script\b[^>]*>", page)
    # one script, the site's own (its name carries a content hash in production: web.py)
    assert len(scripts) == 1 and re.fullmatch(r'<script src="/static/site(\.[0-9a-f]{12})?\.js" defer>', scripts[0])
    assert "</script>" in page and re.search(r"<script[^>]*></script>", page)
    assert not re.search(r"\son[a-z]+\s*=", page, re.I), "inline event handler"
    assert not re.search(r"\sstyle\s*=", page, re.I), "style attribute"
    assert "<style" not in page and "javascript:" not in page.lower()


def test_script_and_stylesheet_stay_small():
    import gzip
    js = (ROOT / "static" / "site.js").read_text("utf-8")
    css = (ROOT / "static" / "style.css").read_bytes()
    assert len(js.encode()) < 16_000 and len(gzip.compress(js.encode())) < 5_500
    assert "innerHTML" not in js and "eval(" not in js and "document.write" not in js
    assert len(css) < 12_000 and len(gzip.compress(css)) < 3_500


@pytest.mark.parametrize("path", ["/codes/250104?lang=en", "/codes/250147?lang=ko", "/"])
def test_pages_are_light(client, path):
    import gzip
    body = client.get(path).data
    assert len(body) < 18_000 and len(gzip.compress(body)) < 5_500  # the largest code page is about 15 KB


def test_print_stylesheet_hides_the_chrome():
    css = (ROOT / "static" / "style.css").read_text("utf-8")
    printing = css[css.index("@media print"):]
    hidden = re.search(r"\n ([^{}]+)\{display:none!important\}", printing).group(1).split(",")
    for selector in ("header.site", "footer.site", "button", ".anchor", "#reply", ".ac", ".toast"):
        assert selector in hidden
    assert "break-inside:avoid" in printing and "attr(href)" in printing


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_landmarks_and_labelled_search(client, path):
    page = text(client, path)
    assert '<main id="main">' in page and '<header class="site">' in page and '<footer class="site">' in page
    assert '<label for="q"' in page and 'id="q"' in page
    assert re.search(r'<html lang="(en|ko)">', page)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids"
