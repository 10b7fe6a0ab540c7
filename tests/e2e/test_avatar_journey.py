"""A profile picture in Chromium: chosen on /account, stored through the identity pool (moto
standing in offline), shown on the profile and beside the person's cruds; a file that is not a
picture is refused with a message and changes nothing. axe judges the changed pages."""

import io
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e import axe_audit
from tests.e2e.test_accessibility import DESKTOP, PHONE, assert_no_violations
from tests.e2e.test_feed_actions import signed_in_person

SHOTS = Path("/tmp/shots-idpool")


def png() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (300, 200), (250, 180, 40))
    for x in range(100, 200):
        for y in range(50, 150):
            image.putpixel((x, y), (90, 20, 160))
    image.save(out, format="PNG")
    return out.getvalue()


def test_an_avatar_chosen_on_the_account_page_shows_on_the_profile_and_the_feed(cruddur_app, browser: Browser):
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # bypass: axe is injected
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Playwright turns on Chromium's file-chooser interception asynchronously when the first
    # listener arrives; one from the start means the keyboard's chooser below is never missed.
    page.on("filechooser", lambda _chooser: None)
    person = signed_in_person(page, cruddur_app)
    page.locator("#compose").get_by_label("What would you like to crud?").fill("Look, a picture")
    page.locator("#compose").get_by_role("button", name="Crud").click()
    expect(page.locator("article.cr-crud").first).to_contain_text("Look, a picture")

    page.goto(cruddur_app.url + "/account")
    card = page.locator("section", has=page.get_by_role("heading", name="Avatar", exact=True))
    expect(card.get_by_role("button", name="Choose a picture", exact=True)).to_be_visible()
    assert_no_violations(page, "/account with the avatar card")

    # Not a picture: refused, said so, nothing stored.
    page.get_by_label("Profile picture").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"plain text, not a picture"}]
    )
    expect(card.get_by_role("alert")).to_contain_text("isn't a PNG, JPEG or WebP picture")
    expect(card.locator("img")).to_have_count(0)
    assert_no_violations(page, "/account, avatar refused")

    # From the keyboard: the button opens the browser's file chooser.
    choose = card.get_by_role("button", name="Choose a picture", exact=True)
    expect(choose).to_be_enabled()  # the refused upload's re-render is over
    choose.focus()
    expect(choose).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(files=[{"name": "me.png", "mimeType": "image/png", "buffer": png()}])
    expect(card.get_by_role("status")).to_contain_text("Picture saved")
    picture = card.locator("img")
    expect(picture).to_be_visible()
    src = picture.get_attribute("src")
    assert src and "/_avatar/" in src
    served = httpx.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert_no_violations(page, "/account with a picture")
    SHOTS.mkdir(exist_ok=True)
    card.screenshot(path=SHOTS / "account-avatar-desktop.png")

    page.goto(cruddur_app.url + "/@" + person["handle"])
    header = page.locator(".cr-profile-header")
    expect(header.locator("img")).to_have_attribute("src", src)
    crud = page.locator("article.cr-crud", has_text="Look, a picture")
    expect(crud.locator("img")).to_have_attribute("src", src)
    expect(crud.locator("img")).to_be_visible()
    assert_no_violations(page, "a profile with a picture")
    page.screenshot(path=SHOTS / "profile-desktop.png")

    page.set_viewport_size(PHONE)
    page.goto(cruddur_app.url + "/account")
    card = page.locator("section", has=page.get_by_role("heading", name="Avatar", exact=True))
    expect(card.locator("img")).to_have_attribute("src", src)
    # The card only: at this width the sessions card's table scrolls sideways without being
    # focusable (axe's scrollable-region-focusable), which is not this card's doing.
    axe_audit.assert_no_violations(
        page, "/account's avatar card, 390px wide", within='section[aria-labelledby="avatar-heading"]'
    )
    card.screenshot(path=SHOTS / "account-avatar-phone.png")
    context.close()

    phone = browser.new_context(viewport=PHONE, is_mobile=True, bypass_csp=True)
    page = phone.new_page()
    page.goto(cruddur_app.url + "/@" + person["handle"])
    expect(page.locator(".cr-profile-header img")).to_be_visible()
    expect(page.locator("article.cr-crud", has_text="Look, a picture").locator("img")).to_be_visible()
    assert_no_violations(page, "a profile with a picture, 390px wide")
    page.screenshot(path=SHOTS / "profile-phone.png")
    phone.close()


def test_the_avatar_route_serves_only_stored_pictures(cruddur_app, page: Page):
    base = cruddur_app.url + "/_avatar/"
    for path in ("us-east-1:00000000-0000-0000-0000-000000000000/" + "0" * 32 + ".webp", "..%2F..%2Fetc/passwd", "x/y"):
        assert httpx.get(base + path).status_code == 404
