"""Bad input never gets a 500: property-based tests throw arbitrary Unicode, control characters,
huge strings, query-syntax characters, lone surrogates and broken percent-encoding at every
endpoint that takes user input. Each answer must be a 2xx/3xx/4xx and must never reflect markup
unescaped into HTML. (How fast hostile input is answered is measured in bench/, not here.)"""
import gzip
import json
from urllib.parse import quote, quote_from_bytes

import brotli
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

MARKERS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>",
           "</title><script>alert(1)</script>", "javascript:alert(1)"]
DANGEROUS = ["<script>alert(1)", "<img src=x onerror", "<svg onload"]
SYNTAX = ["*", "?", ":", "AND", "OR", "NOT", "(", ")", "[", "]", "{", "}", '"', "\\", "~", "^", "-", "+",
          "!", "&&", "||", "/", "'", "%", "_", ";", "=", "&", "#", "TO", "*:*", "field:", "code:250104",
          "\x00", "\r\n", "\t", "\u200b", "\ufeff", "\u202e", "채널", "250104", "CHANNEL_NOT_FOUND", "{0}"]
QUERY_ENDPOINTS = ["/search", "/api/search", "/suggest"]
PATH_PREFIXES = ["/codes/", "/categories/", "/api/codes/"]
SETTINGS = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 200)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

any_text = st.text(st.characters(codec="utf-8"), max_size=300)  # every code point that UTF-8 can carry
controls = st.text(st.characters(min_codepoint=0, max_codepoint=0x1F) | st.characters(min_codepoint=0x7F, max_codepoint=0x9F), max_size=40)
syntax = st.lists(st.sampled_from(SYNTAX), max_size=20).map(" ".join)
queries = st.one_of(any_text, controls, syntax, st.tuples(syntax, any_text, st.sampled_from(MARKERS)).map("".join),
                    st.tuples(any_text, st.sampled_from(MARKERS), any_text).map("".join))
raw_bytes = st.binary(max_size=120)


def get(client, *args, **kwargs):
    response = client.get(*args, **kwargs)
    response.get_data()
    return response


def decoded(response) -> str:
    """The body as a browser reads it, compressed or not."""
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding", "identity")
    return {"br": brotli.decompress, "gzip": gzip.decompress, "identity": bytes}[encoding](data).decode("utf-8")


def check(response, sent: str = ""):
    """The properties every answer to bad input must have."""
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.status_code >= 200
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.headers["Location"]
        assert (location.startswith("/") and not location.startswith("//")) or location.startswith("http://localhost/"), location
        assert "\\" not in location
    body = decoded(response)
    if response.mimetype == "text/html":
        for bad in DANGEROUS:
            assert bad not in body, f"unescaped {bad!r} reflected"
        for marker in MARKERS:
            if marker in sent and "<" in marker:
                assert marker not in body
    elif body and not response.request.path.startswith("/static/"):
        assert response.mimetype == "application/json" or response.mimetype.endswith("+json"), response.mimetype
        answer = json.loads(body)
        if response.request.path == "/suggest":
            check_suggestions(answer, response.request.args.get("q", ""))
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def check_suggestions(answer, query: str):
    """OpenSearch suggestions as a browser reads them: [query, [completions], [descriptions], [urls]]."""
    assert isinstance(answer, list) and len(answer) == 4, answer
    echoed, completions, descriptions, urls = answer
    assert echoed == query
    assert len(completions) == len(descriptions) == len(urls) <= 10
    assert all(isinstance(s, str) and s for s in completions + descriptions)
    assert all(url.startswith("http://localhost/codes/") for url in urls), urls


def test_suggestions_for_a_real_prefix_have_the_opensearch_shape(stateless_client):
    """The shape check above is not vacuous: a real prefix gets completions, each with a code URL."""
    response = get(stateless_client, "/suggest", query_string={"q": "CHANNEL_NOT"})
    check(response, "CHANNEL_NOT")
    assert response.mimetype == "application/x-suggestions+json"
    assert "CHANNEL_NOT_FOUND" in response.get_json()[1]


# --------------------------------------------------------------------------- queries

@SETTINGS
@given(endpoint=st.sampled_from(QUERY_ENDPOINTS), q=queries, lang=st.sampled_from(["", "en", "ko", "xx", "<b>"]))
@example(endpoint="/search", q="<script>alert(1)</script>", lang="")
@example(endpoint="/api/search", q="<script>alert(1)</script>", lang="ko")
@example(endpoint="/search", q='code:* AND (NOT "x" OR [a TO z]) ~2 ^3 \\', lang="en")
def test_queries_never_fail(stateless_client, endpoint, q, lang):
    params = {"q": q}
    if lang:
        params["lang"] = lang
    check(get(stateless_client, endpoint, query_string=params), q)


@SETTINGS
@given(endpoint=st.sampled_from(QUERY_ENDPOINTS), raw=raw_bytes, extra=st.sampled_from(["", "%", "%E0%A4%A", "%FF%FE", "%ED%A0%80", "%C0%AF", "%%", "%G1", "%00", "+"]))
@example(endpoint="/search", raw=b"", extra="%E0%A4%A")
@example(endpoint="/api/search", raw=b"\xff\xfe", extra="")
@example(endpoint="/search", raw=b"\xed\xa0\x80", extra="")  # a lone surrogate, UTF-8 encoded
def test_raw_query_strings_never_fail(stateless_client, endpoint, raw, extra):
    query_string = "q=" + quote_from_bytes(raw) + extra
    check(get(stateless_client, endpoint, environ_overrides={"QUERY_STRING": query_string}))


@pytest.mark.parametrize("endpoint", QUERY_ENDPOINTS)
@pytest.mark.parametrize("query_string", [
    "q=%E0%A4%A", "q=%FF%FE", "q=%ED%A0%80", "q=%C0%AF", "q", "q=&q=x", "q=a&q=b&q=c", "=", "&&&", "q=%",
    "lang=%FF&q=x", "q=" + "%FF" * 3000, "q=x&lang=" + "k" * 5000, "q=" + quote("채널") * 2000,
])
def test_broken_percent_encoding(stateless_client, endpoint, query_string):
    check(get(stateless_client, endpoint, environ_overrides={"QUERY_STRING": query_string}))


HUGE = {
    "ascii": "a" * 100_000, "digits": "2" * 100_000, "korean": "채널" * 50_000, "words": "channel not found " * 6000,
    "syntax": "(*?" * 34_000, "quotes": '"' * 100_000, "backslashes": "\\" * 100_000, "controls": "\x00\x1b\x7f" * 34_000,
    "markup": "<script>alert(1)</script>" * 4000, "name": "CHANNEL_NOT_FOUND_" * 5600, "spaces": " " * 100_000,
}


@pytest.mark.parametrize("endpoint", QUERY_ENDPOINTS)
@pytest.mark.parametrize("kind", sorted(HUGE))
def test_huge_queries(stateless_client, endpoint, kind):
    q = HUGE[kind]
    check(get(stateless_client, endpoint, query_string={"q": q}), q)


# ----------------------------------------------------------------------------- paths

@SETTINGS
@given(prefix=st.sampled_from(PATH_PREFIXES), tail=any_text | syntax | st.sampled_from(MARKERS))
@example(prefix="/codes/", tail="<script>alert(1)</script>")
@example(prefix="/codes/", tail="250104/../../etc/passwd")
@example(prefix="/categories/", tail="channel/../../")
def test_paths_never_fail(stateless_client, prefix, tail):
    check(get(stateless_client, prefix + quote(tail, safe="")), tail)


@SETTINGS
@given(prefix=st.sampled_from(PATH_PREFIXES), raw=raw_bytes, lang=st.sampled_from(["", "lang=ko", "lang=%FF"]))
@example(prefix="/codes/", raw=b"\xc0\xaf", lang="")
@example(prefix="/codes/", raw=b"\xed\xa0\x80", lang="")
@example(prefix="/codes/", raw=b"\xff\xfe", lang="lang=%FF")
@example(prefix="/api/codes/", raw=b"250104\x00", lang="")
def test_raw_paths_never_fail(stateless_client, prefix, raw, lang):
    """PATH_INFO as a WSGI server hands it over: percent-decoded bytes, as latin-1 text."""
    path_info = (prefix.encode() + raw).decode("latin-1")
    check(get(stateless_client, "/", environ_overrides={"PATH_INFO": path_info, "QUERY_STRING": lang}))


@pytest.mark.parametrize("path_info", ["/codes/\xc0\xaf", "/codes/%C0%AF", "/codes/\xed\xa0\x80", "/api/codes/\xff",
                                       "/categories/\xff\xfe", "/codes/" + "9" * 100_000, "/codes/" + "A" * 100_000,
                                       "/codes/" + "/" * 5000, "/codes/.", "/codes/..", "/codes/%00", "/codes/\x00"])
def test_broken_paths(stateless_client, path_info):
    check(get(stateless_client, "/", environ_overrides={"PATH_INFO": path_info}))


def test_reflected_ident_is_escaped(stateless_client):
    for path in ("/codes/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/codes/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"):
        response = stateless_client.get(path)
        assert response.status_code == 404
        check(response, "<script>alert(1)</script>")


# --------------------------------------------------------------------- other parameters

@SETTINGS
@given(name=st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), value=any_text,
       path=st.sampled_from(["/", "/codes/250104", "/categories/channel", "/search", "/api/search", "/api/codes"]))
def test_unexpected_parameters_are_ignored_or_refused(stateless_client, name, value, path):
    check(get(stateless_client, path, query_string={name: value, "q": "channel"}), value)


@SETTINGS
@given(header=st.sampled_from(["Accept-Language", "Cookie", "If-None-Match", "Accept", "Accept-Encoding", "Host"]),
       value=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200),
       path=st.sampled_from(["/", "/codes/250104", "/search?q=channel", "/api/codes/250104", "/static/style.css"]))
@example(header="Cookie", value="lang=\x80", path="/codes/250104")  # not UTF-8: a stored page must not fail on it
def test_odd_headers_never_fail(stateless_client, header, value, path):
    check(get(stateless_client, path, headers={header: value}))
