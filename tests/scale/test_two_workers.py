"""Two backend workers behind one origin, sharing Redis (Reflex's state manager) and PostgreSQL.

The test plays the load balancer: it decides which worker each (re)connect of a tab reaches,
speaking the frontend's Socket.IO protocol (tests/support/socket_tab.py) with the tab's own
token, and carrying the browser's cookies — the session cookie among them — on every connect.
"""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState
from tests.scale.conftest import ORIGIN, PASSWORD, Provider, cluster, new_person, sign_in, sign_up
from tests.support import socket_actions
from tests.support.socket_tab import Browser, Tab

SESSION, FEED, AUTH = (s.get_full_name() for s in (SessionState, FeedState, AuthState))


def messages(feed: dict) -> list[str]:
    return [crud["message"] for crud in feed.get("cruds_rx_state_", [])]


async def post(tab: Tab, message: str) -> None:
    outcome = await socket_actions.post(tab, message)
    assert outcome.ok and tab.var(FeedState, "draft") == "", f"{message!r} not posted: {tab.brief()}"


async def type_draft(tab: Tab, text_: str) -> None:
    await tab.send(FeedState.set_draft, value=text_)
    await tab.wait_for(lambda t: t.var(FeedState, "draft") == text_, "the draft to reach the state")


def stored_messages(database_url: str, handle: str) -> list[str]:
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT a.message FROM activities a JOIN profiles p ON p.sub = a.author_sub WHERE p.handle = :h"),
            {"h": handle},
        ).all()
    engine.dispose()
    return sorted(row[0] for row in rows)


@pytest.fixture
def standalone(tmp_path):
    """The production-like recipe: the identity provider is its own process, not in a worker."""
    with cluster(tmp_path, provider=Provider.STANDALONE, ALLOWED_ORIGINS=ORIGIN) as running:
        yield running


async def test_a_session_moves_between_workers_and_survives_a_killed_worker(standalone):
    a, b = standalone.backends
    browser, person = Browser(ORIGIN), new_person()
    tab = browser.tab()
    await sign_up(tab, a.url, standalone.mailbox_url, person)
    second = browser.tab()  # another tab of the same browser, its socket on B
    await socket_actions.open_page(second, b.url, "/")
    await sign_in(tab, person)
    assert tab.var(SessionState, "viewer_handle") == person.handle
    cookie = browser.cookie("cruddur_session")
    # session.js's marker made it reload: its new connection to B carries the new cookie.
    await second.wait_for(socket_actions.signed_in, "the other tab to follow the sign-in")
    assert second.disconnects == 1 and second.var(SessionState, "viewer_handle") == person.handle
    await second.close()
    await post(tab, "posted through A")
    await type_draft(tab, "a draft typed on A")  # tab state and sessionStorage only: in no database

    # The tab's next connection (a reload, say) reaches B, with the same tab token.
    await tab.close()
    await standalone.wait_released(tab)
    await socket_actions.open_page(tab, b.url, "/")
    assert tab.new_tokens == []
    # B's first reply is the tab's state as B read it from Redis, before any on_load ran on B.
    snapshot = tab.snapshot
    assert snapshot[SESSION]["signed_in_rx_state_"] is True
    assert snapshot[SESSION]["viewer_handle_rx_state_"] == person.handle
    assert snapshot[FEED]["draft_rx_state_"] == "a draft typed on A"
    assert "posted through A" in messages(snapshot[FEED])
    assert snapshot[AUTH]["email_rx_state_"] == person.email
    # ... and B's own on_load, which resumes the session the handshake's cookie names (from
    # PostgreSQL), agrees.
    assert socket_actions.signed_in(tab), tab.brief()
    assert "posted through A" in messages(tab.state[FEED])
    await post(tab, "posted through B")

    # Back to A, then A dies (SIGKILL) in the middle of the session.
    await tab.close()
    await standalone.wait_released(tab)
    await socket_actions.open_page(tab, a.url, "/")
    assert tab.new_tokens == []
    assert "posted through B" in messages(tab.state[FEED])
    await type_draft(tab, "typed on A just before it died")
    a.kill()
    await tab.wait_dropped()

    # The browser reconnects; the balancer has only B left.
    started = time.monotonic()
    await socket_actions.open_page(tab, b.url, "/")
    assert time.monotonic() - started < 10
    # A never said goodbye, so its record of the tab's socket stays in Redis (for
    # redis_token_expiration) and B, taking it for a duplicated tab, hands the tab a new token
    # (reflex 0.10.1): a new, empty state, rebuilt from what the browser keeps — the session
    # cookie and the draft in sessionStorage — and PostgreSQL. Nothing was lost.
    assert len(tab.new_tokens) == 1
    assert socket_actions.signed_in(tab), tab.brief()
    assert tab.var(SessionState, "viewer_handle") == person.handle
    assert tab.var(FeedState, "draft") == "typed on A just before it died"
    feed = messages(tab.state[FEED])
    assert "posted through A" in feed and "posted through B" in feed
    await post(tab, "posted after A died")
    assert browser.cookie("cruddur_session") == cookie, "the session cookie is the one A's sign-in set"

    # It was the cookie that carried the session: the same tab storage in a browser without
    # the cookie (the device cookie only) opens B signed out.
    without = Browser(ORIGIN)
    copy = without.tab()
    copy.session_storage = dict(tab.session_storage)
    await tab.close()
    await standalone.wait_released(tab)
    await socket_actions.open_page(copy, b.url, "/")
    assert not socket_actions.signed_in(copy), copy.brief()
    await without.close()

    # Sign-in itself still works: the identity provider never lived in A.
    other = Browser(ORIGIN).tab()
    await socket_actions.open_page(other, b.url, "/signin")
    await sign_in(other, person)
    assert "posted after A died" in messages(other.state[FEED])

    assert stored_messages(standalone.database_url, person.handle) == sorted(
        ["posted through A", "posted through B", "posted after A died"]
    )
    await browser.close()
    await other.browser.close()


@pytest.fixture
def embedded(tmp_path):
    """The one-machine default carried over: worker A hosts the embedded provider, B attaches."""
    with cluster(tmp_path, provider=Provider.EMBEDDED, ALLOWED_ORIGINS=ORIGIN) as running:
        yield running


async def test_the_embedded_provider_dies_with_the_worker_that_hosts_it(embedded):
    a, b = embedded.backends
    browser, person = Browser(ORIGIN), new_person()
    tab = browser.tab()
    await sign_up(tab, b.url, embedded.mailbox_url, person)  # B uses the provider A serves
    await sign_in(tab, person)

    a.kill()  # ... and the identity provider with it
    # Who is signed in stays signed in (a reload, so the session is resumed again from the
    # cookie): tokens are verified with the signing keys B fetched at start-up.
    await tab.close()
    await embedded.wait_released(tab)
    await socket_actions.open_page(tab, b.url, "/")
    assert socket_actions.signed_in(tab), tab.brief()
    await post(tab, "posted while the provider is down")

    # But nobody can sign in: the refusal is quick and says why.
    other = Browser(ORIGIN).tab()
    await socket_actions.open_page(other, b.url, "/signin")
    refused = await socket_actions.sign_in(other, person.email, PASSWORD)
    assert refused.seconds < 15
    assert "can't reach the sign-in service" in refused.error
    assert not socket_actions.signed_in(other)

    # Until the hosting worker is back (it binds the provider's port again, same data dir).
    a.start()
    await sign_in(other, person)
    assert "posted while the provider is down" in messages(other.state[FEED])
    await browser.close()
    await other.browser.close()
