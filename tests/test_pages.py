"""The catalog's pages and JSON: every code, every category, redirects, 404s, retired codes."""
import re
import shutil

import pytest

from app import create_app
from catalog import load_catalog
from support import ROOT, remove_code

CATALOG = load_catalog(ROOT / "data")
ALL_CODES = [c.code for c in CATALOG.codes]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def html_unescaped(response) -> str:
    import html
    return html.unescape(text_of(response))


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_page_shows_official_text_verbatim(client, code):
    entry = CATALOG.get(code)
    response = client.get(f"/codes/{code}?lang=en")
    assert response.status_code == 200
    page = html_unescaped(response)
    body = re.sub(r"<br>", "\n", page)
    assert entry.message in body
    if entry.description_ko:
        assert entry.description_ko in body
    if entry.name:
        assert entry.name in page
    assert entry.explanation.en in page and entry.fix.en in page
    for p in entry.placeholders:
        assert p.meaning.en in page and p.example in page



@pytest.mark.parametrize("slug", [c.slug for c in CATALOG.categories])
def test_every_category_page_lists_its_codes(client, slug):
    response = client.get(f"/categories/{slug}")
    assert response.status_code == 200
    page = text_of(response)
    for entry in CATALOG.in_category(slug):
        assert f'href="/codes/{entry.code}"' in page


def test_home_lists_every_category_with_its_count(client):
    page = text_of(client.get("/?lang=en"))
    for category in CATALOG.categories:
        assert f'href="/categories/{category.slug}"' in page
        assert f"{len(CATALOG.in_category(category.slug))} codes" in page
    assert 'action="/search"' in page


def test_korean_page_keeps_official_english_message(client):
    page = html_unescaped(client.get("/codes/250100?lang=ko"))
    assert '<html lang="ko">' in page
    assert "Channel is not found" in page and "채널을 찾을 수 없음" in page
    assert CATALOG.get("250100").explanation.ko in page


@pytest.mark.parametrize("name, code", [
    ("CHANNEL_NAME_IS_WRONG", "250104"), ("channel_name_is_wrong", "250104"), ("Channel_Not_Found", "250100"),
    ("CNANNEL_CANNOT_DELETE_DUE_TO_CDN_STATUS", "250109"), ("ACCESS_DENIED", "250015"),
])
def test_name_redirects_permanently_to_the_code(client, name, code):
    response = client.get(f"/codes/{name}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/codes/{code}")


def test_shared_name_lists_both_codes(client):
    response = client.get("/codes/open_api_unauthorized")
    assert response.status_code == 200
    page = text_of(response)
    assert 'href="/codes/250015"' in page and 'href="/codes/250017"' in page


@pytest.mark.parametrize("path, near", [("/codes/25010", "250109"), ("/codes/250308", "250307"),
                                        ("/codes/999", "900")])
def test_unknown_code_is_404_with_nearest_codes(client, path, near):
    response = client.get(path)
    assert response.status_code == 404
    assert f'href="/codes/{near}"' in text_of(response)


@pytest.mark.parametrize("path", ["/codes/NO_SUCH_NAME", "/codes/%3Cscript%3E", "/codes/a/b", "/categories/nope", "/nope"])
def test_unknown_pages_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "<script>" not in text_of(response)


def test_gateway_code_page_has_status_and_gateway_shape(client):
    page = html_unescaped(client.get("/codes/210?lang=en"))
    assert "Permission Denied" in page and "권한 없음" in page and ">401<" in page
    assert '"errorCode": "210"' in page and "errorName" not in page


def test_live_station_example_body_is_documented_shape(client):
    page = html_unescaped(client.get("/codes/250104"))
    assert '"errorCode": 250104' in page and '"errorName": "CHANNEL_NAME_IS_WRONG"' in page


def test_placeholder_example_rendering(client):
    entry = CATALOG.get("250021")
    page = html_unescaped(client.get("/codes/250021?lang=en"))
    assert entry.example_message() in page and "{0}" not in entry.example_message()


# ------------------------------------------------------------------------------------- JSON

def test_api_codes_lists_all_222(client):
    data = client.get("/api/codes").get_json()
    assert data["count"] == 222 == len(data["codes"])
    first = data["codes"][0]
    for key in ("code", "name", "message", "description_ko", "category", "source", "http_status", "url",
                "placeholders", "summary_en", "summary_ko", "explanation_en", "explanation_ko", "fix_en", "fix_ko"):
        assert key in first
    assert all(isinstance(c["code"], str) for c in data["codes"])
    assert {c["source"] for c in data["codes"]} == {"common", "api-gateway"}


@pytest.mark.parametrize("code", ["250104", "250021", "100", "250321"])
def test_api_code_object(client, code):
    entry = CATALOG.get(code)
    data = client.get(f"/api/codes/{code}").get_json()
    assert data["code"] == code and data["message"] == entry.message and data["name"] == entry.name
    assert data["url"].endswith(f"/codes/{code}")
    assert data["http_status"] == entry.http_status
    assert [p["index"] for p in data["placeholders"]] == list(entry.placeholder_indexes)


def test_api_unknown_code_is_json_404(client):
    response = client.get("/api/codes/123456")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"]


def test_api_json_keeps_korean_readable(client):
    raw = client.get("/api/codes/250100").get_data(as_text=True)
    assert "채널을 찾을 수 없음" in raw


# --------------------------------------------------------------------------- retired codes

def test_retired_code_keeps_its_page(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    remove_code(data, "recording.toml", "250707")
    (data / "retired.toml").write_text(
        '[[codes]]\ncode = "250707"\nname = "BUCKET_LOAD_ERROR"\nmessage = "Could not find object bucket."\n'
        'category = "recording"\nretired_on = "2026-11-25"\nnote_en = "No longer published."\n'
        'note_ko = "더 이상 게시되지 않습니다."\nreplaced_by = ["250705"]\n', "utf-8")
    client = create_app({"TESTING": True, "DATA_DIR": str(data), "SEARCH_INDEX_DIR": str(tmp_path / "idx")}).test_client()
    response = client.get("/codes/250707?lang=en")
    assert response.status_code == 200
    page = text_of(response)
    assert "retired" in page and "BUCKET_LOAD_ERROR" in page and 'href="/codes/250705"' in page


def test_check_data_command(runner):
    result = runner.invoke(args=["check-data"])
    assert result.exit_code == 0
    assert "total" in result.output and "222 codes" in result.output


def test_check_data_command_reports_broken_file(runner, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "quality.toml").write_text((data / "quality.toml").read_text("utf-8").replace('code = "250301"', 'code = "250300"'), "utf-8")
    result = runner.invoke(args=["check-data", "--data-dir", str(data)])
    assert result.exit_code != 0
    assert "quality.toml [code 250300]: duplicate code" in result.output


# ------------------------------------------------------------------------ index and addresses

def test_codes_page_lists_every_code_by_category(client):
    response = client.get("/codes?lang=en")
    assert response.status_code == 200
    page = text_of(response)
    for entry in CATALOG.codes:
        assert f'href="/codes/{entry.code}"' in page
    for category in CATALOG.categories:
        assert f'<section id="{category.slug}"' in page
    assert 'href="/codes"' in text_of(client.get("/"))  # reachable from every page's footer


@pytest.mark.parametrize("path, target", [("/codes/250104/", "/codes/250104"), ("/codes/250104//", "/codes/250104"),
                                          ("/codes/250104/?lang=ko", "/codes/250104?lang=ko")])
def test_trailing_slash_redirects_to_the_permalink(client, path, target):
    response = client.get(path)
    assert response.status_code == 301 and response.headers["Location"] == target


def test_gateway_results_show_their_http_status(client):
    page = html_unescaped(client.get("/search?q=Permission+Denied&lang=en"))
    row = re.search(r'<a class="result" href="/codes/210">.*?</a>', page, re.S).group(0)
    assert "HTTP 401 · API Gateway" in row


def test_a_result_row_is_one_link(client):
    page = text_of(client.get("/search?q=channel&lang=en"))
    rows = re.findall(r"<li><a class=\"result\" href=\"/codes/(\d+)\">(.*?)</a>\s*</li>", page, re.S)
    assert len(rows) >= 10
    assert all("<a " not in inner for _, inner in rows)  # no link inside the link


def test_paging_says_previous_and_next(client):
    first = html_unescaped(client.get("/search?q=channel&lang=en"))
    assert 'rel="next" href="/search?q=channel&page=2">Next ›' in first and 'rel="prev"' not in first
    second = html_unescaped(client.get("/search?q=channel&page=2&lang=en"))
    assert 'rel="prev" href="/search?q=channel&page=1">‹ Previous' in second and "Page 2 of" in second


def test_korean_results_show_korean_text_ours_marked(client):
    page = html_unescaped(client.get("/search?q=access+denied&lang=ko"))
    row = re.search(r'<a class="result" href="/codes/250015">.*?</a>', page, re.S).group(0)
    assert CATALOG.get("250015").summary.ko.split()[0] in row and 'class="badge ours"' in row


@pytest.mark.parametrize("query, code", [("E250109", "250109"), ("250,109", "250109"), ("#250104", "250104"),
                                         ("code 250-104", "250104")])
def test_a_query_that_looks_like_a_code_points_at_it(client, query, code):
    response = client.get("/search", query_string={"q": query, "lang": "en"})
    assert response.status_code == 200
    page = html_unescaped(response)
    assert f"Looking for error code {code}?" in page and f'href="/codes/{code}"' in page


def test_a_code_like_query_for_a_missing_code_offers_its_neighbours(client):
    page = html_unescaped(client.get("/search?q=E259999&lang=en"))
    assert "There is no error code 259999." in page


def test_zero_results_help(client):
    response = client.get("/search?q=zzzqqqxxx&lang=ko")
    page = html_unescaped(response)
    assert "맞는 코드가 없습니다" in page
    for category in CATALOG.categories:
        assert f'href="/categories/{category.slug}"' in page
    assert "250100–" in page and 'href="/codes"' in page


def test_search_page_has_one_search_form_and_a_paste_box(client):
    page = text_of(client.get("/search?q=channel"))
    assert page.count('role="search"') == 1 and page.count('id="q"') == 1
    assert re.search(r'<form class="paste-form" action="/search" method="post">', page)
    assert "<textarea" in page
    home = text_of(client.get("/"))
    assert "<textarea" in home and 'method="post"' in home


def test_search_api_gives_scripts_the_matched_words_as_spans(client):
    """Instant search builds its <mark>s from spans on the plain text, never from HTML."""
    first = client.get("/api/search?q=권한&limit=3").get_json()["results"][0]
    text, spans = first["description_ko"], first["marks"]["description_ko"]
    assert spans and all(text[a:b] == "권한" for a, b in spans)
    assert {"summary_en", "summary_ko", "http_status"} <= set(first)
    gateway = client.get("/api/search?q=401&limit=3").get_json()["results"][0]
    assert gateway["http_status"] == 401
