"""The language switch, Accept-Language and <html lang> in a real browser."""
import re

from playwright.sync_api import expect


def test_korean_browser_gets_korean(browser, live_server):
    context = browser.new_context(locale="ko-KR")
    page = context.new_page()
    page.goto(live_server + "/codes/250104")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("link", name="본문 바로가기")).to_be_attached()
    context.close()


def test_switch_changes_html_lang_and_persists(page, live_server):
    page.goto(live_server + "/codes/250104")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="한국어").click()
    expect(page).to_have_url(re.compile(r"/codes/250104\?lang=ko$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#official-h")).to_contain_text("네이버 클라우드 플랫폼")
    page.get_by_role("link", name="홈").first.click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("link", name=re.compile("^채널")).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    page.get_by_role("navigation", name="언어").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_switch_on_search_page_keeps_the_query(page, live_server):
    page.goto(live_server + "/search?q=channel")
    page.get_by_role("link", name="한국어").click()
    expect(page).to_have_url(re.compile(r"/search\?q=channel&lang=ko$"))
    expect(page.locator("#q")).to_have_value("channel")
