"""Expired cruds leave the database in bounded batches, each thread whole (the crud, its replies
and every like of them), while nothing a feed can show is touched."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from cruddur.auth.session_policy import SessionPolicy
from cruddur.models import Activity, Like
from cruddur.services.activities import home_feed
from cruddur.services.clock import utcnow
from cruddur.services.likes import toggle_like
from cruddur.services.notifications import notifications
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import create_profile
from cruddur.services.purge import purge_ended, purge_expired_cruds
from cruddur.services.revocations import Revocations
from cruddur.services.sessions import SessionStore


@pytest.fixture
def session(database):
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada Lovelace")
        create_profile(session, "sub-bob", "bob", "Bob")
        yield session


def thread(session, ttl: str, at):
    """Ada's crud posted at `at`, Bob's reply and like, Ada's like of the reply."""
    crud = post_crud(session, "sub-ada", f"lives {ttl}", ttl, now=at)
    answer = reply(session, "sub-bob", crud.uuid, "a reply", now=at)
    toggle_like(session, "sub-bob", crud.uuid, now=at)
    toggle_like(session, "sub-ada", answer.uuid, now=at)
    return crud


def rows(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_expired_threads_go_whole_and_live_ones_stay_as_they_were(session):
    now = utcnow()
    for _ in range(2):
        thread(session, "1h", now - timedelta(hours=2))  # expired an hour ago
    live = thread(session, "1d", now - timedelta(hours=2))
    before = (home_feed(session, now=now), notifications(session, "sub-ada", now=now))

    assert purge_expired_cruds(session, now=now) == 2
    assert rows(session, Activity) == 2 and rows(session, Like) == 2  # the live thread's crud, reply, likes
    assert (home_feed(session, now=now), notifications(session, "sub-ada", now=now)) == before
    assert [crud.uuid for crud in home_feed(session, now=now).cruds] == [live.uuid]
    assert purge_expired_cruds(session, now=now) == 0


def test_a_backlog_is_worked_off_in_batches_of_the_size_asked(session):
    now = utcnow()
    for _ in range(5):
        thread(session, "1h", now - timedelta(hours=2))
    assert [purge_expired_cruds(session, now=now, batch=2) for _ in range(4)] == [2, 2, 1, 0]
    assert rows(session, Activity) == 0 and rows(session, Like) == 0


def test_a_crud_expiring_this_instant_is_purged_and_one_a_moment_later_is_not(session):
    now = utcnow()
    post_crud(session, "sub-ada", "ends now", "1h", now=now - timedelta(hours=1))
    kept = post_crud(session, "sub-ada", "ends soon", "1h", now=now - timedelta(minutes=59))
    assert purge_expired_cruds(session, now=now) == 1
    assert [crud.uuid for crud in home_feed(session, now=now).cruds] == [kept.uuid]


def test_the_backends_chores_and_manage_purge_take_expired_cruds_too(database, session):
    thread(session, "1h", utcnow() - timedelta(hours=2))
    policy = SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(days=1))
    assert purge_ended(database, SessionStore(database, policy), Revocations(database)) >= 1
    assert rows(session, Activity) == 0 and rows(session, Like) == 0
