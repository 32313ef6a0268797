"""A person browsing: home → category → code page, and the search form without JavaScript."""
import re

from playwright.sync_api import expect


def test_home_to_category_to_code(page, live_server):
    page.goto(live_server + "/?lang=en")
    page.get_by_role("link", name=re.compile("^Channels")).click()
    expect(page).to_have_url(re.compile(r"/categories/channel$"))
    page.get_by_role("link", name="250104").click()
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    expect(page.locator("h1")).to_contain_text("CHANNEL_NAME_IS_WRONG")
    expect(page.locator("blockquote.message").first).to_contain_text("Special character “_” allowed.")


def test_search_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    page.goto(live_server + "/")
    page.locator("#home-q").fill("250104")
    page.locator("#home-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/codes/250104$"))
    context.close()
