"""The feed handlers, called on real state objects against a real database (signed out: the
user pool is never reached)."""

import asyncio
import threading
from datetime import timedelta

from cruddur.models import Profile
from cruddur.seed import seed_if_empty
from cruddur.services.clock import utcnow
from cruddur.state.feed import FeedState
from tests.support.tabs import Tab
from tests.unit.test_feed_service import add_crud


async def test_load_home_fills_the_feed_from_the_database(offline_runtime):
    offline_runtime.database.run(seed_if_empty)
    tab = Tab()
    await tab.run(FeedState.load_home)
    feed = tab.state(FeedState)
    assert feed.loaded
    assert [c.handle for c in feed.cruds] == ["andrewbrown", "worf", "garek"]
    assert feed.next_cursor == ""


async def test_load_more_appends_the_next_page(offline_runtime):
    with offline_runtime.database.session() as session:
        ada = Profile(sub="sub-ada", handle="ada", display_name="Ada", created_at=utcnow())
        session.add(ada)
        session.commit()
        for n in range(25):
            add_crud(session, ada, f"crud {n}", age=timedelta(minutes=n))
    tab = Tab()
    await tab.run(FeedState.load_home)
    feed = tab.state(FeedState)
    assert len(feed.cruds) == 20 and feed.next_cursor
    await tab.run(FeedState.load_more)
    assert [c.message for c in feed.cruds] == [f"crud {n}" for n in range(25)]
    assert feed.next_cursor == "" and not feed.loading_more


async def test_a_tampered_draft_from_browser_storage_reads_as_empty_text(offline_runtime):
    tab = Tab()
    feed = tab.state(FeedState)
    feed.draft = 123  # sessionStorage sync can carry anything a client writes
    assert feed.draft_left == 280
    await tab.run(FeedState.post)
    assert feed.compose_error == "Write something first."


async def test_a_signed_out_tab_is_asked_to_sign_in_before_posting(offline_runtime):
    tab = Tab()
    await tab.run(FeedState.set_draft, "hello")
    await tab.run(FeedState.post)
    assert tab.state(FeedState).compose_error == "Sign in to crud."


async def test_the_public_feed_loads_while_every_identity_thread_is_stuck(offline_runtime):
    """Identity calls can hang for the boto timeouts; a tab without a session must not queue behind them."""
    offline_runtime.database.run(seed_if_empty)
    stuck = threading.Event()
    identity = offline_runtime.identity
    held = [identity._threads.submit(stuck.wait, 30) for _ in range(identity.threads)]
    try:
        tab = Tab()
        await asyncio.wait_for(tab.run(FeedState.load_home), timeout=5)
        assert tab.state(FeedState).loaded and len(tab.state(FeedState).cruds) == 3
    finally:
        stuck.set()
        for future in held:
            future.result(timeout=5)
