"""The signed-in home page's load (`FeedState.load_home`): the session resumed and the page read in
one call off the loop, the page from the process's cache, the suggestions from the newest
profiles kept beside it — each as fresh as reading the database would be."""

from datetime import timedelta

from cruddur.auth.session_seal import handle_hash
from cruddur.models import AuthSession, Profile
from cruddur.seed import seed_if_empty
from cruddur.services import feed_cache
from cruddur.services.clock import utcnow
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.notifications import NotificationsState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_in, signed_up_and_confirmed
from tests.support.tabs import Tab, redirects, toasts


async def home(tab: Tab) -> FeedState:
    tab.reconnect()  # a reload: a new page load, not the reuse of the last one's verification
    tab.navigate("/")
    await tab.run(FeedState.load_home)
    return tab.state(FeedState)


async def test_the_cached_home_page_shows_the_viewers_own_like_at_once(app_runtime, mailbox):
    app_runtime.database.run(seed_if_empty)
    tab = await signed_in(mailbox)
    first = (await home(tab)).cruds[0]
    uuid, likes = first.uuid, first.likes_count
    assert not first.liked
    await tab.run(FeedState.toggle_like, uuid)
    again = (await home(tab)).cruds[0]
    assert (again.uuid, again.liked, again.likes_count) == (uuid, True, likes + 1)


async def test_the_cached_home_page_shows_a_new_crud_to_everyone_at_once(app_runtime, mailbox):
    app_runtime.database.run(seed_if_empty)
    ada = await signed_in(mailbox)
    bob = await signed_in(mailbox, "bob@example.com", "bob")
    assert (await home(bob)).cruds[0].handle != "ada"  # the page is cached now
    await home(ada)
    await ada.run(FeedState.set_draft, "fresh off the press")
    await ada.run(FeedState.post)
    assert ada.state(FeedState).compose_error == ""
    top = (await home(bob)).cruds[0]
    assert (top.handle, top.message, top.liked) == ("ada", "fresh off the press", False)


async def test_one_persons_likes_are_not_shown_as_anothers(app_runtime, mailbox):
    app_runtime.database.run(seed_if_empty)
    ada = await signed_in(mailbox)
    bob = await signed_in(mailbox, "bob@example.com", "bob")
    liked = (await home(ada)).cruds[1].uuid
    await ada.run(FeedState.toggle_like, liked)
    assert [c.liked for c in (await home(bob)).cruds] == [False, False, False]
    assert [c.uuid for c in (await home(ada)).cruds if c.liked] == [liked]


async def test_suggestions_are_not_read_on_every_page_load_but_show_a_new_person_at_once(
    app_runtime, mailbox, monkeypatch
):
    ada = await signed_in(mailbox)
    reads = []
    real = feed_cache.newest_profiles
    monkeypatch.setattr(feed_cache, "newest_profiles", lambda *args: reads.append(args) or real(*args))
    for _ in range(3):
        await home(ada)
    assert len(reads) <= 1  # within the cache's second, one read serves every page load
    assert [p.handle for p in ada.state(SessionState).suggested] == []  # no one but ada yet
    with app_runtime.database.session() as session:
        session.add(Profile(sub="sub-carol", handle="carol", display_name="Carol", created_at=utcnow()))
        session.commit()
    await home(ada)
    assert [p.handle for p in ada.state(SessionState).suggested] == ["carol"]


async def test_the_home_page_load_still_ends_a_session_signed_out_elsewhere(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    await home(tab)
    laptop = await signed_in(mailbox)  # the same person on another device signs out there
    await laptop.run(SessionState.sign_out)
    tab.reconnect()
    events = await tab.run(FeedState.load_home)
    assert not tab.state(SessionState).signed_in and tab.state(SessionState).suggested == []
    assert "sign in again" in toasts(events).lower()
    assert tab.state(FeedState).loaded  # the public page instead
    assert not any(c.liked for c in tab.state(FeedState).cruds)


async def test_a_password_change_elsewhere_ends_the_tab_on_its_next_home_page_load(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    await home(tab)
    reset = Tab("/forgot")
    await reset.run(AuthState.send_reset_code, {"email": "ada@example.com"})
    code = mailbox("ada@example.com", "FORGOT_PASSWORD")
    await reset.run(AuthState.reset_password, {"code": code, "password": PASSWORD + "x", "confirm": PASSWORD + "x"})
    assert reset.state(AuthState).forgot_step == "done"
    await home(tab)
    assert not tab.state(SessionState).signed_in


async def test_a_page_for_signed_in_people_sends_a_session_ended_by_the_policy_to_sign_in(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    with app_runtime.database.session() as db:  # a week without a visit: the policy ends it
        row = db.get(AuthSession, handle_hash(tab.session_cookie))
        row.last_seen_at = utcnow() - timedelta(days=8)
        db.add(row)
        db.commit()
    tab.reconnect()
    tab.navigate("/notifications")
    events = await tab.run(NotificationsState.load)
    assert not tab.state(SessionState).signed_in and "sign in again" in toasts(events).lower()
    assert redirects(events) == ["/signin?next=/notifications"]
    assert app_runtime.sessions.load(tab.session_cookie) is None


async def test_signing_in_brings_the_home_page_with_it_and_its_load_keeps_it_on_screen(
    app_runtime, mailbox, monkeypatch
):
    # The feed goes to the page with the sign-in's redirect, so it shows as the route changes;
    # the page's own load still resumes the session and reads the page again, the feed on screen.
    app_runtime.database.run(seed_if_empty)
    tab = await signed_in(mailbox)
    feed = tab.state(FeedState)
    assert feed.loaded and feed.cruds and feed.profile_handle == ""
    shown_while_resuming = []
    resume = app_runtime.accounts.resume

    def resuming(handle):
        shown_while_resuming.append((feed.loaded, len(feed.cruds)))
        return resume(handle)

    monkeypatch.setattr(app_runtime.accounts, "resume", resuming)
    tab.navigate("/")
    await tab.run(FeedState.load_home)
    assert shown_while_resuming == [(True, len(feed.cruds))]
    # The next load of the page is an ordinary one again.
    shown_while_resuming.clear()
    await tab.run(FeedState.load_home)
    assert shown_while_resuming == [(False, len(feed.cruds))]


async def test_signing_in_on_the_way_elsewhere_brings_no_feed(app_runtime, mailbox):
    app_runtime.database.run(seed_if_empty)
    tab = await signed_up_and_confirmed(mailbox, "ada@example.com", "ada")
    tab.navigate("/signin", "next=/notifications")
    await tab.run(AuthState.sign_in, {"email": "ada@example.com", "password": PASSWORD})
    assert tab.state(SessionState).signed_in
    assert not tab.state(FeedState).loaded
