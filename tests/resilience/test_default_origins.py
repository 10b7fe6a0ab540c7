"""With ALLOWED_ORIGINS unset — as the resilience suite serves the app — only the app's own
origins may open its websocket or use the session routes: a page of another origin (another
site, or another port of this one, whose requests would carry the cookies) is refused."""

import pytest
import socketio

from tests.support.socket_actions import open_page, sign_in, signed_in
from tests.support.socket_tab import Browser

FOREIGN = ["https://evil.example", "http://127.0.0.1:1", "null"]


async def test_only_the_apps_own_origins_get_a_websocket(running):
    assert "ALLOWED_ORIGINS" not in running.app.env
    for own in (running.url, running.app.url):  # http://127.0.0.1:<port>, http://localhost:<port>
        tab = Browser(own).tab()
        await open_page(tab, running.url, "/")
        assert tab.connected
        await tab.close()
    for origin in FOREIGN:
        tab = Browser(origin).tab()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await tab.connect(running.url, "/")
        assert not tab.messages, origin


async def test_only_the_apps_own_origin_may_adopt_a_ticket_or_end_a_session(running, crowd):
    person = crowd("origin", 1)[0]
    browser = running.browser()
    tab = browser.tab()
    await open_page(tab, running.url, "/signin")
    # The page that hands the ticket over is another origin's: refused before the ticket is
    # looked at (it stays redeemable), and no cookie is set.
    browser.origin = FOREIGN[0]
    refused = await sign_in(tab, person.email, person.password)
    assert tab.adoptions == [False] and not refused.ok and not browser.cookie("cruddur_session")
    ticket = tab.scripts[-1].split('"')[1]
    for origin in FOREIGN:
        browser.origin = origin
        answer = await browser.post(running.url, "/_session/adopt", {"ticket": ticket})
        assert answer.status_code == 403 and "set-cookie" not in answer.headers, origin
    browser.origin = running.url
    assert (await browser.post(running.url, "/_session/adopt", {"ticket": ticket})).status_code == 204
    assert browser.cookie("cruddur_session")
    # ... and an unknown ticket from the own origin is a 400, not a 403: the origin decided above.
    assert (await browser.post(running.url, "/_session/adopt", {"ticket": "nope"})).status_code == 400

    # Another origin's page cannot end the session either, even with the cookies sent along.
    for origin in FOREIGN:
        browser.origin = origin
        answer = await browser.post(running.url, "/_session/end")
        assert answer.status_code == 403 and "set-cookie" not in answer.headers, origin
    browser.origin = running.url
    await open_page(tab, running.url, "/")
    assert signed_in(tab), tab.brief()
    await browser.close()
