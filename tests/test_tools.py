"""For tools and feed readers: Markdown per code, /llms.txt, the Atom feed, History, guidance on the page and in data."""
import csv
import html
import io
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from markdown_it import MarkdownIt

from app import create_app
from catalog import CatalogError, load_catalog
from views_tools import md_escape, md_lines
from support import ROOT

CATALOG = load_catalog(ROOT / "data")
ALL_CODES = [c.code for c in CATALOG.codes]
ATOM = "{http://www.w3.org/2005/Atom}"
MD = MarkdownIt("commonmark")


def text(response) -> str:
    return response.get_data(as_text=True)


def rendered_text(markdown: str) -> str:
    """What a reader sees once the Markdown is rendered: tags dropped, <br> as line breaks."""
    out = MD.render(markdown).replace("<br />\n", "\n")
    return html.unescape(re.sub(r"<[^>]+>", "", out))


# ------------------------------------------------------------------------ Markdown

@pytest.mark.parametrize("sample", [
    "Special character “_” allowed.", "bFrames only 0 is available if resolution less than 409920(854*480)",
    "[STEAM, MIXER , TWITCH] ar e supported.", "# not a heading", "- not a list", "1. not a list either",
    "> not a quote", "a <b>tag</b> & an &amp; entity", "back\\slash and `tick`", "live_event_01 and _x_ and *y*",
    "+ plus", "=== not a setext underline", "a | b | c", "~~not struck~~",
])
def test_escaped_text_renders_exactly_as_written(sample):
    assert rendered_text(md_escape(sample)).strip() == sample


def test_line_breaks_survive_in_a_quote():
    official = "The creation limit is set.\nYou can no longer create {0}.\n- Generation limit: {1}"
    assert rendered_text(md_lines(official, "> ")).strip() == official


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_has_markdown_with_official_text_verbatim(client, code):
    entry = CATALOG.get(code)
    response = client.get(f"/codes/{code}.md?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    seen = rendered_text(text(response))
    assert entry.message in seen
    if entry.description_ko:
        assert entry.description_ko in seen
    if entry.name:
        assert entry.name in seen
    assert entry.explanation.en in seen and entry.fix.en in seen
    assert f'"errorCode": {code}' in seen or f'"errorCode": "{code}"' in seen


def test_markdown_puts_ncp_first_then_ours_then_the_example(client):
    page = text(client.get("/codes/250144.md?lang=en"))
    official = page.index("## Published by NAVER Cloud Platform (official, verbatim)")
    ours = page.index("## Written by this site, not NAVER Cloud Platform (ours)")
    example = page.index("## Example response body")
    assert official < page.index("The creation limit is set.") < ours < page.index("### What went wrong") < example
    assert "### Placeholders (inferred)" in page
    assert page.index("```json") > example
    assert page.startswith("# 250144 `CHANNEL_REACH_LIMIT`\n")


def test_markdown_in_korean_keeps_ncp_text_and_gives_ours_in_korean(client):
    page = text(client.get("/codes/250100.md?lang=ko"))
    assert "Channel is not found" in page and "채널을 찾을 수 없음" in page
    assert CATALOG.get("250100").explanation.ko in rendered_text(page)
    assert "\n## 네이버 클라우드 플랫폼 공식 정보 (공식, 원문 그대로)\n" in page


def test_accept_markdown_on_the_page_gives_the_same_markdown(client):
    md = client.get("/codes/250104.md")
    negotiated = client.get("/codes/250104", headers={"Accept": "text/markdown"})
    assert negotiated.mimetype == "text/markdown" and text(negotiated) == text(md)
    assert "Accept" in negotiated.headers["Vary"]
    browser = client.get("/codes/250104", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.mimetype == "text/html" and "Accept" in browser.headers["Vary"]
    # one kept answer never stands in for the other
    again = client.get("/codes/250104", headers={"Accept": "text/markdown"})
    assert again.mimetype == "text/markdown"
    assert client.get("/codes/250104", headers={"Accept": "*/*"}).mimetype == "text/html"


def test_markdown_has_an_etag_and_answers_304(client):
    first = client.get("/codes/250104.md")
    assert first.headers.get("ETag")
    again = client.get("/codes/250104.md", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_markdown_of_a_name_redirects_and_of_nothing_is_404(client):
    response = client.get("/codes/channel_name_is_wrong.md")
    assert response.status_code == 301 and response.headers["Location"].endswith("/codes/250104.md")
    assert client.get("/codes/259999.md").status_code == 404


def test_code_page_links_its_markdown(client):
    page = text(client.get("/codes/250104"))
    assert '<link rel="alternate" type="text/markdown" href="/codes/250104.md">' in page


# ------------------------------------------------------------------------ llms.txt

def test_llms_txt_follows_the_convention_and_links_every_code(client):
    response = client.get("/llms.txt?lang=en")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = text(response)
    lines = body.splitlines()
    assert lines[0] == "# Live Station Error Codes"
    assert lines[2].startswith("> ")
    tokens = MD.parse(body)
    assert [t.tag for t in tokens if t.type == "heading_open"][0] == "h1"
    h2 = [rendered_text(tokens[i + 1].content).strip() for i, t in enumerate(tokens)
          if t.type == "heading_open" and t.tag == "h2"]
    assert h2 == [c.title.en for c in CATALOG.categories] + ["Optional"]
    links = re.findall(r"^- \[[^\]]+\]\((http://localhost/codes/(\d+)\.md)\)", body, re.M)
    assert sorted(code for _, code in links) == sorted(ALL_CODES)
    assert "http://localhost/changes.atom" in body and "http://localhost/api/codes" in body


def test_llms_txt_in_korean_links_korean_markdown(client):
    body = text(client.get("/llms.txt?lang=ko"))
    assert "http://localhost/codes/250104.md?lang=ko" in body
    assert "## 채널" in body


# ------------------------------------------------------------------- change log, feed

def test_every_page_links_the_atom_feed(client):
    for path in ("/", "/codes/250104", "/categories/channel", "/search?q=channel"):
        page = text(client.get(path))
        assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="/changes.atom"' in page, path


def test_atom_feed_is_valid_and_starts_with_the_first_publication(client):
    response = client.get("/changes.atom?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{child}") is not None, child
    entries = feed.findall(f"{ATOM}entry")
    first = entries[-1]
    assert first.find(f"{ATOM}updated").text == "2026-11-25T00:00:00Z"
    assert first.find(f"{ATOM}title").text == f"Added: {len(ALL_CODES)} codes"
    assert "First publication" in first.find(f"{ATOM}summary").text
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    assert response.headers.get("ETag")


def test_first_publication_covers_every_code(catalog):
    from changes import load_changes
    log = load_changes(ROOT / "data", catalog)
    first = log.changes[0]
    assert (first.kind, first.date.isoformat()) == ("added", "2026-11-25")
    assert set(first.codes) == set(ALL_CODES)


def test_code_page_shows_its_history(client):
    page = text(client.get("/codes/250104?lang=en"))
    assert 'id="history"' in page and '<time datetime="2026-11-25">2026-11-25</time>' in page
    assert "First publication of the catalog" in page
    assert "카탈로그 첫 공개" in text(client.get("/codes/250104?lang=ko"))


def test_a_changed_entry_shows_before_and_after_on_the_page_and_in_the_feed(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "changes.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[changes]]\ndate = 2026-12-01\nkind = "changed"\ncodes = ["250128"]\nfields = ["name"]\n'
                 'before = {name = "INVALID_TARGET_PLARFORM_STANDARD"}\nafter = {name = "INVALID_TARGET_PLATFORM<X>"}\n'
                 'summary_en = "NCP changed the published name."\nsummary_ko = "NCP가 공개한 내용이 바뀌었습니다(오류명)."\n')
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "SEARCH_BUILD_ON_START": False,
                      "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    client = app.test_client()
    page = text(client.get("/codes/250128?lang=en"))
    history = page[page.index('id="history"'):]
    assert history.index("2026-12-01") < history.index("2026-11-25")  # newest first
    assert "<code>INVALID_TARGET_PLARFORM_STANDARD</code>" in history and "INVALID_TARGET_PLATFORM&lt;X&gt;" in history
    feed = ET.fromstring(client.get("/changes.atom?lang=en").data)
    newest = feed.findall(f"{ATOM}entry")[0]
    assert newest.find(f"{ATOM}title").text == "250128 INVALID_TARGET_PLARFORM_STANDARD: Changed"
    assert newest.find(f"{ATOM}link").get("href") == "http://localhost/codes/250128"
    assert "INVALID_TARGET_PLATFORM<X>" in newest.find(f"{ATOM}content").text
    assert feed.find(f"{ATOM}updated").text == "2026-12-01T00:00:00Z"
    md = text(client.get("/codes/250128.md?lang=en"))
    assert "- 2026-12-01: Changed. NCP changed the published name." in md


@pytest.mark.parametrize("entry, expected", [
    ('date = "2026-13-01"\nkind = "added"\ncodes = ["250104"]', r"\[code 250104\]: entry 2: date '2026-13-01' is not a date"),
    ('date = 2026-12-01\nkind = "renamed"\ncodes = ["250104"]', r"\[code 250104\]: entry 2: kind 'renamed'"),
    ('date = 2026-12-01\nkind = "added"\ncodes = ["259999"]', r"\[code 259999\]: entry 2: code 259999 is neither in the catalog nor retired"),
    ('date = 2026-12-01\nkind = "retired"\ncodes = ["250104"]', r"\[code 250104\]: entry 2: code 250104 is not in retired\.toml"),
    ('date = 2026-12-01\nkind = "changed"\ncodes = ["250104"]', r"\[code 250104\]: entry 2: a 'changed' entry names the fields"),
    ('date = 2026-12-01\nkind = "added"\ncodes = ["250104"]\ncolour = "red"', r"\[code 250104\]: entry 2: unknown keys: colour"),
])
def test_a_bad_change_log_stops_the_start_naming_the_file(tmp_path, entry, expected):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with (data / "changes.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"\n[[changes]]\n{entry}\nsummary_en = \"x\"\nsummary_ko = \"x\"\n")
    with pytest.raises(CatalogError, match=r"data/changes\.toml " + expected):
        create_app({"TESTING": True, "DATA_DIR": str(data), "SEARCH_BUILD_ON_START": False,
                    "SEARCH_INDEX_DIR": str(tmp_path / "index")})


# ---------------------------------------------------------------------- guidance

def test_code_page_shows_the_guidance_line_above_the_explanation(guided_client):
    page = text(guided_client.get("/codes/250104?lang=en"))
    line = re.search(r'<p class="guidance".*?</p>', page, re.S).group()
    assert "Retry:</strong> after fixing the request" in line and "Who:</strong> you, the caller" in line
    assert "inferred" not in line
    assert page.index('class="guidance"') < page.index('id="explanation"')
    ko = text(guided_client.get("/codes/250104?lang=ko"))
    assert "재시도:</strong> 요청을 고친 뒤" in ko and "조치:</strong> API를 호출한 사용자" in ko


def test_next_steps_are_an_ordered_list_with_states_fields_and_inference(guided_client):
    page = text(guided_client.get("/codes/250102?lang=en"))
    section = page[page.index('id="next-steps"'):]
    section = section[:section.index("</section>")]
    steps = re.findall(r"<li>(.*?)</li>", section[section.index('<ol class="next-steps">'):])
    assert steps == ["Stop the stream in your encoder.",
                     "Wait until GET /api/v2/channels/{channelId} shows channelStatus READY.",
                     "Send the same request again."]
    assert "<code>PUBLISHING</code>, <code>READY</code>" in section
    assert "The channel must be READY (stop the encoder first)." in section
    assert "our inference" in section
    assert "inferred" in re.search(r'<p class="guidance".*?</p>', page, re.S).group()
    fields = text(guided_client.get("/codes/250104?lang=en"))
    assert "<dt>Request fields</dt><dd><code>channelName</code></dd>" in fields
    ko = text(guided_client.get("/codes/250102?lang=ko"))
    assert "<li>인코더에서 송출을 중지해 주십시오.</li>" in ko


def test_guidance_in_markdown(guided_client):
    md = text(guided_client.get("/codes/250102.md?lang=en"))
    assert "### What to do next (inferred)" in md
    assert "- Retry: after waiting for a change: The channel must be READY (stop the encoder first)." in md
    assert "- Who acts: whoever runs the stream or resource" in md
    assert "- Resource states: `PUBLISHING`, `READY`" in md
    assert "1. Stop the stream in your encoder.\n2. Wait until" in md
    assert md.index("## Written by this site") < md.index("### What to do next") < md.index("## Example response body")
    fixed = rendered_text(text(guided_client.get("/codes/250104.md?lang=en")))
    assert "Use 3 to 20 letters, digits or *_* in channelName." in fixed


def test_guidance_in_the_json(guided_client):
    for path in ("/codes/250102.json", "/api/codes/250102"):
        g = guided_client.get(path).get_json()["guidance"]
        assert g["retry"] == "after_wait" and g["who_acts"] == "operator" and g["inferred"] is True
        assert g["states"] == ["PUBLISHING", "READY"] and len(g["next_steps_ko"]) == 3
    listed = {c["code"]: c for c in guided_client.get("/api/codes").get_json()["codes"]}
    assert listed["250104"]["guidance"]["request_fields"] == ["channelName"]


def test_guidance_columns_in_the_csv(guided_client):
    body = guided_client.get("/api/codes.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(body))}
    row = rows["250102"]
    assert (row["retry"], row["who_acts"], row["states"], row["request_fields"]) == (
        "after_wait", "operator", "PUBLISHING, READY", "")
    assert row["next_steps_en"].split("\n") == ["Stop the stream in your encoder.",
                                                "Wait until GET /api/v2/channels/{channelId} shows channelStatus READY.",
                                                "Send the same request again."]
    assert row["next_steps_ko"].split("\n")[0] == "인코더에서 송출을 중지해 주십시오."
    assert rows["250104"]["request_fields"] == "channelName"
