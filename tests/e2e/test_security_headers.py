"""The production app in Chromium under the policy it sends: every page works, loads nothing
from another host and reports no Content-Security-Policy violation."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_auth_journey import PASSWORD, expect_signed_in, latest_code, new_person, sign_in, sign_up

# Playwright adds this through the DevTools protocol, so the page's policy does not block it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
"""
SETTLE_MS = 500  # after the page is usable, for a late violation (a style or script added on hydration)


@dataclass
class Watch:
    """What one page asked for: every request and websocket URL, and CSP complaints on the console."""

    page: Page
    urls: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def violations(self) -> list:
        return self.page.evaluate("window.__violations") + self.console

    def other_hosts(self, app_url: str) -> set[str]:
        own = urlsplit(app_url).netloc
        return {
            url for url in self.urls if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own
        }


@pytest.fixture
def watch(page: Page) -> Watch:
    watch = Watch(page)
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("request", lambda request: watch.urls.append(request.url))
    page.on("websocket", lambda websocket: watch.urls.append(websocket.url))
    page.on(
        "console",
        lambda message: watch.console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return watch


PAGES: dict[str, Callable[[Page], None]] = {  # path -> what shows once the page works
    "/": lambda page: expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_be_visible(),
    "/signin": lambda page: expect(page.get_by_label("Email")).to_be_editable(),
    "/signup": lambda page: expect(page.get_by_label("Name", exact=True)).to_be_editable(),
    "/confirm": lambda page: expect(page.get_by_label("Confirmation code")).to_be_editable(),
    "/forgot": lambda page: expect(page.get_by_label("Email")).to_be_editable(),
    "/more": lambda page: expect(page.get_by_role("heading", name="About Cruddur")).to_be_visible(),
    # A dynamic route: served from the build's SPA fallback page, not a page of its own.
    "/@worf": lambda page: expect(page.get_by_role("heading", name="Worf")).to_be_visible(),
    "/api/docs": lambda page: expect(page.get_by_text("/api/activities/home", exact=True)).to_be_visible(),
}


def policy_of(headers: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: sources for name, *sources in (part.split() for part in headers["content-security-policy"].split("; "))
    }


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_works_under_its_policy_and_loads_nothing_from_another_host(cruddur_app, watch: Watch, path):
    page = watch.page
    response = page.goto(cruddur_app.url + path)
    assert response is not None and response.ok
    headers = response.all_headers()
    assert headers["content-type"].startswith("text/html")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    policy = policy_of(headers)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert all(
        source == "'self'" or source.startswith(("'sha256-", "'unsafe-eval'")) for source in policy["script-src"]
    )

    PAGES[path](page)
    page.wait_for_timeout(SETTLE_MS)
    assert watch.violations() == []
    assert watch.other_hosts(cruddur_app.url) == set()
    assert any(
        url.startswith(cruddur_app.url + "/") for url in watch.urls if url != response.url
    )  # it loaded its files


def test_a_script_injected_into_a_page_does_not_run(cruddur_app, watch: Watch):
    page = watch.page
    page.goto(cruddur_app.url + "/signin")
    expect(page.get_by_label("Email")).to_be_editable()
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.__injected = true";
        document.body.append(script);
        const img = document.createElement("img");
        img.src = "https://elsewhere.example/pixel.png";
        document.body.append(img);
    }""")
    page.wait_for_timeout(SETTLE_MS)
    assert page.evaluate("window.__injected") is None
    blocked = {(v["directive"], v["blocked"]) for v in page.evaluate("window.__violations")}
    assert ("script-src-elem", "inline") in blocked
    assert ("img-src", "https://elsewhere.example/pixel.png") in blocked


def test_the_feed_renders_and_a_person_signs_up_in_and_out_with_no_violation(cruddur_app, watch: Watch):
    page, app, person = watch.page, cruddur_app, new_person()
    page.goto(app.url + "/")
    expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_contain_text("Andrew Brown")

    sign_up(page, app, person)
    page.get_by_label("Confirmation code").fill(latest_code(app, person["email"], "SIGN_UP"))
    page.get_by_role("button", name="Confirm email").click()
    expect(page).to_have_url(app.url + "/signin")
    sign_in(page, app, person["email"], PASSWORD)
    expect(page).to_have_url(app.url + "/")
    expect_signed_in(page, person)
    expect(page.locator("article.cr-crud", has_text="Cloud is fun!")).to_be_visible()

    # The backend sends this toast as JavaScript text, which Reflex evals ('unsafe-eval').
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You're signed out.")).to_be_visible()
    page.wait_for_timeout(SETTLE_MS)
    assert watch.violations() == []
    assert watch.other_hosts(app.url) == set()
