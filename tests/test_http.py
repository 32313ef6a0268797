"""The HTTP layer (web/): caching headers, conditional GET, pre-rendered pages, security headers,
static assets, redirects that stay on the site, error answers and a refused start on bad data."""
import gzip
import re
from urllib.parse import urlsplit

import pytest
from flask import template_rendered

from web import assets


pytestmark = pytest.mark.usefixtures("built_assets")

PAGES = ["/", "/?lang=ko", "/categories/channel", "/codes/250104", "/codes/210?lang=en", "/codes/250104?lang=ko"]
APIS = ["/api/codes", "/api/codes/250104", "/api/search?q=channel"]
SEARCHES = ["/search?q=channel", "/search?q=%EC%B1%84%EB%84%90", "/api/search?q=channel"]
ERRORS = ["/codes/999999", "/nope", "/api/codes/nope", "/categories/nope"]


def static_url(client, name="style.css"):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/%s)"' % re.escape(name).replace(r"\.", r"\.[0-9a-f]{12}\."), page)
    assert match, f"no hashed link to {name} in the home page"
    return match.group(1)


# ------------------------------------------------------------------------ security headers

@pytest.mark.parametrize("path", PAGES + APIS + SEARCHES + ERRORS + ["/codes/CHANNEL_NAME_IS_WRONG", "/search?q=250104"])
def test_security_headers_on_every_dynamic_response(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert_security_headers(response)


def assert_security_headers(response):
    h = response.headers
    csp = {d.split()[0]: d.split()[1:] for d in h["Content-Security-Policy"].split("; ")}
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "unsafe-inline" not in h["Content-Security-Policy"] and "unsafe-eval" not in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert h["X-Frame-Options"] == "DENY"
    assert {p.strip() for p in h["Permissions-Policy"].split(",")} >= {"camera=()", "microphone=()", "geolocation=()"}
    assert h["Cross-Origin-Opener-Policy"] == "same-origin"


def test_security_headers_on_static_files_and_errors(client):
    assert_security_headers(client.get(static_url(client)))
    assert_security_headers(client.post("/codes/250104"))
    assert_security_headers(client.get("/static/nope.css"))


def test_pages_have_no_inline_scripts_or_styles(client):
    """The CSP forbids inline script and style: the pages must not need them."""
    for path in PAGES + ["/search?q=channel", "/codes/999999"]:
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"\son[a-z]+=", page), path  # no onclick= etc.


# ------------------------------------------------------------------------ cache headers

PAGE = {"public": None, "max-age": "300", "stale-while-revalidate": "86400", "stale-if-error": "86400"}
SEARCH = {"public": None, "max-age": "60", "stale-while-revalidate": "300"}
REDIRECT = {"public": None, "max-age": "86400"}
MISSING = {"public": None, "max-age": "60"}
NEVER = {"no-store": None}


def directives(value: str) -> dict:
    out = {}
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        out[name.lower()] = arg or None
    return out


@pytest.mark.parametrize("path, expected", [
    # a permalink: 5 minutes fresh, then served stale for a day while revalidating or if we fail
    ("/", PAGE), ("/categories/channel", PAGE), ("/codes/250104", PAGE),
    ("/api/codes", PAGE), ("/api/codes/250104", PAGE),
    # a search answer changes with the index: one minute
    ("/search?q=channel", SEARCH), ("/api/search?q=channel", SEARCH),
    ("/search?q=250104", SEARCH),  # the redirect from a search
    ("/codes/CHANNEL_NAME_IS_WRONG", REDIRECT),  # a name's permanent redirect: a day
    ("/codes/999999", MISSING), ("/api/codes/999999", MISSING),  # a 404: a minute
    ("/api/search", NEVER),  # 400
])
def test_cache_control_fits_the_response(client, path, expected):
    assert directives(client.get(path).headers["Cache-Control"]) == expected


def test_error_responses_are_not_stored(client):
    for response, status in ((client.post("/api/codes/250104"), 405), (client.delete("/codes/250104"), 405),
                             (client.get("/api/search?q="), 400)):
        assert response.status_code == status
        assert response.headers["Cache-Control"] == "no-store"
        assert "ETag" not in response.headers


def test_html_varies_with_language_sources_and_json_does_not(client):
    page = client.get("/codes/250104")
    assert {"Accept-Language", "Cookie"} <= set(v.strip() for v in page.headers["Vary"].split(","))
    api = client.get("/api/codes/250104")
    assert "Accept-Language" not in api.headers.get("Vary", "")


def test_language_from_accept_language_gives_different_etags(fresh_app):
    client = fresh_app.test_client()
    ko = client.get("/codes/250104", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    en = client.get("/codes/250104", headers={"Accept-Language": "en-US"})
    assert '<html lang="ko">' in ko.get_data(as_text=True) and '<html lang="en">' in en.get_data(as_text=True)
    assert ko.headers["ETag"] != en.headers["ETag"]
    # the Korean ETag must not validate the English page
    again = client.get("/codes/250104", headers={"Accept-Language": "en-US", "If-None-Match": ko.headers["ETag"]})
    assert again.status_code == 200


def test_response_setting_the_language_cookie_is_private(fresh_app):
    client = fresh_app.test_client()
    first = client.get("/codes/250104?lang=ko")
    assert "lang=ko" in first.headers["Set-Cookie"]
    assert first.headers["Cache-Control"].startswith("private")
    second = client.get("/codes/250104?lang=ko")  # the cookie is now there: nothing set, shareable
    assert "Set-Cookie" not in second.headers
    assert second.headers["Cache-Control"].startswith("public")


# -------------------------------------------------------------------- conditional requests

@pytest.mark.parametrize("path", PAGES + APIS + SEARCHES)
def test_conditional_get_answers_304_without_body(client, path):
    client.get(path)  # let a ?lang= set its cookie first
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(r'(W/)?"[^"]+"', etag)
    second = client.get(path, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.get_data() == b""
    assert second.headers["ETag"] == etag
    assert second.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert second.headers.get("Vary") == first.headers.get("Vary")
    assert "Content-Length" not in second.headers or second.headers["Content-Length"] == "0"
    # a list of tags, a weak form of ours and "*" all match; another tag does not
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": "W/" + etag.removeprefix("W/")}).status_code == 304
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_is_stable_and_follows_content(client):
    a, b = client.get("/codes/250104?lang=en"), client.get("/codes/250104?lang=en")
    assert a.headers["ETag"] == b.headers["ETag"]
    assert a.headers["ETag"] != client.get("/codes/250100?lang=en").headers["ETag"]
    assert a.headers["ETag"] != client.get("/codes/250104?lang=ko").headers["ETag"]


def test_head_has_headers_but_no_body(client):
    get, head = client.get("/codes/250104"), client.head("/codes/250104")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


# ------------------------------------------------------------------------- static assets

def test_static_urls_are_content_hashed(client, app):
    url = static_url(client)
    digest = url.rsplit(".", 2)[1]
    served = client.get(url)
    assert served.status_code == 200
    import hashlib
    assert hashlib.sha256(served.get_data()).hexdigest()[:12] == digest
    with app.test_request_context():
        from flask import url_for
        assert url_for("static", filename="style.css") == url


def test_hashed_static_is_immutable_and_compressed(client):
    url = static_url(client)
    plain = client.get(url)
    assert directives(plain.headers["Cache-Control"]) == {"public": None, "max-age": "31536000", "immutable": None}
    assert plain.mimetype == "text/css" and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.get_data()) == plain.get_data()
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    import brotli
    assert brotli.decompress(br.get_data()) == plain.get_data()
    assert len(br.get_data()) < len(plain.get_data())
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_unhashed_static_name_still_served_with_a_short_lifetime(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert response.get_data() == client.get(static_url(client)).get_data()


def test_unknown_static_file_is_404(client):
    assert client.get("/static/nope.0123456789ab.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404


def test_build_static_hashes_rewrites_css_and_is_deterministic(tmp_path):
    src, out = tmp_path / "static", tmp_path / "out"
    (src / "img").mkdir(parents=True)
    (src / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>" * 20)
    (src / "app.js").write_text("console.log('hi');\n" * 50)
    (src / "style.css").write_text("a{background:url(img/logo.svg)}b{background:url('data:image/png;base64,AA')}\n" * 30)
    (src / ".hidden").write_text("secret")
    manifest = assets.build_static(src, out)
    assert set(manifest) == {"img/logo.svg", "app.js", "style.css"}
    assert re.fullmatch(r"img/logo\.[0-9a-f]{12}\.svg", manifest["img/logo.svg"])
    css = (out / manifest["style.css"]).read_text()
    assert f"url({manifest['img/logo.svg']})" in css and "url('data:image/png;base64,AA')" in css
    assert (out / (manifest["app.js"] + ".gz")).exists() and (out / (manifest["app.js"] + ".br")).exists()
    assert not (out / ".hidden").exists()
    assert assets.build_static(src, out) == manifest  # same input, same names
    (src / "app.js").write_text("console.log('changed');\n" * 50)
    assert assets.build_static(src, out)["app.js"] != manifest["app.js"]


# ----------------------------------------------------------------------- pre-rendered pages


@pytest.mark.parametrize("path", ["/", "/categories/channel", "/codes/250104", "/codes/210"])
def test_permalinks_are_rendered_once_per_language(fresh_app, renders, path):
    client = fresh_app.test_client()
    sep = "&" if "?" in path else "?"
    en1 = client.get(path + sep + "lang=en").get_data()
    en2 = client.get(path + sep + "lang=en").get_data()
    client.get(path, headers={"Accept-Language": "en"})  # the language from the cookie now: same page
    assert en1 == en2 and len(renders) == 1
    ko = client.get(path + sep + "lang=ko").get_data()
    client.get(path + sep + "lang=ko")
    assert len(renders) == 2 and ko != en1


def test_prerendered_page_is_identical_to_a_fresh_render(make_app):
    cached = make_app().test_client()
    uncached = make_app(PRERENDER=False).test_client()
    for path in PAGES + ["/api/codes/250104", "/api/codes"]:
        cached.get(path), uncached.get(path)  # warm, and let ?lang= set its cookie
        hit, fresh_render = cached.get(path), uncached.get(path)
        assert hit.get_data() == fresh_render.get_data(), path
        assert hit.headers["ETag"] == fresh_render.headers["ETag"], path
        assert hit.headers["Cache-Control"] == fresh_render.headers["Cache-Control"], path


def test_prerender_can_be_switched_off(make_app):
    app = make_app(PRERENDER=False)
    renders = []
    template_rendered.connect(lambda *a, **k: renders.append(1), app, weak=False)
    client = app.test_client()
    client.get("/codes/250104")
    client.get("/codes/250104")
    assert len(renders) == 2 and len(app.extensions["page_store"]) == 0


def test_language_cookie_still_set_when_served_from_memory(fresh_app):
    fresh_app.test_client().get("/codes/250104?lang=ko")  # warm the cache
    client = fresh_app.test_client()  # a new visitor, no cookie
    response = client.get("/codes/250104?lang=ko")
    assert fresh_app.extensions["page_store"].hits >= 1
    assert "lang=ko" in response.headers["Set-Cookie"]
    assert '<html lang="ko">' in response.get_data(as_text=True)
    # and the cookie now chooses Korean for a page without ?lang=
    assert '<html lang="ko">' in client.get("/codes/250100").get_data(as_text=True)


def test_unknown_codes_and_names_stay_per_request(fresh_app, renders):
    client = fresh_app.test_client()
    for _ in range(2):
        assert client.get("/codes/999999").status_code == 404
        assert client.get("/categories/nope").status_code == 404
        assert client.get("/codes/CHANNEL_NAME_IS_WRONG").status_code == 301
        assert client.get("/codes/open_api_unauthorized").status_code == 200
    assert len(fresh_app.extensions["page_store"]) == 0
    assert renders.count("404.html") == 4


def test_other_query_arguments_bypass_the_cache(fresh_app, renders):
    client = fresh_app.test_client()
    client.get("/codes/250104?from=search")
    client.get("/codes/250104?from=search")
    assert len(renders) == 2


# ------------------------------------------------------------------------- redirects

OFFSITE = ["//evil.com", "https://evil.com", "http://evil.com/codes/250104", "\\\\evil.com", "/\\evil.com",
           "\\/evil.com", "/%2F%2Fevil.com", "//evil.com/%2e%2e", "javascript:alert(1)", "///evil.com",
           "https:evil.com", "%2F%2Fevil.com", "/%5Cevil.com", "\t//evil.com", "250104//evil.com",
           "CHANNEL_NAME_IS_WRONG//evil.com", "//evil.com?q=250104"]


def assert_stays_on_site(response):
    """No Location, a path on this site, or an absolute URL to this very host (the test client's)."""
    location = response.headers.get("Location")
    if location is None:
        return
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        assert parts.scheme in ("http", "https") and parts.netloc == "localhost", location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and not any(ord(ch) < 0x21 for ch in location), location


@pytest.mark.parametrize("target", OFFSITE)
def test_search_never_redirects_off_site(client, target):
    for path in ("/search", "/api/search"):
        response = client.get(path, query_string={"q": target})
        assert response.status_code < 500
        assert_stays_on_site(response)


@pytest.mark.parametrize("target", OFFSITE)
def test_code_urls_never_redirect_off_site(client, target):
    response = client.get("/codes/" + target)
    assert response.status_code < 500
    assert_stays_on_site(response)
    response = client.get("/codes/CHANNEL_NAME_IS_WRONG", query_string={"next": target})
    assert response.headers["Location"] == "/codes/250104"


def test_offsite_redirect_from_any_view_is_refused(make_app):
    """A guard under all views: a redirect to another host becomes a 400, whatever a view does."""
    from flask import redirect
    app = make_app()

    @app.route("/test-go/<int:n>")
    def go(n):
        return redirect(["//evil.com/x", "https://evil.com", "/\\evil.com", "/codes/250104",
                         "http://localhost/codes/1"][n])

    client = app.test_client()
    for n in range(3):
        response = client.get(f"/test-go/{n}")
        assert response.status_code == 400 and "Location" not in response.headers
    assert client.get("/test-go/3").headers["Location"] == "/codes/250104"
    assert client.get("/test-go/4").status_code == 302  # absolute, but to this very host


# -------------------------------------------------------------------- methods and errors

WRONG_METHODS = [(path, method) for path in ("/", "/codes/250104", "/categories/channel", "/search?q=x", "/api/codes",
                                              "/api/codes/250104", "/api/search?q=x")
                 for method in ("POST", "PUT", "DELETE", "PATCH")
                 if not (method == "POST" and path.startswith("/search"))]  # /search takes pasted errors by POST


@pytest.mark.parametrize("path, method", WRONG_METHODS)
def test_wrong_method_is_405_with_allow(client, path, method):
    response = client.open(path, method=method)
    assert response.status_code == 405
    allow = {m.strip() for m in response.headers["Allow"].split(",")}
    assert "GET" in allow and method not in allow
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 405
        assert "GET" in response.get_json()["error"]["message"]
    else:
        assert response.mimetype == "text/html"
        assert "Method not allowed" in response.get_data(as_text=True)  # no Accept-Language: English
        korean = client.open(path + ("&" if "?" in path else "?") + "lang=ko", method=method)
        assert "허용되지 않는 메서드" in korean.get_data(as_text=True)


def test_missing_api_parameter_is_400_json(client):
    for path in ("/api/search", "/api/search?q=", "/api/search?q=%20%20"):
        response = client.get(path)
        assert response.status_code == 400
        assert response.get_json()["error"]["message"]


def test_bad_request_has_an_html_explanation(make_app):
    from flask import abort
    app = make_app()

    @app.route("/test-bad")
    def bad():
        abort(400, description="Parameter page must be a number.")

    response = app.test_client().get("/test-bad?lang=en")
    assert response.status_code == 400 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Parameter page must be a number." in page and "<h1>Bad request</h1>" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_500_is_logged_and_leaks_nothing(caplog, make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @app.route("/test-boom")
    def boom():
        raise RuntimeError("secret-detail-xyz in /srv/app/secret.py")

    @app.route("/api/test-boom")
    def api_boom():
        raise KeyError("secret-detail-xyz")

    client = app.test_client()
    with caplog.at_level("ERROR"):
        page, api = client.get("/test-boom"), client.get("/api/test-boom")
    assert page.status_code == 500 and api.status_code == 500
    for response in (page, api):
        body = response.get_data(as_text=True)
        assert "secret-detail-xyz" not in body and "Traceback" not in body and "secret.py" not in body
        assert response.headers["Cache-Control"] == "no-store"
        assert_security_headers(response)
    assert api.get_json()["error"]["status"] == 500
    assert "Something went wrong" in page.get_data(as_text=True)
    assert "secret-detail-xyz" in caplog.text and "/test-boom" in caplog.text


def test_popular_searches_are_answered_from_memory(fresh_app, renders):
    client = fresh_app.test_client()
    first = client.get("/search?q=channel&lang=en")
    again = client.get("/search?q=channel&lang=en")
    assert first.get_data() == again.get_data() and renders.count("search.html") == 1
    other = client.get("/search?q=recording&lang=en")
    assert renders.count("search.html") == 2 and other.get_data() != first.get_data()
    ko = client.get("/search?q=channel&lang=ko")
    assert renders.count("search.html") == 3 and '<html lang="ko">' in ko.get_data(as_text=True)
    api1, api2 = client.get("/api/search?q=channel"), client.get("/api/search?q=channel")
    assert api1.get_json() == api2.get_json() and api1.headers["ETag"] == api2.headers["ETag"]
    assert directives(api2.headers["Cache-Control"]) == SEARCH
    # a redirect to an exact code and an error are never kept
    kept = len(fresh_app.extensions["answer_cache"])
    for _ in range(2):
        assert client.get("/search?q=250104").status_code == 302
        assert client.get("/api/search?q=").status_code == 400
    assert len(fresh_app.extensions["answer_cache"]) == kept


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt", "/opensearch.xml", "/codes/250104.json",
                                  "/api/codes.csv", "/favicon.ico"])
def test_other_immutable_resources_are_cacheable(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"] and "max-age=" in response.headers["Cache-Control"]
    assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert_security_headers(response)


def test_unwritable_static_build_dir_falls_back(tmp_path, caplog, make_app):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the build directory should be")
    app = make_app(STATIC_BUILD_DIR=str(blocker / "dist"))
    with caplog.at_level("WARNING"):
        assets.ensure_built(app)
    client = app.test_client()
    url = static_url(client)
    assert "immutable" in directives(client.get(url).headers["Cache-Control"])
    assert "cannot write static build dir" in caplog.text
