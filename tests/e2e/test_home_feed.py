"""The public home feed. Other browser tests post to the same app, so these look for the seeded
cruds by their text rather than counting every crud on the page."""

from playwright.sync_api import Page, expect

from cruddur.seed import EXPIRED_DEMO_MESSAGE


def test_home_page_shows_the_seeded_cruds_with_authors_and_replies(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/")
    andrew = page.locator("article.cr-crud", has_text="Cloud is fun!")
    expect(andrew).to_contain_text("Andrew Brown")
    expect(andrew).to_contain_text("@andrewbrown")
    expect(andrew).to_contain_text("expires in 9d")
    expect(andrew.locator(".cr-replies")).to_contain_text("This post has no honor!")
    for message in ("I am out of prune juice", "My dear doctor, I am just a simple tailor."):
        expect(page.locator("article.cr-crud", has_text=message)).to_have_count(1)
    expect(page.get_by_role("heading", name="Join the party!")).to_be_visible()
    expect(page.get_by_role("link", name="Join now")).to_have_attribute("href", "/signup")


def test_an_expired_crud_is_absent(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/")
    expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_be_visible()
    expect(page.get_by_text(EXPIRED_DEMO_MESSAGE)).to_have_count(0)


def test_the_feed_fits_a_390px_phone_without_sideways_scrolling(cruddur_app, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(cruddur_app.url + "/")
    expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Join now")).to_be_visible()
    context.close()
