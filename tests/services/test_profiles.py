from datetime import timedelta

import pytest

from cruddur.services.activities import home_feed, profile_feed
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound, ValidationError
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import ensure_profile


def test_ensure_profile_creates_then_updates_the_same_person(database):
    with database() as session:
        assert ensure_profile(session, "sub-ada", "ada", "Ada").display_name == "Ada"
        ensure_profile(session, "sub-ada", "ada_l", " Ada Lovelace ")
        page = profile_feed(session, "ada_l")
        assert (page.profile.handle, page.profile.display_name) == ("ada_l", "Ada Lovelace")
        with pytest.raises(NotFound):
            profile_feed(session, "ada")


def test_a_handle_that_belongs_to_someone_else_is_refused(database):
    with database() as session:
        ensure_profile(session, "sub-ada", "ada", "Ada")
        with pytest.raises(ValidationError) as refused:
            ensure_profile(session, "sub-eve", "ada", "Eve")
        assert refused.value.field == "handle"
        assert profile_feed(session, "ada").profile.display_name == "Ada"


@pytest.mark.parametrize("handle", ["nobody", "", "nul\x00", "\ud800"])
def test_an_unknown_handle_is_not_found(database, handle):
    with database() as session, pytest.raises(NotFound):
        profile_feed(session, handle)


def test_a_profile_feed_lists_only_that_persons_live_top_level_cruds(database):
    now = utcnow()
    with database() as session:
        ensure_profile(session, "sub-ada", "ada", "Ada")
        ensure_profile(session, "sub-bob", "bob", "Bob")
        mine = post_crud(session, "sub-ada", "mine", "1d", now=now - timedelta(minutes=2))
        post_crud(session, "sub-ada", "mine, expired", "1h", now=now - timedelta(hours=2))
        theirs = post_crud(session, "sub-bob", "theirs", "1d", now=now - timedelta(minutes=1))
        reply(session, "sub-ada", theirs.uuid, "my reply to bob", now=now)
        reply(session, "sub-bob", mine.uuid, "bob's reply to me", now=now)
        page = profile_feed(session, "ada", now=now)
    assert [c.message for c in page.cruds] == ["mine"]
    assert [r.message for r in page.cruds[0].replies] == ["bob's reply to me"]
    assert page.next_cursor is None


def test_a_profile_feed_pages_by_keyset_without_gaps_or_repeats(database):
    now = utcnow()
    with database() as session:
        ensure_profile(session, "sub-ada", "ada", "Ada")
        ensure_profile(session, "sub-bob", "bob", "Bob")
        same_instant = now - timedelta(minutes=30)
        for n in range(25):  # many share one created_at, so the uuid must break the ties
            post_crud(session, "sub-ada", f"ada {n}", "1d", now=same_instant if n % 2 else now - timedelta(minutes=n))
            post_crud(session, "sub-bob", f"bob {n}", "1d", now=now - timedelta(minutes=n))
        seen, pages, cursor = [], 0, None
        while True:
            page = profile_feed(session, "ada", cursor, now=now)
            pages += 1
            assert len(page.cruds) <= 20
            seen += [c.message for c in page.cruds]
            if not (cursor := page.next_cursor):
                break
    assert pages == 2
    assert sorted(seen) == sorted(f"ada {n}" for n in range(25))
    assert len(set(seen)) == 25


def test_feeds_mark_what_the_viewer_liked_and_only_for_that_viewer(database):
    with database() as session:
        ensure_profile(session, "sub-ada", "ada", "Ada")
        ensure_profile(session, "sub-bob", "bob", "Bob")
        liked = post_crud(session, "sub-ada", "liked", "1d")
        post_crud(session, "sub-ada", "not liked", "1d")
        answer = reply(session, "sub-ada", liked.uuid, "liked reply")
        toggle_like(session, "sub-bob", liked.uuid)
        toggle_like(session, "sub-bob", answer.uuid)
        for page in (home_feed(session, viewer_sub="sub-bob"), profile_feed(session, "ada", viewer_sub="sub-bob")):
            marks = {c.message: c.liked for c in page.cruds}
            assert marks == {"liked": True, "not liked": False}
            assert page.cruds[1].replies[0].liked
        assert not any(c.liked for c in home_feed(session, viewer_sub="sub-ada").cruds)
        assert not any(c.liked for c in home_feed(session).cruds)


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", "MjAyNi0wMS0wMVQwMDowMDowMHwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA="]
)
def test_a_cursor_the_feed_did_not_make_is_a_validation_error_on_cursor(database, cursor):
    # The second is well formed but naive ("2026-01-01T00:00:00|<uuid>"): the feed never makes those.
    with database() as session:
        ensure_profile(session, "sub-ada", "ada", "Ada")
        for feed in (lambda: home_feed(session, cursor=cursor), lambda: profile_feed(session, "ada", cursor)):
            with pytest.raises(ValidationError) as refused:
                feed()
            assert refused.value.field == "cursor"
