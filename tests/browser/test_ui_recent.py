"""Recently viewed codes: recorded by code pages, listed on the home page, kept in the browser only."""
import json
import re

from playwright.sync_api import expect


def test_home_lists_codes_visited_newest_first(page, live_server):
    page.goto(live_server + "/?lang=en")
    expect(page.locator("#recent")).to_be_hidden()
    for code in ("250104", "210", "250144", "250104"):
        page.goto(f"{live_server}/codes/{code}?lang=en")
    page.goto(live_server + "/?lang=en")
    recent = page.locator("#recent")
    expect(recent).to_be_visible()
    items = recent.locator("ol li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_have_text("250104 CHANNEL_NAME_IS_WRONG")
    expect(items.nth(1)).to_have_text("250144 CHANNEL_REACH_LIMIT")
    expect(items.nth(2)).to_have_text("210 Permission Denied")
    items.nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/codes/250144$"))


def test_list_keeps_the_last_eight(page, live_server):
    codes = ["250100", "250101", "250102", "250103", "250104", "250105", "250106", "250107", "250108", "250109"]
    for code in codes:
        page.goto(f"{live_server}/codes/{code}")
    page.goto(live_server + "/")
    links = page.locator("#recent ol li a")
    expect(links).to_have_count(8)
    assert links.first.inner_text() == "250109" and links.last.inner_text() == "250102"


def test_clear_empties_and_hides_the_list(page, live_server):
    page.goto(live_server + "/codes/250104")
    page.goto(live_server + "/?lang=en")
    page.get_by_role("button", name="Clear this list").click()
    expect(page.locator("#recent")).to_be_hidden()
    expect(page.locator("#home-q")).to_be_focused()
    assert page.evaluate("() => localStorage.getItem('lse.recent')") is None
    page.reload()
    expect(page.locator("#recent")).to_be_hidden()


def test_nothing_is_sent_to_the_server(page, live_server):
    page.goto(live_server + "/codes/250104")
    sent = []
    page.on("request", lambda r: sent.append(r))
    page.goto(live_server + "/?lang=en")
    expect(page.locator("#recent ol li")).to_have_count(1)
    for request in sent:
        assert "250104" not in request.url and not request.post_data
        assert "lse" not in (request.headers.get("cookie") or "")


def test_tampered_storage_cannot_inject_markup_or_links(page, live_server):
    page.goto(live_server + "/")
    evil = [{"code": "250104", "name": "<img src=x onerror=alert(1)>", "url": "javascript:alert(1)"},
            {"code": "<b>", "name": "x", "url": "/codes/1"}, "junk", None,
            {"code": "250100", "name": "n", "url": ["/codes/250100"]}, {"code": "250101", "url": "//evil.example/codes/250101"}]
    page.evaluate("v => localStorage.setItem('lse.recent', v)", json.dumps(evil))
    page.reload()
    items = page.locator("#recent ol li")
    expect(items).to_have_count(3)
    expect(items.first).to_have_text("250104 <img src=x onerror=alert(1)>")
    assert page.locator("#recent img").count() == 0
    assert [a.get_attribute("href") for a in page.locator("#recent a").all()] == [
        "/codes/250104", "/codes/250100", "/codes/250101"]
    page.evaluate("() => localStorage.setItem('lse.recent', '{not json')")
    page.reload()
    expect(page.locator("#recent")).to_be_hidden()
