"""The interface in Korean and English: how the language is chosen, and that every string is translated."""
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from support import ROOT

PO = ROOT / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)">', response.get_data(as_text=True)).group(1)


def body_text(response) -> str:
    """The visible interface text of a page: the header, headings, labels (no data, which is bilingual)."""
    text = response.get_data(as_text=True)
    header = text[text.index("<header"):text.index("</header>")]
    return re.sub(r"<[^>]+>", " ", header)


# ---------------------------------------------------------------------------- choosing

@pytest.mark.parametrize("accept, lang", [
    ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"), ("ko", "ko"), ("en-US,en;q=0.9", "en"), ("ja-JP", "en"),
    ("", "en"), ("fr-FR,fr;q=0.9,ko;q=0.5", "ko"), ("en;q=0.9,ko;q=0.8", "en"),
])
def test_browser_language_picks_the_interface(client, accept, lang):
    response = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert html_lang(response) == lang
    header = body_text(response)
    if lang == "ko":
        assert "오류 코드 검색" in header and "Search error codes" not in header
    else:
        assert "Search error codes" in header and not HANGUL.search(header.replace("한국어", ""))


def test_korean_browser_gets_a_korean_code_page(client):
    response = client.get("/codes/250104", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    text = response.get_data(as_text=True)
    assert html_lang(response) == "ko"
    for korean in ("해결 방법" if "id=\"fix\"" in text else "응답 본문 예시", "네이버 클라우드 플랫폼 공식 정보",
                   "고객 답변", "링크 복사", "본문 바로가기"):
        assert korean in text
    assert "Channel names can be entered" in text  # the official English message is always shown


def test_explicit_choice_sets_a_cookie_that_later_pages_follow(client):
    response = client.get("/?lang=ko", headers={"Accept-Language": "en"})
    assert html_lang(response) == "ko"
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("lang=ko") and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    later = client.get("/categories/channel", headers={"Accept-Language": "en"})
    assert html_lang(later) == "ko"
    assert "Set-Cookie" not in later.headers  # nothing new to remember


def test_query_parameter_overrides_the_cookie(client):
    client.set_cookie("lang", "ko")
    assert html_lang(client.get("/codes/250100")) == "ko"
    response = client.get("/codes/250100?lang=en")
    assert html_lang(response) == "en"
    assert response.headers["Set-Cookie"].startswith("lang=en")
    assert html_lang(client.get("/codes/250100")) == "en"


@pytest.mark.parametrize("value", ["fr", "", "ko;", "<script>"])
def test_unknown_language_values_are_ignored(client, value):
    client.set_cookie("lang", "ko")
    response = client.get("/", query_string={"lang": value})
    assert html_lang(response) == "ko"
    assert "Set-Cookie" not in response.headers


def test_responses_that_depend_on_language_say_so(client):
    vary = client.get("/").headers.get("Vary", "")
    assert "Accept-Language" in vary and "Cookie" in vary
    assert "Cookie" not in client.get("/static/style.css").headers.get("Vary", "")


def test_switch_keeps_the_page_and_its_query(client):
    text = client.get("/search?q=channel&lang=en").get_data(as_text=True)
    assert 'href="/search?q=channel&amp;lang=ko" lang="ko" hreflang="ko">한국어</a>' in text
    assert '<span aria-current="true" lang="en">English</span>' in text
    text = client.get("/codes/250104?lang=ko").get_data(as_text=True)
    assert 'href="/codes/250104?lang=en" lang="en" hreflang="en">English</a>' in text


@pytest.mark.parametrize("path", ["/", "/categories/channel", "/codes/250104", "/codes/210", "/search?q=x",
                                  "/codes/999999", "/codes/open_api_unauthorized"])
def test_language_switch_on_every_page(client, path):
    for lang, other in (("en", "한국어"), ("ko", "English")):
        sep = "&" if "?" in path else "?"
        text = client.get(f"{path}{sep}lang={lang}").get_data(as_text=True)
        assert re.search(r'<nav class="lang" aria-label="[^"]+">', text)
        assert f">{other}</a>" in text


def test_official_text_is_bilingual_whatever_the_language(client, app):
    entry = app.extensions["catalog"].get("250100")
    for lang in ("en", "ko"):
        text = client.get(f"/codes/250100?lang={lang}").get_data(as_text=True)
        assert entry.message in text and entry.description_ko in text


def test_project_text_follows_the_language(client, app):
    entry = app.extensions["catalog"].get("250000")
    assert entry.summary.en and entry.summary.ko
    en = client.get("/codes/250000?lang=en").get_data(as_text=True)
    ko = client.get("/codes/250000?lang=ko").get_data(as_text=True)
    assert entry.summary.en in en and entry.summary.en not in ko.split('id="reply"')[0]
    assert entry.summary.ko in ko


def test_opensearch_description_follows_the_language(client):
    assert "<ShortName>LS 오류 코드</ShortName>" in client.get("/opensearch.xml?lang=ko").get_data(as_text=True)
    assert "<ShortName>LS Error Codes</ShortName>" in client.get("/opensearch.xml?lang=en").get_data(as_text=True)


# ------------------------------------------------------------------------ the catalogs

def load_po():
    with PO.open("rb") as fh:
        return read_po(fh)


def test_every_korean_msgstr_is_filled_and_none_is_fuzzy():
    text = PO.read_text("utf-8")
    assert "#, fuzzy" not in text.split("msgid", 2)[2] and not re.search(r"^#,.*fuzzy", text, re.M)
    catalog = load_po()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 50
    for message in messages:
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"


def test_translations_keep_their_placeholders():
    for message in load_po():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for s in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", s)) == wanted, message.id


def test_every_interface_string_in_the_code_is_in_the_catalog():
    """Extract the strings the way `make extract-messages` does and check each has a Korean translation."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {msg if isinstance(msg, str) else msg[0]
             for _file, _line, msg, _comments, _context in extract_from_dir(
                 str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                               "_l": None, "lazy_gettext": None})}
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in load_po() if m.id and m.string}
    assert found, "nothing extracted: check babel.cfg"
    assert found - translated == set()


def test_babel_config_does_not_scan_the_virtualenv():
    cfg = (ROOT / "babel.cfg").read_text()
    assert "[python: **.py]" not in cfg


def test_korean_pages_have_no_untranslated_interface_text(client):
    """Headings, labels and buttons of a Korean page are Korean (names like 'JSON' and 'English' excepted)."""
    allowed = {"JSON", "CSV", "English", "NCP API", "Live Station", "HTTP", "LS", "API Gateway", "OPEN_API_", "_GB"}
    for path in ("/?lang=ko", "/codes/250021?lang=ko", "/categories/channel?lang=ko", "/codes/999999?lang=ko"):
        text = client.get(path).get_data(as_text=True)
        labels = re.findall(r"<(?:h1|h2|h3|button|label|th|dt)[^>]*>(.*?)</(?:h1|h2|h3|button|label|th|dt)>", text, re.S)
        labels = [re.sub(r"<code[^>]*>.*?</code>|<[^>]+>|#|\d+", " ", l).strip() for l in labels]
        for label in labels:
            rest = label
            for word in allowed:
                rest = rest.replace(word, "")
            if re.search(r"[A-Za-z]{3,}", rest):
                assert HANGUL.search(label), (path, label)
