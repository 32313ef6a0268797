"""Pasting the error you got, in a real browser: big dumps, certain pastes, several candidates."""
import json
import re

from playwright.sync_api import expect

PASTED = ('HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n'
          '{"error":{"errorCode":250021,"message":"Invalid parameter type.pageNo can not convert to type Integer.",'
          '"errorName":"OPEN_API_PARAM_TYPE_ERROR"}}')
# A `curl -v` dump of about 50 KB: a long request and its headers, the error body at the very end.
BIG_DUMP = ("> POST /api/v2/channels HTTP/2\n> content-type: application/json\n>\n"
            + json.dumps({"channelName": "x" * 100, "tags": ["t" * 60] * 780}) + "\n"
            + "< HTTP/2 400\n< content-type: application/json;charset=UTF-8\n<\n"
            + json.dumps({"error": {"errorCode": 250146, "errorName": "DETAIL_REACH_LIMIT", "message":
                                    "The creation limit is set.\nYou can no longer create channel.\nPlease contact "
                                    "customer support or your administrator to modify the limit.\n Product Type : "
                                    "PROFESSIONAL / Generation limit: 5 / Number of generations: 5"}}))


def paste(page, selector, text):
    """Put text on the clipboard and paste it with the keyboard, as a person would."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.locator(selector).click()
    page.keyboard.press("Control+V")


def test_pasted_response_shows_its_code_first_while_typing(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator("#q")
    box.fill(PASTED)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox.locator("a[role=option]").first).to_contain_text("250021")


def test_a_50_kb_paste_finds_its_code_and_lands_on_it_with_its_values(browser, live_server):
    assert 48_000 < len(BIG_DUMP.encode()) < 64 * 1024
    context = browser.new_context(locale="en-US", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server + "/categories/channel?lang=en")
        with page.expect_response(lambda r: "/api/match" in r.url) as answer:
            paste(page, "#q", BIG_DUMP)
        assert answer.value.json()["jump"]["code"] == "250146"
        listbox = page.locator("#" + page.locator("#q").get_attribute("aria-controls"))
        first = listbox.get_by_role("option").first
        expect(first).to_contain_text("250146")
        expect(first.locator(".v")).to_contain_text("PROFESSIONAL")  # the values it carried
        page.locator("#q").press("Enter")
        expect(page).to_have_url(re.compile(r"/codes/250146$"))  # the permalink, not the paste, in the address
        panel = page.locator("#your-error")
        expect(panel.locator("blockquote mark")).to_have_text(["channel", "PROFESSIONAL", "5", "5"])
        expect(panel.locator("dl.recovered dt").first).to_contain_text("{0}")
    finally:
        context.close()


def test_a_certain_paste_lands_on_its_code_page_with_its_values(page, live_server):
    page.goto(live_server + "/?lang=ko")
    page.locator("#home-q").fill("The short clip file clip-7 is being created. (Snapshot ID: 4242)")
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/250164\?v0=clip-7&v1=4242$"))
    panel = page.locator("#your-error")
    expect(panel.locator("blockquote mark")).to_have_text(["clip-7", "4242"])
    expect(panel.locator("dl.recovered")).to_contain_text("추정")
    expect(page.locator("h1")).to_contain_text("250164")


def test_several_candidates_land_on_the_results_with_the_match_explained(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.locator("#home-q").fill("There is a restriction set on how many can be created. No more channels can be created.")
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?"))
    expect(page.locator("p.result-count")).to_have_text("2 codes match this error")
    expect(page.locator("section.paste")).to_contain_text("exactly the same message")
    expect(page.locator("ol.results").first.locator("a.result")).to_have_count(2)


def test_the_paste_box_posts_a_whole_dump_without_javascript(browser, live_server):
    context = browser.new_context(locale="ko-KR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server + "/")
        page.locator("details.paste-box summary").click()
        page.locator("#home-paste").fill(BIG_DUMP)
        page.get_by_role("button", name="코드 찾기").click()
        expect(page.locator("article[data-code=\"250146\"]")).to_be_visible()
        expect(page.locator("#your-error blockquote mark").first).to_have_text("channel")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
    finally:
        context.close()
