"""Pasting the error you got into the search box, in a real browser."""
import re

from playwright.sync_api import expect

PASTED = ('HTTP/1.1 400 Bad Request\nContent-Type: application/json\n\n'
          '{"error":{"errorCode":250021,"message":"Invalid parameter type.pageNo can not convert to type Integer.",'
          '"errorName":"OPEN_API_PARAM_TYPE_ERROR"}}')


def test_pasted_response_shows_its_code_first_while_typing(page, live_server):
    page.goto(live_server + "/?lang=en")
    box = page.locator("#q")
    box.fill(PASTED)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    expect(listbox.locator("[role=option][data-href]").first).to_contain_text("250021")


def test_pasted_message_submitted_explains_each_value(page, live_server):
    page.goto(live_server + "/?lang=ko")
    page.locator("#home-q").fill("The short clip file clip-7 is being created. (Snapshot ID: 4242)")
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?"))
    panel = page.locator("section.paste")
    expect(panel).to_contain_text("250164")
    expect(panel.locator("blockquote mark")).to_have_text(["clip-7", "4242"])
    expect(panel.locator("dl.recovered")).to_contain_text("추정")
    expect(page.locator("ol.results li").first).to_contain_text("250164")
