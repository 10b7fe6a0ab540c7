"""The home feed cache: never an expired crud, a write in this process shows at once, likes are
each viewer's own, and what this process cannot see is at most `max_age` old."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import insert

from cruddur.models import Activity, Profile
from cruddur.services import feed_cache
from cruddur.services.activities import home_feed
from cruddur.services.clock import utcnow
from cruddur.services.feed_cache import HomeFeedCache, NewestProfilesCache, feed_json
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import create_profile

ADA, BOB = "sub-ada", "sub-bob"


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **span):
        self.now += timedelta(**span)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(clock):
    return HomeFeedCache(clock=clock)


@pytest.fixture
def people(database):
    with database.session() as session:
        create_profile(session, ADA, "ada", "Ada Lovelace")
        create_profile(session, BOB, "bob", "Bob")
    return database


def rename(session, sub: str, display_name: str) -> None:
    profile = session.get(Profile, sub)
    profile.display_name = display_name
    session.add(profile)
    session.commit()


def write(database, action, *args, **kwargs):
    """A write in its own session and transaction, as a request would make it."""
    with database.session() as session:
        return action(session, *args, **kwargs)


def read(database, cache, viewer=None) -> dict:
    with database.session() as session:
        return json.loads(cache.body(session, viewer))


def uuids(page: dict) -> list[str]:
    return [crud["uuid"] for crud in page["cruds"]]


def test_the_cached_page_is_the_feed_itself(people, cache, clock):
    for n in range(25):
        write(people, post_crud, ADA, f"crud {n}", "1d", now=clock() - timedelta(seconds=n))
    with people.session() as session:
        expected = json.loads(feed_json(home_feed(session, now=clock())))
    assert read(people, cache) == expected
    assert json.loads(cache.peek_body(people.engine, None)) == expected
    assert len(expected["cruds"]) == 20 and expected["next_cursor"]


def test_an_expired_crud_is_never_served_even_when_cached(people, clock):
    # Kept for an hour were it not for the crud that expires in half a second.
    cache = HomeFeedCache(clock=clock, max_age=timedelta(hours=1))
    lasting = write(people, post_crud, ADA, "lasting", "1d", now=clock())
    brief = write(people, post_crud, BOB, "brief", "1h", now=clock() - timedelta(hours=1) + timedelta(seconds=0.5))
    assert uuids(read(people, cache)) == [lasting.uuid, brief.uuid]
    clock.advance(seconds=0.4)
    assert cache.peek_body(people.engine, None) is not None
    clock.advance(seconds=0.1)  # the moment it expires
    assert cache.peek_body(people.engine, None) is None
    assert uuids(read(people, cache)) == [lasting.uuid]


def test_an_expiring_reply_also_ends_the_cached_page(people, clock):
    cache = HomeFeedCache(clock=clock, max_age=timedelta(hours=1))
    crud = write(people, post_crud, ADA, "hello", "1d", now=clock())
    answer = write(people, reply, BOB, crud.uuid, "hi", now=clock())
    with people.session() as session:  # a reply that outlives nothing else: shorten it in the database
        session.exec(
            Activity.__table__.update()
            .where(Activity.__table__.c.reply_to.is_not(None))
            .values(expires_at=clock() + timedelta(seconds=2))
        )
        session.commit()
    assert [r["uuid"] for r in read(people, cache)["cruds"][0]["replies"]] == [answer.uuid]
    clock.advance(seconds=2)
    assert cache.peek_body(people.engine, None) is None
    assert read(people, cache)["cruds"][0]["replies"] == []


@pytest.mark.parametrize("kind", ["post", "reply", "like", "profile"])
def test_a_write_in_this_process_shows_at_once(people, cache, clock, kind):
    crud = write(people, post_crud, ADA, "hello", "1d", now=clock())
    before = read(people, cache, BOB)
    if kind == "post":
        write(people, post_crud, BOB, "news", "1d", now=clock())
    elif kind == "reply":
        write(people, reply, BOB, crud.uuid, "hi", now=clock())
    elif kind == "like":
        write(people, toggle_like, BOB, crud.uuid, now=clock())
    else:
        write(people, rename, ADA, "Countess of Lovelace")
    assert cache.peek_body(people.engine, BOB) is None  # no time has passed: dropped, not aged
    after = read(people, cache, BOB)
    assert after != before
    [shown] = [c for c in after["cruds"] if c["uuid"] == crud.uuid]
    if kind == "reply":
        assert (shown["replies_count"], len(shown["replies"])) == (1, 1)
    elif kind == "like":
        assert (shown["liked"], shown["likes_count"]) == (True, 1)
    elif kind == "profile":
        assert shown["display_name"] == "Countess of Lovelace"


def test_a_failed_write_keeps_the_page(people, cache, clock):
    crud = write(people, post_crud, ADA, "hello", "1d", now=clock())
    read(people, cache)
    with people.session() as session:
        session.add(Activity(author_sub=ADA, message="never", created_at=clock(), expires_at=clock()))
        session.flush()
        session.rollback()
    assert uuids(json.loads(cache.peek_body(people.engine, None))) == [crud.uuid]


def test_each_viewer_sees_their_own_likes_on_cruds_and_replies(people, cache, clock):
    first = write(people, post_crud, ADA, "first", "1d", now=clock() - timedelta(seconds=1))
    second = write(people, post_crud, BOB, "second", "1d", now=clock())
    answer = write(people, reply, BOB, first.uuid, "a reply", now=clock())
    write(people, toggle_like, ADA, second.uuid, now=clock())
    write(people, toggle_like, ADA, answer.uuid, now=clock())
    write(people, toggle_like, BOB, first.uuid, now=clock())

    def liked(page):
        return {c["uuid"] for c in page["cruds"] + page["cruds"][1]["replies"] if c["liked"]}

    assert liked(read(people, cache, ADA)) == {second.uuid, answer.uuid}
    assert liked(read(people, cache, BOB)) == {first.uuid}
    assert liked(read(people, cache, "sub-nobody")) == set()
    assert liked(read(people, cache)) == set()
    # Served again from memory, still each viewer's own.
    assert liked(json.loads(cache.peek_body(people.engine, ADA))) == {second.uuid, answer.uuid}
    assert liked(json.loads(cache.peek_body(people.engine, BOB))) == {first.uuid}
    counts = [c["likes_count"] for c in read(people, cache, BOB)["cruds"]]
    assert counts == [1, 1]


def test_pages_handed_out_are_the_callers_to_change(people, cache, clock):
    crud = write(people, post_crud, ADA, "hello", "1d", now=clock())
    write(people, toggle_like, ADA, crud.uuid, now=clock())
    for viewer in (None, ADA):
        with people.session() as session:
            cache.page(session, viewer).cruds[0].message = "changed"
        with people.session() as session:
            page = cache.page(session, viewer)
        assert page.cruds[0].message == "hello"
        assert page.cruds[0].liked is (viewer == ADA)


def test_what_this_process_cannot_see_is_at_most_max_age_old(people, cache, clock):
    # A write from another worker (or any program) reaches the database without this
    # process's sessions: no invalidation, only the page's age bounds what is missed.
    first = write(people, post_crud, ADA, "first", "1d", now=clock())
    assert uuids(read(people, cache)) == [first.uuid]
    with people.engine.begin() as connection:
        connection.execute(
            insert(Activity.__table__).values(
                uuid=Activity().uuid, author_sub=BOB, message="elsewhere",
                created_at=clock() + timedelta(milliseconds=1), expires_at=clock() + timedelta(days=1),
            )
        )  # fmt: skip
    clock.advance(milliseconds=999)
    assert uuids(read(people, cache)) == [first.uuid]  # stale, within the bound
    clock.advance(milliseconds=1)
    assert len(read(people, cache)["cruds"]) == 2


def test_a_clock_that_went_back_does_not_extend_the_page(people, cache, clock):
    read(people, cache)
    clock.advance(seconds=-5)
    assert cache.peek_body(people.engine, None) is None


def test_a_page_read_while_a_write_commits_is_not_kept(people, cache, clock, monkeypatch):
    first = write(people, post_crud, ADA, "first", "1d", now=clock())
    real_home_feed = feed_cache.home_feed

    def feed_then_write(session, **kwargs):
        page = real_home_feed(session, **kwargs)
        write(people, post_crud, BOB, "meanwhile", "1d", now=clock())
        return page

    monkeypatch.setattr(feed_cache, "home_feed", feed_then_write)
    assert uuids(read(people, cache)) == [first.uuid]  # served to the reader that read it...
    assert cache.peek_body(people.engine, None) is None  # ...but not kept past the write
    monkeypatch.setattr(feed_cache, "home_feed", real_home_feed)
    assert len(read(people, cache)["cruds"]) == 2


def test_likes_read_before_that_viewers_like_commits_are_not_kept(people, cache, clock, monkeypatch):
    first = write(people, post_crud, ADA, "first", "1d", now=clock() - timedelta(seconds=1))
    second = write(people, post_crud, ADA, "second", "1d", now=clock())
    write(people, toggle_like, BOB, first.uuid, now=clock())
    read(people, cache)
    real_with_likes = feed_cache._with_likes

    def overlay_then_like(page, liked):  # Bob's likes were read; his next like commits now
        write(people, toggle_like, BOB, second.uuid, now=clock())
        return real_with_likes(page, liked)

    monkeypatch.setattr(feed_cache, "_with_likes", overlay_then_like)
    with people.session() as session:
        served = json.loads(cache.body(session, BOB))
    monkeypatch.setattr(feed_cache, "_with_likes", real_with_likes)
    assert {c["uuid"] for c in served["cruds"] if c["liked"]} == {first.uuid}  # as read
    assert cache.peek_body(people.engine, BOB) is None  # not kept past his like
    assert {c["uuid"] for c in read(people, cache, BOB)["cruds"] if c["liked"]} == {first.uuid, second.uuid}


def test_another_database_never_sees_this_ones_page(people, cache, clock):
    write(people, post_crud, ADA, "hello", "1d", now=clock())
    read(people, cache)
    assert cache.peek_body(object(), None) is None


def test_no_cruds_is_a_page_too(people, cache):
    assert read(people, cache) == {"cruds": [], "next_cursor": None}
    assert read(people, cache, ADA) == {"cruds": [], "next_cursor": None}


# -- the newest profiles (suggestions) --------------------------------------------------------


def test_suggestions_are_the_newest_people_other_than_the_viewer_and_a_new_one_shows_at_once(database, clock):
    newest = NewestProfilesCache(clock=clock, max_age=timedelta(hours=1))
    start = utcnow() - timedelta(days=1)
    with database.session() as session:
        for n, handle in enumerate(["p0", "p1", "p2", "p3", "p4"]):
            create_profile(session, f"sub-{handle}", handle, handle, now=start + timedelta(minutes=n))
        assert [p.handle for p in newest.suggested(session, "sub-p4")] == ["p3", "p2", "p1"]
        assert [p.handle for p in newest.suggested(session, "sub-p0")] == ["p4", "p3", "p2"]
        newest.suggested(session, "sub-p0")[0].handle = "changed"  # a copy: the kept list is untouched
        assert newest.suggested(session, "sub-p2")[0].handle == "p4"
    with database.session() as session:
        create_profile(session, "sub-p5", "p5", "p5")  # committed: the kept list is dropped
    with database.session() as session:
        assert [p.handle for p in newest.suggested(session, "sub-p0")] == ["p5", "p4", "p3"]
