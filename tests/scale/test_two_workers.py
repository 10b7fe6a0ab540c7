"""Two backend workers behind one origin, sharing Redis (Reflex's state manager) and PostgreSQL.

The test plays the load balancer: it decides which worker each (re)connect of a tab reaches,
speaking the frontend's Socket.IO protocol (tests/scale/tab.py) with the tab's own token.
"""

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.scale.conftest import ORIGIN, PASSWORD, cluster, new_person, sign_in, sign_up
from tests.scale.tab import AUTH, FEED, SESSION, Tab


def messages(feed: dict) -> list[str]:
    return [crud["message"] for crud in feed.get("cruds_rx_state_", [])]


async def post(tab: Tab, message: str) -> None:
    await tab.send(f"{FEED}.set_draft", value=message)
    await tab.send(f"{FEED}.post")
    await tab.wait_for(
        lambda s: message in messages(s[FEED]) and s[FEED]["draft_rx_state_"] == "", f"{message!r} posted"
    )


async def type_draft(tab: Tab, text_: str) -> None:
    await tab.send(f"{FEED}.set_draft", value=text_)
    await tab.wait_for(lambda s: s[FEED]["draft_rx_state_"] == text_, "the draft to reach the state")


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
    with cluster(tmp_path, standalone_provider=True, ALLOWED_ORIGINS=ORIGIN) as running:
        yield running


async def test_a_session_moves_between_workers_and_survives_a_killed_worker(standalone):
    a, b = standalone.backends
    tab, person = Tab(), new_person()
    await sign_up(tab, a.url, standalone.mailbox_url, person)
    await sign_in(tab, person)
    assert tab.var(SESSION, "viewer_handle") == person.handle
    await post(tab, "posted through A")
    await type_draft(tab, "a draft typed on A")  # tab state only: in no database

    # The tab's next connection (a reload, say) reaches B, with the same tab token.
    await tab.close()
    await standalone.wait_released(tab)
    await tab.connect(b.url, "/", origin=ORIGIN)
    assert tab.new_tokens == []
    # B's first reply is the tab's state as B read it from Redis, before any on_load ran on B.
    snapshot = tab.snapshot
    assert snapshot[SESSION]["signed_in_rx_state_"] is True
    assert snapshot[SESSION]["viewer_handle_rx_state_"] == person.handle
    assert snapshot[FEED]["draft_rx_state_"] == "a draft typed on A"
    assert "posted through A" in messages(snapshot[FEED])
    assert snapshot[AUTH]["email_rx_state_"] == person.email
    # ... and B's own on_load (session restored from PostgreSQL) agrees.
    assert tab.var(SESSION, "signed_in") is True
    assert "posted through A" in messages(tab.state[FEED])
    await post(tab, "posted through B")

    # Back to A, then A dies (SIGKILL) in the middle of the session.
    await tab.close()
    await standalone.wait_released(tab)
    await tab.connect(a.url, "/", origin=ORIGIN)
    assert tab.new_tokens == []
    assert "posted through B" in messages(tab.state[FEED])
    await type_draft(tab, "typed on A just before it died")
    a.kill()
    await tab.wait_dropped()

    # The browser reconnects; the balancer has only B left.
    started = time.monotonic()
    await tab.connect(b.url, "/", origin=ORIGIN)
    assert time.monotonic() - started < 10
    assert tab.var(SESSION, "signed_in") is True, tab.brief()
    assert tab.var(SESSION, "viewer_handle") == person.handle
    assert tab.var(FEED, "draft") == "typed on A just before it died"
    feed = messages(tab.state[FEED])
    assert "posted through A" in feed and "posted through B" in feed
    await post(tab, "posted after A died")
    # A never said goodbye, so its record of the tab's socket stays in Redis (for
    # redis_token_expiration) and B, taking it for a duplicated tab, hands the tab a new token
    # (reflex 0.10.1). The new state was rebuilt from what the browser keeps — the session handle
    # and the draft, checked above — and PostgreSQL: nothing was lost.
    assert len(tab.new_tokens) == 1

    # Sign-in itself still works: the identity provider never lived in A.
    other = Tab()
    await other.connect(b.url, "/signin", origin=ORIGIN)
    await sign_in(other, person)
    assert "posted after A died" in messages(other.state[FEED])

    assert stored_messages(standalone.database_url, person.handle) == sorted(
        ["posted through A", "posted through B", "posted after A died"]
    )
    for t in (tab, other):
        await t.close()


@pytest.fixture
def embedded(tmp_path):
    """The one-machine default carried over: worker A hosts the embedded provider, B attaches."""
    with cluster(tmp_path, standalone_provider=False, ALLOWED_ORIGINS=ORIGIN) as running:
        yield running


async def test_the_embedded_provider_dies_with_the_worker_that_hosts_it(embedded):
    a, b = embedded.backends
    tab, person = Tab(), new_person()
    await sign_up(tab, b.url, embedded.mailbox_url, person)  # B uses the provider A serves
    await sign_in(tab, person)

    a.kill()  # ... and the identity provider with it
    # Who is signed in stays signed in (a reload, so the session is verified again): tokens
    # are verified with the signing keys B fetched at start-up.
    await tab.close()
    await embedded.wait_released(tab)
    await tab.connect(b.url, "/", origin=ORIGIN)
    assert tab.var(SESSION, "signed_in") is True, tab.brief()
    await post(tab, "posted while the provider is down")

    # But nobody can sign in: the refusal is quick and says why.
    other = Tab()
    await other.connect(b.url, "/signin", origin=ORIGIN)
    started = time.monotonic()
    await other.send(f"{AUTH}.sign_in", form={"email": person.email, "password": PASSWORD})
    await other.wait_for(lambda s: other.var(AUTH, "error"), "the sign-in to be refused")
    assert time.monotonic() - started < 15
    assert "can't reach the sign-in service" in other.var(AUTH, "error")
    assert other.var(SESSION, "signed_in") is False

    # Until the hosting worker is back (it binds the provider's port again, same data dir).
    a.start()
    await sign_in(other, person)
    assert "posted while the provider is down" in messages(other.state[FEED])
    for t in (tab, other):
        await t.close()
