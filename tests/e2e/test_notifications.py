"""Signed-in-only pages: the sign-in round trip, and notifications of replies and likes."""

from playwright.sync_api import Page, expect

from tests.e2e.test_auth_journey import PASSWORD, confirmed_person, expect_signed_in, sign_in
from tests.e2e.test_feed_actions import LIKE


def test_a_signed_in_page_sends_you_to_sign_in_and_back(cruddur_app, page: Page):
    person = confirmed_person(page, cruddur_app)
    page.goto(cruddur_app.url + "/notifications")
    expect(page).to_have_url(cruddur_app.url + "/signin?next=/notifications")
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(cruddur_app.url + "/notifications")
    expect(page.get_by_text("Nothing yet.")).to_be_visible()


def test_a_like_and_a_reply_show_up_in_the_authors_notifications(cruddur_app, page: Page, browser):
    author = confirmed_person(page, cruddur_app)
    sign_in(page, cruddur_app, author["email"], PASSWORD)
    expect_signed_in(page, author)
    page.get_by_label("What would you like to crud?").fill("Notify me, please")
    page.locator("#compose").get_by_role("button", name="Crud").click()
    expect(page.locator("article.cr-crud").first).to_contain_text("Notify me, please")

    other_context = browser.new_context()
    fan_page = other_context.new_page()
    fan = confirmed_person(fan_page, cruddur_app)
    sign_in(fan_page, cruddur_app, fan["email"], PASSWORD)
    crud = fan_page.locator("article.cr-crud", has_text="Notify me, please")
    crud.get_by_role("button", name=LIKE, pressed=False).click()
    expect(crud.get_by_role("button", name=LIKE, pressed=True)).to_be_visible()
    crud.get_by_role("button", name="Reply").click()
    crud.get_by_label("Reply to @" + author["handle"]).fill("Notified!")
    crud.get_by_role("button", name="Reply", exact=True).last.click()
    expect(crud.locator(".cr-replies")).to_contain_text("Notified!")
    other_context.close()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    notes = page.get_by_label("Notifications").locator("article")
    expect(notes).to_have_count(2)
    expect(notes.nth(0)).to_contain_text(fan["name"] + " replied to your crud")
    expect(notes.nth(0)).to_contain_text("Notified!")
    expect(notes.nth(1)).to_contain_text(fan["name"] + " liked your crud")
