"""Posting, replying and liking in Chromium, as a signed-in person; profiles for everyone."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_auth_journey import PASSWORD, confirmed_person, expect_signed_in, sign_in

# A like toggle's name: its visible count, then what is counted and what it does.
LIKE = re.compile(r"^\d+ likes?\. Like$")


def signed_in_person(page: Page, app) -> dict:
    person = confirmed_person(page, app)
    sign_in(page, app, person["email"], PASSWORD)
    expect_signed_in(page, person)
    return person


def test_a_new_crud_appears_at_the_top_without_a_reload(cruddur_app, page: Page):
    person = signed_in_person(page, cruddur_app)
    compose = page.get_by_label("What would you like to crud?")
    compose.fill("x" * 281)
    expect(page.locator("#compose-count")).to_have_text("-1")
    page.locator("#compose").get_by_role("button", name="Crud").click()
    expect(page.locator("#compose-error")).to_contain_text("at most 280")
    expect(compose).to_have_value("x" * 281)

    compose.fill("Hello from the browser test")
    page.get_by_label("Expires after").select_option(label="1 hour")
    page.locator("#compose").get_by_role("button", name="Crud").click()
    first = page.locator("article.cr-crud").first
    expect(first).to_contain_text("Hello from the browser test")
    expect(first).to_contain_text("@" + person["handle"])
    expect(first).to_contain_text("expires in 1h")
    expect(compose).to_have_value("")

    page.reload()
    expect(page.locator("article.cr-crud").first).to_contain_text("Hello from the browser test")


def test_like_toggles_once_per_person_and_survives_a_reload(cruddur_app, page: Page):
    signed_in_person(page, cruddur_app)
    worf = page.locator("article.cr-crud", has_text="I am out of prune juice")
    like = worf.get_by_role("button", name=LIKE, pressed=False)
    expect(like).to_have_attribute("aria-pressed", "false")
    before = int(re.match(r"\d+", like.inner_text()).group())
    like.click()
    unlike = worf.get_by_role("button", name=LIKE, pressed=True)
    expect(unlike).to_have_attribute("aria-pressed", "true")
    expect(unlike).to_contain_text(str(before + 1))
    page.reload()
    expect(worf.get_by_role("button", name=LIKE, pressed=True)).to_contain_text(str(before + 1))
    worf.get_by_role("button", name=LIKE, pressed=True).click()
    expect(worf.get_by_role("button", name=LIKE, pressed=False)).to_contain_text(str(before))


def test_a_reply_nests_under_its_crud(cruddur_app, page: Page):
    person = signed_in_person(page, cruddur_app)
    garek = page.locator("article.cr-crud", has_text="just a simple tailor")
    garek.get_by_role("button", name="Reply").click()
    garek.get_by_label("Reply to @garek").fill("Nothing is ever simple with you, Garek.")
    garek.get_by_role("button", name="Reply", exact=True).last.click()
    replies = garek.locator(".cr-replies")
    expect(replies).to_contain_text("Nothing is ever simple with you, Garek.")
    expect(replies).to_contain_text("@" + person["handle"])


def test_a_profile_lists_that_persons_cruds_and_an_unknown_handle_is_not_found(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/@worf")
    expect(page.get_by_role("heading", name="Worf")).to_be_visible()
    cruds = page.locator("article.cr-crud")
    expect(cruds).to_have_count(1)
    expect(cruds.first).to_contain_text("I am out of prune juice")

    page.goto(cruddur_app.url + "/@nobody_by_that_name")
    expect(page.get_by_role("heading", name="This account doesn't exist")).to_be_visible()
    expect(page.locator("article.cr-crud")).to_have_count(0)


def test_signed_out_people_see_no_compose_box_or_like_buttons(cruddur_app, page: Page):
    page.goto(cruddur_app.url + "/")
    expect(page.locator("article.cr-crud")).not_to_have_count(0)
    expect(page.get_by_label("What would you like to crud?")).to_have_count(0)
    expect(page.get_by_role("button", name=LIKE)).to_have_count(0)


def test_an_unposted_draft_survives_a_reload(cruddur_app, page: Page):
    signed_in_person(page, cruddur_app)
    compose = page.get_by_label("What would you like to crud?")
    compose.fill("half-written thought")
    expect(page.locator("#compose-count")).to_have_text(str(280 - len("half-written thought")))
    page.reload()
    expect(page.get_by_label("What would you like to crud?")).to_have_value("half-written thought")
