from datetime import timedelta

import pytest

from cruddur.services.activities import home_feed, profile_feed
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound, ValidationError
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import (
    RESERVATION,
    HandleChosen,
    HandleTaken,
    canonical_handle,
    choose_handle,
    create_profile,
    profile_from_pool,
    profile_of,
    release_handle,
    reserve_handle,
)


def test_a_handle_is_stored_in_its_canonical_form_and_found_in_any_case(database):
    with database.session() as session:
        assert create_profile(session, "sub-ada", " @Ada_L ", "Ada").handle == "ada_l"
        for spelling in ("ada_l", "ADA_L", "Ada_L"):
            assert profile_feed(session, spelling).profile.handle == "ada_l"


@pytest.mark.parametrize("taken_as", ["ada", "ADA", "Ada"])
def test_a_handle_that_belongs_to_someone_else_in_any_case_is_refused(database, taken_as):
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        with pytest.raises(HandleTaken) as refused:
            create_profile(session, "sub-eve", taken_as, "Eve")
        assert refused.value.field == "handle"
        assert profile_feed(session, "ada").profile.display_name == "Ada"


@pytest.mark.parametrize("handle", ["a", "x" * 31, "ada lovelace", "ада", "ａｄａ", "ada-l", "", "nul\x00"])
def test_a_handle_that_breaks_the_rule_is_refused_everywhere(database, handle):
    assert canonical_handle(handle) is None
    with database.session() as session:
        with pytest.raises(ValidationError):
            create_profile(session, "sub-ada", handle, "Ada")
        with pytest.raises(ValidationError):
            reserve_handle(session, handle)


def test_a_reserved_handle_is_taken_until_its_sign_up_uses_or_releases_it(database):
    now = utcnow()
    with database.session() as session:
        reserve_handle(session, "Ada", now=now)
        with pytest.raises(HandleTaken):
            reserve_handle(session, "ada", now=now)
        with pytest.raises(HandleTaken):
            create_profile(session, "sub-eve", "ada", "Eve", now=now)  # first sign-in of another account
        create_profile(session, "sub-ada", "ada", "Ada", reserved=True, now=now)  # the sign-up that holds it
        with pytest.raises(HandleTaken):
            reserve_handle(session, "ADA", now=now)
        reserve_handle(session, "bob", now=now)
        release_handle(session, "bob")
        create_profile(session, "sub-bob", "bob", "Bob", now=now)


def test_a_lapsed_reservation_frees_the_handle(database):
    then = utcnow() - RESERVATION - timedelta(seconds=1)
    with database.session() as session:
        reserve_handle(session, "ada", now=then)
        assert create_profile(session, "sub-eve", "ada", "Eve").handle == "ada"


@pytest.mark.parametrize("handle", ["nobody", "", "nul\x00", "\ud800"])
def test_an_unknown_handle_is_not_found(database, handle):
    with database.session() as session, pytest.raises(NotFound):
        profile_feed(session, handle)


def test_a_profile_feed_lists_only_that_persons_live_top_level_cruds(database):
    now = utcnow()
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        create_profile(session, "sub-bob", "bob", "Bob")
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
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        create_profile(session, "sub-bob", "bob", "Bob")
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
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        create_profile(session, "sub-bob", "bob", "Bob")
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
    "cursor",
    [
        "not-a-cursor",
        # The base64 cursors of earlier versions ("2026-01-01T00:00:00|<uuid>"), and near misses.
        "MjAyNi0wMS0wMVQwMDowMDowMHwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA=",
        "1796083200000000_" + "A" * 32,
        "17960832000000000_" + "a" * 32,
        "1796083200000000_" + "a" * 32 + "\n",
    ],
)
def test_a_cursor_the_feed_did_not_make_is_a_validation_error_on_cursor(database, cursor):
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        for feed in (lambda: home_feed(session, cursor=cursor), lambda: profile_feed(session, "ada", cursor)):
            with pytest.raises(ValidationError) as refused:
                feed()
            assert refused.value.field == "cursor"


def test_two_sign_ups_racing_for_one_handle_in_two_cases_get_it_once(database):
    import threading

    start, won, lost = threading.Barrier(2), [], []

    def sign_up(spelling: str) -> None:
        with database.session() as session:
            start.wait()
            try:
                won.append(reserve_handle(session, spelling))
            except HandleTaken:
                lost.append(spelling)

    threads = [threading.Thread(target=sign_up, args=(s,)) for s in ("Alice", "ALICE")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert won == ["alice"] and len(lost) == 1


def test_any_string_of_the_cursors_shape_is_a_position_to_page_from(database):
    # The REST API documents the shape: every string that has it must be a request that works.
    now = utcnow()
    with database.session() as session:
        create_profile(session, "sub-ada", "ada", "Ada")
        post_crud(session, "sub-ada", "old", "1d", now=now - timedelta(hours=2))
        post_crud(session, "sub-ada", "new", "1d", now=now - timedelta(hours=1))
        an_hour_and_a_half_ago = int((now - timedelta(minutes=90)).timestamp() * 1_000_000)
        for cursor, shown in [
            ("0_" + "0" * 32, []),
            ("9" * 16 + "_" + "f" * 32, ["new", "old"]),
            (f"{an_hour_and_a_half_ago}_{'f' * 32}", ["old"]),
        ]:
            assert [c.message for c in home_feed(session, cursor=cursor, now=now).cruds] == shown
            assert [c.message for c in profile_feed(session, "ada", cursor, now=now).cruds] == shown


POOL_ADA = {"sub": "sub-ada", "preferred_username": "Ada_L", "name": " Ada Lovelace ", "email": "ada@example.com"}


def test_a_profile_from_the_pool_takes_the_canonical_handle_and_the_name(database):
    with database.session() as session:
        made = profile_from_pool(session, "sub-ada", POOL_ADA)
        assert (made.handle, made.display_name) == ("ada_l", "Ada Lovelace")
        # Asked again (the next call), it is the same profile, whatever the pool says now.
        assert profile_from_pool(session, "sub-ada", POOL_ADA | {"preferred_username": "other"}) == made


@pytest.mark.parametrize(
    ("attributes", "field"),
    [
        ({"name": "Ada"}, "preferred_username"),
        ({"preferred_username": "Ada Lovelace", "name": "Ada"}, "preferred_username"),
        ({"preferred_username": "a", "name": "Ada"}, "preferred_username"),
        ({"preferred_username": "ada"}, "name"),
        ({"preferred_username": "ada", "name": "   "}, "name"),
        ({"preferred_username": "ada", "name": "x" * 129}, "name"),
    ],
)
def test_a_profile_from_the_pool_names_the_attribute_it_cannot_use(database, attributes, field):
    with database.session() as session:
        with pytest.raises(ValidationError) as refused:
            profile_from_pool(session, "sub-ada", attributes)
        assert refused.value.field == field
        assert profile_of(session, "sub-ada") is None


def test_a_pool_handle_someone_has_in_another_case_is_taken(database):
    with database.session() as session:
        create_profile(session, "sub-grace", "grace", "Grace")
        with pytest.raises(HandleTaken):
            profile_from_pool(session, "sub-eve", {"preferred_username": "GRACE", "name": "Eve"})
        assert profile_of(session, "sub-eve") is None


def test_choosing_a_handle_makes_the_profile_once_and_keeps_it(database):
    with database.session() as session:
        made, new = choose_handle(session, "sub-eve", "@Eve_2 ", "Eve")
        assert (made.handle, made.display_name, new) == ("eve_2", "Eve", True)
        assert choose_handle(session, "sub-eve", "EVE_2", "Someone else") == (made, False)
        with pytest.raises(HandleChosen) as refused:
            choose_handle(session, "sub-eve", "eve_3", "Eve")
        assert "@eve_2" in refused.value.message
        create_profile(session, "sub-ada", "ada", "Ada")
        with pytest.raises(HandleTaken):
            choose_handle(session, "sub-bob", "ADA", "Bob")
        with pytest.raises(ValidationError):
            choose_handle(session, "sub-bob", "b", "Bob")


def test_a_persons_two_racing_set_ups_both_end_with_their_one_profile(database):
    import threading

    start, made, failed = threading.Barrier(2), [], []

    def set_up(call) -> None:
        with database.session() as session:
            start.wait()
            try:
                made.append(call(session))
            except Exception as error:
                failed.append(error)

    calls = [
        lambda session: profile_from_pool(session, "sub-ada", POOL_ADA),
        lambda session: choose_handle(session, "sub-ada", "ada_l", "Ada")[0],
    ]
    threads = [threading.Thread(target=set_up, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failed == [] and [p.handle for p in made] == ["ada_l", "ada_l"]
