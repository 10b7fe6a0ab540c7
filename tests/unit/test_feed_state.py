"""The feed handlers, called on a real state object against a real database."""

from datetime import timedelta

import reflex as rx

from cruddur.models import Profile
from cruddur.seed import seed_if_empty
from cruddur.services.clock import utcnow
from cruddur.state.feed import FeedState
from tests.unit.test_feed_service import add_crud


def feed_state() -> FeedState:
    return rx.State().get_substate(FeedState.get_full_name().split(".")[1:])


async def test_load_home_fills_the_feed_from_the_database(database):
    with database.session() as session:
        seed_if_empty(session)
    state = feed_state()
    await FeedState.load_home.fn(state)
    assert state.loaded
    assert [c.handle for c in state.cruds] == ["andrewbrown", "worf", "garek"]
    assert state.next_cursor == ""


async def test_load_more_appends_the_next_page(database):
    with database.session() as session:
        ada = Profile(sub="sub-ada", handle="ada", display_name="Ada", created_at=utcnow())
        session.add(ada)
        session.commit()
        for n in range(25):
            add_crud(session, ada, f"crud {n}", age=timedelta(minutes=n))
    state = feed_state()
    await FeedState.load_home.fn(state)
    assert len(state.cruds) == 20 and state.next_cursor
    async for _ in FeedState.load_more.fn(state):
        assert state.loading_more
    assert [c.message for c in state.cruds] == [f"crud {n}" for n in range(25)]
    assert state.next_cursor == "" and not state.loading_more


async def test_a_tampered_draft_from_browser_storage_reads_as_empty_text(database):
    state = feed_state()
    state.draft = 123  # sessionStorage sync can carry anything a client writes
    assert state.draft_left == 280
    async for _ in FeedState.post.fn(state):
        pass
    assert state.compose_error == "Write something first."
