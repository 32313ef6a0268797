"""Links people share and machines read: OpenSearch, canonical/Open Graph/hreflang, sitemap, robots, JSON, CSV."""
import csv
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest

OS_NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
SM_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
BASE = "http://localhost"


def page(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def meta(text, key):
    """The content of <meta property|name=key>, unescaped; None when absent."""
    m = re.search(r'<meta (?:property|name)="%s" content="([^"]*)">' % re.escape(key), text)
    return html.unescape(m.group(1)) if m else None


def links(text, rel):
    return [(html.unescape(h), html.unescape(l or "")) for l, h in
            re.findall(r'<link rel="%s"(?: hreflang="([^"]+)")? href="([^"]+)">' % rel, text)]


# ------------------------------------------------------------------------------ OpenSearch

def test_opensearch_description_is_well_formed_and_points_at_search(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    short = root.find("os:ShortName", OS_NS).text
    assert short and len(short) <= 16  # the spec's limit
    assert root.find("os:Description", OS_NS).text
    assert root.find("os:InputEncoding", OS_NS).text == "UTF-8"
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", OS_NS)}
    assert urls["text/html"] == f"{BASE}/search?q={{searchTerms}}"
    assert urls["application/x-suggestions+json"] == f"{BASE}/suggest?q={{searchTerms}}"
    images = root.findall("os:Image", OS_NS)
    assert images and all(i.text.startswith(f"{BASE}/static/favicon") for i in images)
    for image in images:
        assert client.get(image.text.removeprefix(BASE)).status_code == 200


def test_opensearch_search_url_works(client):
    response = client.get("/search?q=250104")
    assert response.status_code == 302 and response.headers["Location"].endswith("/codes/250104")


@pytest.mark.parametrize("path", ["/", "/?lang=ko", "/categories/channel", "/codes/250104", "/codes/210",
                                  "/search?q=channel", "/search", "/codes/open_api_unauthorized", "/codes/999999",
                                  "/no/such/page"])
def test_every_page_links_the_opensearch_description(client, path):
    text = client.get(path).get_data(as_text=True)
    assert ('<link rel="search" type="application/opensearchdescription+xml" title="' in text
            and 'href="/opensearch.xml">' in text)


# ------------------------------------------------------------------ canonical, OG, hreflang

@pytest.mark.parametrize("path, page_of", [
    ("/codes/250104", "/codes/250104"), ("/codes/250104?lang=ko", "/codes/250104"),
    ("/codes/210?lang=en", "/codes/210"), ("/categories/channel?lang=ko", "/categories/channel"),
    ("/", "/"), ("/?lang=ko", "/"), ("/codes", "/codes"),
])
def test_canonical_is_the_page_itself_and_agrees_with_hreflang(client, path, page_of):
    """?lang=ko is the Korean page: its canonical is itself, the same URL its hreflang="ko" alternate names.
    The address without ?lang= shows one of the two (by browser language), and says which."""
    text = page(client, path)
    alternates = dict((lang, href) for href, lang in links(text, "alternate"))
    assert alternates == {"ko": f"{BASE}{page_of}?lang=ko", "en": f"{BASE}{page_of}?lang=en",
                          "x-default": BASE + page_of}
    shown = "ko" if "lang=ko" in path else "en"
    assert links(text, "canonical") == [(alternates[shown], "")]
    assert meta(text, "og:url") == alternates[shown]
    korean = page(client, page_of, **{"Accept-Language": "ko"}) if "?" not in path else None
    if korean:
        assert links(korean, "canonical") == [(alternates["ko"], "")]


def test_code_page_open_graph_and_twitter_card(client, cat):
    entry = cat.get("250104")
    text = page(client, "/codes/250104?lang=en")
    assert meta(text, "og:title") == "250104 CHANNEL_NAME_IS_WRONG"
    assert entry.message in meta(text, "og:description")
    assert entry.description_ko.replace("\n", " ") in meta(text, "og:description")
    assert meta(text, "og:type") == "article"
    assert meta(text, "og:site_name") == "Live Station Error Codes"
    assert meta(text, "og:locale") == "en_US" and meta(text, "og:locale:alternate") == "ko_KR"
    assert meta(text, "twitter:card") == "summary_large_image"
    assert (meta(text, "og:image:width"), meta(text, "og:image:height")) == ("1200", "630")
    assert meta(text, "og:image:alt") == "250104 CHANNEL_NAME_IS_WRONG"
    ko = page(client, "/codes/250104?lang=ko")
    assert meta(ko, "og:locale") == "ko_KR" and meta(ko, "og:locale:alternate") == "en_US"
    assert meta(ko, "og:site_name") == "Live Station 오류 코드"


def test_multiline_message_is_one_line_in_og_description(client, cat):
    entry = cat.get("250144")
    description = meta(page(client, "/codes/250144"), "og:description")
    assert "\n" not in description and entry.message.replace("\n", " ") in description


def test_gateway_code_title_carries_its_message_and_status(client):
    text = page(client, "/codes/210?lang=en")
    assert meta(text, "og:title") == "210 Permission Denied · HTTP 401 · API Gateway"
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert html.unescape(title) == "210 Permission Denied · HTTP 401 · API Gateway · Live Station Error Codes"
    h1 = re.sub(r"<[^>]+>", "", re.search(r"<h1>(.*?)</h1>", text, re.S).group(1))
    assert h1 == "210 Permission Denied HTTP 401 · API Gateway"


# ------------------------------------------------------------------------------ share images

def test_every_code_page_has_its_own_share_image(client, cat):
    seen = set()
    for code in ("250104", "210", "250146", "250001"):
        image = meta(page(client, f"/codes/{code}"), "og:image")
        assert re.fullmatch(rf"{BASE}/share/{code}\.[0-9a-f]{{12}}\.png", image), image
        seen.add(image)
    assert len(seen) == 4


def test_share_image_is_a_png_with_the_code_cached_for_a_year(client):
    from PIL import Image
    image = meta(page(client, "/codes/250104"), "og:image").removeprefix(BASE)
    response = client.get(image)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    picture = Image.open(io.BytesIO(response.data))
    assert picture.size == (1200, 630)
    assert len(picture.convert("RGB").getcolors(4096) or ()) > 2  # drawn, not blank
    assert client.get("/share/250104.000000000000.png").status_code == 404  # an old or made-up name
    assert client.get("/share/999999.png").status_code == 404


def test_share_image_changes_with_what_it_shows(app, cat):
    from dataclasses import replace

    from share_images import filename, render
    entry = cat.get("250104")
    edited = replace(entry, message=entry.message + " Edited.")
    assert filename(entry, "Site") != filename(edited, "Site")
    assert render(entry, "Site") != render(edited, "Site")
    assert filename(entry, "Site") == filename(entry, "Site")


def test_share_images_are_drawn_once_and_kept(tmp_path, cat):
    from share_images import ShareImages
    few = type(cat)(cat.categories, tuple(cat.codes[:3]), (), "few")
    images = ShareImages(few, tmp_path, "Site")
    assert images.build() == 3
    assert ShareImages(few, tmp_path, "Site").build() == 0  # a restart draws nothing
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(images.names.values())


@pytest.mark.parametrize("path", ["/", "/categories/quality", "/codes/250300", "/search?q=quality", "/codes/999999"])
def test_open_graph_on_every_page(client, path):
    text = client.get(path).get_data(as_text=True)
    for key in ("og:title", "og:description", "og:url", "og:type", "og:site_name", "og:locale", "twitter:card"):
        assert meta(text, key), (path, key)


def test_category_page_meta(client, cat):
    category = cat.category("channel")
    text = page(client, "/categories/channel?lang=ko")
    assert meta(text, "og:title").startswith(category.title.ko)
    assert meta(text, "og:type") == "website"


def test_search_and_missing_pages_are_not_indexed_and_have_no_canonical(client):
    for path in ("/search?q=channel", "/codes/999999"):
        text = client.get(path).get_data(as_text=True)
        assert '<meta name="robots" content="noindex">' in text
        assert not links(text, "canonical")
    assert '<meta name="robots"' not in page(client, "/codes/250104")


def test_search_page_og_url_keeps_the_query_but_not_the_language(client):
    text = page(client, "/search?q=channel&lang=ko")
    assert meta(text, "og:url") == f"{BASE}/search?q=channel"


# --------------------------------------------------------------------------- section anchors

def test_code_page_sections_have_labelled_anchor_links(client):
    text = page(client, "/codes/250021?lang=en")
    ids = re.findall(r'<section id="([a-z]+)"', text)
    assert {"official", "placeholders", "example", "reply"} <= set(ids)
    for section in ids:
        m = re.search(r'<a class="anchor" href="#%s" aria-label="([^"]+)">#</a>' % section, text)
        assert m, section
        assert m.group(1).startswith("Link to this section: ")
    ko = page(client, "/codes/250021?lang=ko")
    assert 'aria-label="이 섹션으로 가는 링크: 플레이스홀더"' in ko


# ------------------------------------------------------------------------ sitemap and robots

def test_sitemap_lists_every_page(client, cat):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [u.find("sm:loc", SM_NS).text for u in root.findall("sm:url", SM_NS)]
    assert len(locs) == len(set(locs))
    code_urls = {l for l in locs if "/codes/" in l}
    assert len(cat.codes) == 222
    assert {f"{BASE}/codes/{c.code}" for c in cat.codes} <= code_urls
    assert f"{BASE}/" in locs
    assert {f"{BASE}/categories/{c.slug}" for c in cat.categories} <= set(locs)
    lastmods = [u.find("sm:lastmod", SM_NS) for u in root.findall("sm:url", SM_NS)]
    assert all(m is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", m.text) for m in lastmods)
    assert f"{BASE}/codes" in locs
    first = root.find("sm:url", SM_NS)
    alternates = {a.get("hreflang"): a.get("href") for a in first.findall("xhtml:link", SM_NS)}
    assert alternates == {"ko": f"{BASE}/?lang=ko", "en": f"{BASE}/?lang=en", "x-default": f"{BASE}/"}
    for loc in locs[:3] + locs[-3:]:
        assert client.get(loc.removeprefix(BASE)).status_code == 200


def test_robots_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert "Disallow: /search" in lines
    assert not any(line == "Disallow: /" for line in lines)


# ------------------------------------------------------------------------ per-code JSON

@pytest.mark.parametrize("code", ["250104", "250144", "210", "100"])
def test_code_json_next_to_the_page_equals_the_api_object(client, code):
    response = client.get(f"/codes/{code}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == client.get(f"/api/codes/{code}").get_json()
    assert response.get_json()["url"] == f"{BASE}/codes/{code}"


@pytest.mark.parametrize("path", ["/codes/999999.json", "/codes/abc.json", "/codes/NO_SUCH_NAME.json"])
def test_unknown_code_json_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["message"]


def test_code_json_by_unique_name_redirects(client):
    response = client.get("/codes/CHANNEL_NOT_FOUND.json")
    assert response.status_code == 301 and response.headers["Location"].endswith("/codes/250100.json")


def test_code_page_routes_still_work_next_to_json(client):
    assert client.get("/codes/250104").status_code == 200
    assert client.get("/codes/CHANNEL_NAME_IS_WRONG").status_code == 301
    assert 'href="/codes/250104.json"' in page(client, "/codes/250104")


# ----------------------------------------------------------------------------------- CSV

def test_catalog_csv_opens_in_a_spreadsheet(client, cat):
    response = client.get("/api/codes.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.mimetype_params.get("charset") == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and 'filename="' in disposition and ".csv" in disposition
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 222 == len(cat.codes)
    assert list(rows[0]) == ["code", "name", "message", "description_ko", "category", "source", "http_status",
                             "url", "summary_en", "summary_ko", "retry", "who_acts", "next_steps_en",
                             "next_steps_ko", "states", "request_fields"]
    by_code = {r["code"]: r for r in rows}
    for entry in cat.codes:
        row = by_code[entry.code]
        assert row["message"] == entry.message  # newlines and quotes survive the quoting
        assert row["description_ko"] == entry.description_ko
        assert row["name"] == entry.name and row["category"] == entry.category
        assert row["http_status"] == ("" if entry.http_status is None else str(entry.http_status))
        assert row["url"] == f"{BASE}/codes/{entry.code}"
        assert row["summary_ko"] == entry.summary.ko
    assert by_code["250100"]["description_ko"] == "채널을 찾을 수 없음"
    assert "\n" in by_code["250144"]["message"]
    assert '"' in by_code["250120"]["message"]
    assert by_code["210"]["http_status"] == "401"


def test_csv_neutralises_spreadsheet_formulas(make_app, make_catalog, catalog):
    import dataclasses
    entry = dataclasses.replace(catalog.get("250100"), message="=1+1", description_ko="@SUM(A1)")
    app = make_app(PRERENDER=False, SHARE_IMAGES=False)
    app.extensions["catalog"] = make_catalog([entry, catalog.get("250104")])
    body = app.test_client().get("/api/codes.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["250100"]["message"] == "'=1+1" and rows["250100"]["description_ko"] == "'@SUM(A1)"
    assert rows["250104"]["message"] == catalog.get("250104").message and rows["250104"]["http_status"] == ""
