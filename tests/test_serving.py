"""Serving that holds: the origin comes from configuration, unknown hosts are refused, memory is
bounded in bytes by kind, failures are never kept as answers, every answer carries the security
headers and is compressed when the client accepts it, and stored pages skip the Flask chain."""
import gzip
import json
import logging
import re
import shutil
import sys
import types

import brotli
import pytest
from flask import request_started, template_rendered

import i18n
import web
from web import assets, store
from support import ROOT, SITE




def absolute_urls(text: str) -> list[str]:
    return re.findall(r'https?://[^\s"<>\')]+', text)


# --------------------------------------------------------------------------- origin

def test_unknown_host_is_a_plain_400_with_one_log_line(app, caplog):
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/codes/250104", headers={"Host": "evil.example"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "<h1>Bad Request</h1>" in page and "evil" not in page
    api = client.get("/api/codes/250104", headers={"Host": "evil.example"})
    assert api.status_code == 400 and api.get_json() == {"error": {"status": 400, "message": "Unknown host."}}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"  # security headers even here
    lines = [r for r in caplog.records if "evil.example" in r.getMessage()]
    assert len(lines) == 2 and all(r.exc_info is None for r in lines)  # one line per request
    assert "Traceback" not in caplog.text


def test_local_development_hosts_are_served(app):
    client = app.test_client()
    for host in ("localhost", "localhost:8000", "127.0.0.1:5000"):
        page = client.get("/codes/250104", headers={"Host": host})
        assert page.status_code == 200, host
        assert f'<link rel="canonical" href="http://{host}/codes/250104' in page.get_data(as_text=True)


@pytest.mark.parametrize("host", ["a" * 64 + ".errors.example.com", "x." + "b" * 200 + ".example.com",
                                  "errors.example.com." + "c" * 70])
def test_host_label_over_63_characters_is_a_400_without_traceback(caplog, host, make_app):
    app = make_app(SHARE_IMAGES=False, TRUSTED_HOSTS=".errors.example.com,.example.com")
    with caplog.at_level(logging.DEBUG):
        response = app.test_client().get("/api/codes/250104", headers={"Host": host})
    assert response.status_code == 400
    assert len([r for r in caplog.records if r.levelno >= logging.INFO and r.name.startswith("lse")]) == 1
    assert "Traceback" not in caplog.text and all(r.exc_info is None for r in caplog.records)


def test_every_absolute_url_names_the_configured_origin(site_app):
    client = site_app.test_client()
    for host in ("errors.example.com", "www.errors.example.com"):
        for path in ("/codes/250104", "/codes/250104?lang=ko", "/", "/sitemap.xml", "/opensearch.xml", "/api/codes",
                     "/api/codes/250104", "/llms.txt", "/codes/250104.md", "/robots.txt", "/api/search?q=channel",
                     "/search?q=channel", "/changes.atom", "/codes"):
            response = client.get(path, headers={"Host": host})
            assert response.status_code == 200, (host, path)
            urls = [u for u in absolute_urls(response.get_data(as_text=True))
                    if "errors.example.com" in u or "localhost" in u or "127.0.0.1" in u]
            assert urls, (host, path)
            assert all(u.startswith(SITE + "/") or u == SITE for u in urls), (host, path, [u for u in urls if not u.startswith(SITE)][:3])
    sitemap = client.get("/sitemap.xml", headers={"Host": "www.errors.example.com"}).get_data(as_text=True)
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(locs) > 222 and all(loc.startswith(SITE + "/") for loc in locs)
    codes = client.get("/api/codes", headers={"Host": "errors.example.com"}).get_json()["codes"]
    assert len(codes) == 222 and all(c["url"] == f"{SITE}/codes/{c['code']}" for c in codes)


def test_untrusted_host_is_refused_when_the_site_url_is_set(site_app):
    client = site_app.test_client()
    for path in ("/codes/250104", "/codes//250104", "/codes/250104/", "/search?q=250104", "/static/style.css"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400 and "Location" not in response.headers, path


@pytest.mark.parametrize("path", ["/codes//250104", "/codes/250104/", "//codes/250104", "/search?q=250104",
                                  "/codes/CHANNEL_NAME_IS_WRONG", "/codes/250104.json/", "/search/"])
def test_redirects_stay_on_the_site(site_app, path):
    response = site_app.test_client().get(path, headers={"Host": "www.errors.example.com"})
    location = response.headers.get("Location")
    if response.status_code in (301, 302, 303, 307, 308):
        assert location.startswith("/") and not location.startswith("//") or location.startswith(SITE + "/"), location


def test_forwarded_headers_only_with_proxy_fix(make_app):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "localhost", "X-Forwarded-For": "10.0.0.1"}
    plain = make_app(SHARE_IMAGES=False).test_client().get("/codes/250104", headers=forwarded).get_data(as_text=True)
    assert 'href="http://localhost/codes/250104' in plain  # ignored
    proxied = make_app(SHARE_IMAGES=False, PROXY_FIX=1).test_client().get("/codes/250104", headers=forwarded)
    assert 'href="https://localhost/codes/250104' in proxied.get_data(as_text=True)
    evil = make_app(SHARE_IMAGES=False, PROXY_FIX=1).test_client().get("/", headers={"X-Forwarded-Host": "evil.example"})
    assert evil.status_code == 400  # a forwarded host is still checked


# --------------------------------------------------------------------------- memory

def test_host_flood_adds_nothing(site_app):
    client = site_app.test_client()
    client.get("/api/codes")
    pages, answers = site_app.extensions["page_store"], site_app.extensions["answer_cache"]
    before = (len(pages), pages.bytes, len(answers), answers.bytes)
    for n in range(300):
        assert client.get("/api/codes", headers={"Host": f"h{n}.example"}).status_code == 400
        assert client.get(f"/api/search?q=x{n}", headers={"Host": f"h{n}.example"}).status_code == 400
    assert (len(pages), pages.bytes, len(answers), answers.bytes) == before


def test_local_origins_are_bounded(make_app):
    app = make_app(SHARE_IMAGES=False)
    client = app.test_client()
    for port in range(8000, 8020):
        assert client.get("/codes/250104", headers={"Host": f"localhost:{port}"}).status_code == 200
    assert len(app.extensions["page_store"]) == store.MAX_ORIGINS


def test_search_answers_are_bounded_in_bytes_and_never_evict_pages(make_app):
    app = make_app(SHARE_IMAGES=False, ANSWER_CACHE_BYTES=60_000)
    client = app.test_client()
    renders = []
    template_rendered.connect(lambda *a, template, **k: renders.append(template.name), app, weak=False)
    for code in ("250104", "250100", "250101"):
        client.get(f"/codes/{code}?lang=en")
    pages = app.extensions["page_store"]
    kept = (len(pages), pages.bytes)
    answers = app.extensions["answer_cache"]
    words = ["channel", "recording", "채널", "녹화", "upload", "bucket", "quality", "thumbnail", "삭제", "timeout"]
    for a in words:
        for b in words:
            assert client.get("/search", query_string={"q": f"{a} {b}", "lang": "en"}).status_code in (200, 302)
            client.get("/api/search", query_string={"q": f"{a} {b}"})
    assert 0 < answers.bytes <= 60_000
    assert (len(pages), pages.bytes) == kept  # not one page evicted
    renders.clear()
    for code in ("250104", "250100", "250101"):
        client.get(f"/codes/{code}?lang=en")
    assert renders == []


def test_answer_key_is_the_known_parameters_in_a_fixed_order(fresh_app):
    client = fresh_app.test_client()
    answers = fresh_app.extensions["answer_cache"]
    first = client.get("/api/search?q=channel&limit=5")
    assert len(answers) == 1
    for variant in ("/api/search?limit=5&q=channel", "/api/search?q=channel&limit=5&x=1",
                    "/api/search?utm_source=mail&limit=5&q=channel&lang=ko"):
        again = client.get(variant)
        assert again.get_data() == first.get_data(), variant
    assert len(answers) == 1 and answers.hits == 3
    client.get("/api/search?q=channel&limit=6")  # a parameter the answer depends on: another answer
    assert len(answers) == 2


def test_a_failed_search_is_answered_as_such_and_never_kept(fresh_app, monkeypatch):
    from search import SearchResults
    service = fresh_app.extensions["search"]
    real = service.search

    def failing(text, **kw):
        return SearchResults(text, 0, 1, kw.get("limit", 10), (), degraded=True)

    client = fresh_app.test_client()
    monkeypatch.setattr(service, "search", failing)
    for path in ("/api/search?q=recording", "/search?q=recording"):
        failed = client.get(path)
        assert failed.status_code == 503 and failed.headers["Cache-Control"] == "no-store", path
    assert client.get("/api/search?q=recording").get_json()["error"]["status"] == 503
    assert len(fresh_app.extensions["answer_cache"]) == 0
    monkeypatch.setattr(service, "search", real)
    recovered = client.get("/api/search?q=recording").get_json()
    assert recovered["total"] > 0 and "degraded" not in recovered
    assert len(fresh_app.extensions["answer_cache"]) == 1


def test_prerender_all_keeps_every_permalink_in_both_languages(site_app):
    rendered = web.prerender_all(site_app)
    pages = site_app.extensions["page_store"]
    codes = [c.code for c in site_app.extensions["catalog"].codes]
    for code in codes:
        for lang in ("en", "ko"):
            assert pages.get((SITE, f"/codes/{code}", lang)) and pages.get((SITE, f"/codes/{code}.md", lang))
        assert pages.get((SITE, f"/codes/{code}.json", None)) and pages.get((SITE, f"/api/codes/{code}", None))
    for path in ("/", "/codes", "/llms.txt", "/changes.atom", "/opensearch.xml"):
        assert pages.get((SITE, path, "en")) and pages.get((SITE, path, "ko")), path
    for path in ("/api/codes", "/api/codes.csv", "/sitemap.xml", "/robots.txt"):
        assert pages.get((SITE, path, None)), path
    assert rendered >= 4 * len(codes)
    # held whole: a second pass renders nothing new
    size = pages.bytes
    web.prerender_all(site_app)
    assert pages.bytes == size


# ------------------------------------------------------------------ the fast path

def test_stored_pages_skip_the_flask_request_chain(fresh_app):
    client = fresh_app.test_client()
    started = []
    request_started.connect(lambda *a, **k: started.append(1), fresh_app, weak=False)
    first = client.get("/codes/250104", headers={"Accept-Encoding": "br"})
    assert started == [1]
    for _ in range(3):
        again = client.get("/codes/250104", headers={"Accept-Encoding": "br"})
        assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert started == [1]
    assert client.get("/codes/250104", headers={"If-None-Match": first.headers["ETag"],
                                                "Accept-Encoding": "br"}).status_code == 304
    # what the fast path cannot decide goes to Flask: Markdown asked for, another argument
    markdown = client.get("/codes/250104", headers={"Accept": "text/markdown"})
    assert markdown.mimetype == "text/markdown"
    assert client.get("/codes/250104?v0=x").status_code == 200
    assert len(started) == 3


def _answer(response) -> tuple:
    return response.status_code, sorted((k, v) for k, v in response.headers.items() if k != "Date"), response.get_data()


def test_plain_searches_skip_the_flask_request_chain_with_the_same_answers(fresh_app, make_app):
    plain = make_app(SHARE_IMAGES=False)
    plain.extensions["lean_answers"].clear()  # every search through Flask's view
    lean, flask_only = fresh_app.test_client(), plain.test_client()
    started = []
    request_started.connect(lambda *a, **k: started.append(1), fresh_app, weak=False)
    paths = ["/api/search?q=recording+stop", "/api/search?q=%EC%B1%84%EB%84%90+%EC%82%AD%EC%A0%9C&page=1",
             "/api/search?q=upload&category=recording", "/api/search?q=qqzzxv", "/api/search?q=recording+stop"]
    for path in paths:  # each shown code's permalink made once, by the view
        lean.get(path)
    started.clear()
    # new answers, of codes shown before (a kept answer asked for in an encoding not made yet goes to Flask)
    for limit, headers in ((10, {}), (4, {"Accept-Encoding": "gzip"}), (5, {"Accept-Encoding": "br, gzip"})):
        for path in [f"{path}&limit={limit}" for path in paths] + (paths if not headers else []):
            answer = lean.get(path, headers=headers)
            assert _answer(answer) == _answer(flask_only.get(path, headers=headers)), (path, headers)
            assert answer.headers["Content-Security-Policy"] and answer.headers["Access-Control-Allow-Origin"] == "*"
            assert answer.headers["Date"]
    assert started == []
    # what the path cannot decide goes to Flask: a conditional request, another or a repeated
    # parameter, an error, a paste, HEAD
    etag = lean.get("/api/search?q=recording+stop").headers["ETag"]
    assert lean.get("/api/search?q=recording+stop", headers={"If-None-Match": etag}).status_code == 304
    assert lean.get("/api/search?q=recording&lang=ko").status_code == 200
    assert lean.get("/api/search?q=recording&q=stop").status_code == 200
    assert lean.get("/api/search?q=recording&limit=0").status_code == 400
    assert lean.get("/api/search?q=" + "%7B%22error%22%3A%7B%22errorCode%22%3A%22250104%22%7D%7D").status_code == 200
    assert lean.head("/api/search?q=recording").status_code == 200
    assert len(started) == 6


def test_fast_path_chooses_the_language_like_flask(fresh_app):
    client = fresh_app.test_client()
    ko = client.get("/codes/250104?lang=ko").get_data(as_text=True)  # renders, sets the cookie
    assert '<html lang="ko">' in ko
    other = fresh_app.test_client(use_cookies=False)  # the Cookie header as sent
    for headers, lang in (({"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}, "ko"), ({"Accept-Language": "en-US"}, "en"),
                          ({"Cookie": "lang=ko"}, "ko"), ({"Cookie": "lang=en", "Accept-Language": "ko"}, "en"),
                          ({}, "en")):
        page = other.get("/codes/250104", headers=headers).get_data(as_text=True)
        assert f'<html lang="{lang}">' in page, headers
    assert i18n.choose(None, "", "ko-KR,ko;q=0.9") == "ko" and i18n.choose("en", "ko", "ko") == "en"


# --------------------------------------------------------------- headers, encodings

def test_whitenoise_errors_carry_the_security_headers(app):
    client = app.test_client()
    url = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', client.get("/").get_data(as_text=True))
    assets.ensure_built(app)
    url = url.group(1) if url else re.search(r'href="(/static/style[^"]*\.css)"',
                                             client.get("/?lang=en").get_data(as_text=True)).group(1)
    not_allowed = client.post(url)
    assert not_allowed.status_code == 405
    out_of_range = client.get(url, headers={"Range": "bytes=999999999-"})
    assert out_of_range.status_code == 416
    for response in (not_allowed, out_of_range):
        assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/api/codes", "/codes/250104", "/", "/api/search?q=recording", "/search?q=recording",
                                  "/sitemap.xml", "/llms.txt"])
def test_html_and_json_are_compressed_when_accepted(app, path):
    client = app.test_client()
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    br = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == plain.get_data()
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()) == plain.get_data()
    assert int(br.headers["Content-Length"]) == len(br.get_data()) < len(plain.get_data()) / 2
    assert "Accept-Encoding" in br.headers["Vary"]
    assert br.headers["ETag"] != plain.headers["ETag"]  # another representation, another tag
    refused = client.get(path, headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_dynamic_answers_are_compressed_too(make_app):
    app = make_app(SHARE_IMAGES=False, PRERENDER=False)
    response = app.test_client().get("/api/codes", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.get_data()))["codes"]) == 222


def test_vary_names_only_what_the_answer_varies_on(app):
    client = app.test_client()
    vary = lambda r: {v.strip() for v in r.headers.get("Vary", "").split(",") if v.strip()}  # noqa: E731
    for path in ("/api/codes", "/api/codes/250104", "/codes/250104.json", "/api/search?q=channel"):
        assert vary(client.get(path, headers={"Accept-Encoding": "br"})) == {"Accept-Encoding"}, path
    assert vary(client.get("/codes/250104", headers={"Accept-Encoding": "br"})) == {
        "Accept", "Accept-Language", "Cookie", "Accept-Encoding"}
    assert vary(client.get("/categories/channel", headers={"Accept-Encoding": "br"})) == {
        "Accept-Language", "Cookie", "Accept-Encoding"}


# --------------------------------------------------------------------------- errors

def test_one_json_error_shape(app):
    client = app.test_client()
    for path, method, status in (("/api/codes/999999", "GET", 404), ("/api/nope", "GET", 404),
                                 ("/api/codes", "POST", 405), ("/api/search", "GET", 400)):
        body = client.open(path, method=method).get_json()
        assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}, path
        assert body["error"]["status"] == status and body["error"]["message"], path


def test_error_page_speaks_the_visitors_language(app):
    client = app.test_client()
    ko = client.delete("/codes/250104?lang=ko").get_data(as_text=True)
    assert "<h1>허용되지 않는 메서드</h1>" in ko and '<html lang="ko">' in ko
    en = client.delete("/codes/250104?lang=en").get_data(as_text=True)
    assert "<h1>Method not allowed</h1>" in en


# ---------------------------------------------------------------- start-up pieces

def test_catalog_compiled_when_missing_or_stale(tmp_path):
    src = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", src, ignore=shutil.ignore_patterns("*.mo"))
    mo = src / "ko" / "LC_MESSAGES" / "messages.mo"
    assert not mo.exists()
    assert i18n.compile_catalogs(src) == src and mo.exists()
    from babel.messages.mofile import read_mo
    with mo.open("rb") as fh:
        assert read_mo(fh).get("Method not allowed").string == "허용되지 않는 메서드"
    before = mo.stat().st_mtime_ns
    assert i18n.compile_catalogs(src) == src and mo.stat().st_mtime_ns == before  # up to date: untouched
    po = src / "ko" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "허용되지 않는 메서드"', 'msgstr "다른 번역"'), "utf-8")
    import os
    os.utime(po, ns=(before + 10**9, before + 10**9))
    i18n.compile_catalogs(src)
    with mo.open("rb") as fh:
        assert read_mo(fh).get("Method not allowed").string == "다른 번역"


def test_catalog_compiled_elsewhere_when_the_checkout_is_read_only(tmp_path, monkeypatch):
    src = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", src, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    real = i18n.tempfile.mkstemp

    def read_only(*args, dir=None, **kw):  # the checkout refuses new files, as a read-only one would
        if dir is not None and str(dir).startswith(str(src)):
            raise PermissionError(13, "read-only", str(dir))
        return real(*args, dir=dir, **kw)

    monkeypatch.setattr(i18n.tempfile, "mkstemp", read_only)
    out = i18n.compile_catalogs(src)
    assert out != src and (out / "ko" / "LC_MESSAGES" / "messages.mo").exists()


def test_create_app_builds_no_static_assets(tmp_path, make_app):
    out = tmp_path / "dist"
    app = make_app(SHARE_IMAGES=False, STATIC_BUILD_DIR=str(out))
    assert not out.exists()  # only `flask build-static` (or the WSGI start-up) builds them
    page = app.test_client().get("/").get_data(as_text=True)
    assert 'href="/static/style.css"' in page or re.search(r'/static/style\.[0-9a-f]{12}\.css', page)
    result = app.test_cli_runner().invoke(args=["build-static"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
    assert re.search(r'href="/static/style\.[0-9a-f]{12}\.css"', app.test_client().get("/").get_data(as_text=True))


def test_searches_yield_to_other_greenlets_under_gevent(fresh_app, monkeypatch):
    slept = []
    fake = types.ModuleType("gevent")
    fake.sleep = lambda seconds=0: slept.append(seconds)
    monkey = types.ModuleType("gevent.monkey")
    monkey.is_module_patched = lambda name: name == "socket"
    monkeypatch.setitem(sys.modules, "gevent", fake)
    monkeypatch.setitem(sys.modules, "gevent.monkey", monkey)
    client = fresh_app.test_client()
    client.get("/api/search?q=recording")
    client.get("/suggest?q=rec")
    assert slept == [0, 0]
    client.get("/codes/250104")  # a page is no CPU-bound work: no yield
    assert slept == [0, 0]


def test_a_kept_search_page_names_only_the_parameters_it_is_keyed_by(fresh_app):
    client = fresh_app.test_client()
    first = client.get("/search?utm_source=mail&q=channel&x=%3Cb%3E&lang=en").get_data(as_text=True)
    again = client.get("/search?q=channel&lang=en").get_data(as_text=True)
    assert first == again and len(fresh_app.extensions["answer_cache"]) == 1
    assert '<meta property="og:url" content="http://localhost/search?q=channel">' in again
    assert "utm_source" not in again and "x=" not in again.split("<body", 1)[1].split("</header>", 1)[0]


def test_unmarked_fields_stay_kept_whatever_is_marked():
    import views_search
    from search import Marked

    plain = Marked("Channel <name> is wrong")
    assert views_search.marked_pieces(plain) == ("Channel &lt;name&gt; is wrong", '"Channel &lt;name&gt; is wrong"', "[]")
    for i in range(views_search.MAX_MARKED + 1):  # unique queries mark ever new spans
        views_search.marked_pieces(Marked(f"word {i}", ((0, 4),)))
    assert plain.text in views_search._plain_cache
    assert views_search.marked_pieces(Marked("a b", ((2, 3),)))[0] == "a <mark>b</mark>"
