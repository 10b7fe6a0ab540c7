"""A feed a browser tab shows — home, or one person's profile — and what a signed-in person
does in it: post, reply, like. Every per-user read and every write re-verifies the session
first; the author of a write is that verified person, never a value from the browser.

The pages load in background events: resuming the session may wait on Cognito, which must
never happen while the state lock is held (`state/session.py`). A first page is read in the same
call off the loop as the resume, for the person it verified. Signing in on the way home sends
that page with the sign-in (read for the person it just verified), so the feed shows as the
route changes; the page's own load then verifies and reads again with it on screen."""

from collections.abc import Callable
from functools import partial

import reflex as rx

from cruddur import runtime
from cruddur.auth.errors import friendly
from cruddur.services import activities, likes, posting
from cruddur.services.activities import CrudView, FeedPage, ProfileFeedPage
from cruddur.services.errors import NotFound, ProfileRequired, ServiceError
from cruddur.services.feed_cache import home_cache
from cruddur.services.posting import MAX_MESSAGE_LENGTH
from cruddur.services.ttl import DEFAULT_TTL, Ttl
from cruddur.state.session import SessionState, load_off_the_loop, route_of

SIGN_IN_TO_CRUD = "Sign in to crud."
CANNOT_CHECK = "We can't check your sign-in right now. Please try again in a moment."

TTL_CHOICES = [(ttl.value, ttl.label) for ttl in Ttl]
TTL_VALUES = frozenset(ttl.value for ttl in Ttl)
# A draft may run over the limit (the counter goes negative), but not without bound.
DRAFT_LIMIT = 4 * MAX_MESSAGE_LENGTH


def _text(value: object, limit: int) -> str:
    """Text an input sent, bounded; anything else a (malformed) event carries reads as empty.
    (A non-text draft would break `draft_left`, and with it every later update of the tab.)"""
    return value[:limit] if isinstance(value, str) else ""


class FeedState(rx.State):
    cruds: list[CrudView] = []
    next_cursor: str = ""
    loaded: bool = False
    loading_more: bool = False
    # Set on a profile page: whose cruds these are; not_found when no such person.
    profile_handle: str = ""
    profile_name: str = ""
    profile_avatar: str = ""
    not_found: bool = False

    # Kept in the tab's sessionStorage too, so a draft survives a reload or a dead worker.
    draft: str = rx.SessionStorage("", name="cruddur_draft")
    ttl: str = DEFAULT_TTL.value
    compose_error: str = ""
    posting: bool = False
    replying_to: str = ""
    reply_draft: str = ""
    reply_error: str = ""
    _came_with_sign_in: bool = False

    @rx.var
    def draft_left(self) -> int:
        # The draft also comes back from the tab's sessionStorage, where anything can be written.
        return MAX_MESSAGE_LENGTH - len(_text(self.draft, DRAFT_LIMIT))

    @rx.var
    def reply_left(self) -> int:
        return MAX_MESSAGE_LENGTH - len(self.reply_draft)

    async def _viewer(self) -> str | None:
        return await (await self.get_state(SessionState))._verified_viewer()

    async def _page(self, viewer: str | None, cursor: str) -> FeedPage:
        """A later page (after `cursor`) of this tab's feed."""
        database = runtime.current().database
        if self.profile_handle:
            fetch = partial(database.run, activities.profile_feed, self.profile_handle, cursor, viewer)
        else:
            fetch = partial(database.run, activities.home_feed, cursor=cursor, viewer_sub=viewer)
        return await rx.run_in_thread(fetch)

    def _show(self, page: FeedPage, *, append: bool) -> None:
        self.cruds = self.cruds + page.cruds if append else page.cruds
        self.next_cursor = page.next_cursor or ""
        self.loaded = True

    def _show_with_sign_in(self, page: FeedPage) -> None:
        """The home page's first page, read for the person who just signed in and sent with the
        redirect: it shows as the route changes, and the page's own load keeps it on screen."""
        self.profile_handle, self.profile_name, self.profile_avatar, self.not_found = "", "", "", False
        self._show(page, append=False)
        self._came_with_sign_in = True

    async def _load(self, profile_handle: str):
        """The first page of a feed: the session resumed and the page read in one hop off the
        state lock, which is taken once before and once after."""
        async with self:
            # A home page that came with the sign-in stays shown while it is verified and read again.
            keep = self._came_with_sign_in and not profile_handle
            self._came_with_sign_in = False
            if not keep:
                self.loaded, self.not_found, self.replying_to = False, False, ""
            self.profile_handle, self.profile_name, self.profile_avatar = profile_handle, "", ""
            load = (await self.get_state(SessionState))._begin_page_load()
        resumed = await load_off_the_loop(load, partial(first_page, profile_handle))
        async with self:
            notices = (await self.get_state(SessionState))._finish_page_load(load, resumed)
            if resumed.failed is not None:
                raise resumed.failed
            page = resumed.page
            if page is None:
                self.cruds, self.next_cursor, self.not_found, self.loaded = [], "", True, True
            else:
                if isinstance(page, ProfileFeedPage):
                    self.profile_name = page.profile.display_name
                    self.profile_avatar = page.profile.avatar
                self._show(page, append=False)
        return notices

    # -- reading ---------------------------------------------------------------------------------

    @rx.event(background=True)
    async def load_home(self):
        for event in await self._load(""):
            yield event

    @rx.event(background=True)
    async def load_profile(self):
        """On `/@handle`: that person's live cruds, or a not-found page."""
        async with self:
            handle = route_of(self).removeprefix("/@")
        for event in await self._load(handle):
            yield event

    @rx.event
    async def load_more(self):
        if not self.next_cursor or self.loading_more:
            return
        self.loading_more = True
        yield
        try:
            self._show(await self._page(await self._viewer(), self.next_cursor), append=True)
        finally:
            self.loading_more = False

    # -- writing ---------------------------------------------------------------------------------

    @rx.event
    def set_draft(self, value: str):
        self.draft, self.compose_error = _text(value, DRAFT_LIMIT), ""

    @rx.event
    def set_ttl(self, value: str):
        if isinstance(value, str) and value in TTL_VALUES:
            self.ttl = value

    @rx.event
    async def post(self):
        if self.posting:
            return
        draft = _text(self.draft, DRAFT_LIMIT)
        if not draft.strip():
            self.compose_error = "Write something first."
            return
        if self.draft_left < 0:
            self.compose_error = f"Cruds are at most {MAX_MESSAGE_LENGTH} characters."
            return
        self.posting, self.compose_error = True, ""
        yield
        try:
            crud = await self._write(posting.post_crud, draft, self.ttl)
        except ServiceError as error:
            self.compose_error = error.message
        else:
            if crud is not None:
                self.draft = ""
                if not self.profile_handle or self.profile_handle == crud.handle:
                    self.cruds = [crud, *self.cruds]
        finally:
            self.posting = False

    @rx.event
    def open_reply(self, crud_uuid: str):
        crud_uuid = _text(crud_uuid, 64)
        self.replying_to = "" if self.replying_to == crud_uuid else crud_uuid
        self.reply_draft = self.reply_error = ""

    @rx.event
    def set_reply_draft(self, value: str):
        self.reply_draft, self.reply_error = _text(value, DRAFT_LIMIT), ""

    @rx.event
    async def send_reply(self):
        if self.posting or not self.replying_to:
            return
        if not self.reply_draft.strip() or self.reply_left < 0:
            self.reply_error = f"Replies are 1–{MAX_MESSAGE_LENGTH} characters."
            return
        self.posting = True
        yield
        parent = self.replying_to
        try:
            answer = await self._write(posting.reply, parent, self.reply_draft)
        except ServiceError as error:
            self.reply_error = error.message
        else:
            if answer is not None:
                self.cruds = [_with_reply(c, answer) if c.uuid == parent else c for c in self.cruds]
                self.replying_to = self.reply_draft = ""
        finally:
            self.posting = False

    @rx.event
    async def toggle_like(self, crud_uuid: str):
        try:
            outcome = await self._write(likes.toggle_like, _text(crud_uuid, 64))
        except ServiceError:
            return rx.toast.error("That crud has expired.")
        if outcome is not None:
            liked, count = outcome
            self.cruds = [_with_like(c, crud_uuid, liked, count) for c in self.cruds]

    async def _write(self, work: Callable, *args):
        """Runs a write as the verified viewer; None (and says why) when there is none."""
        session = await self.get_state(SessionState)
        was_signed_in = session.signed_in
        author = await session._verified_viewer(writing=True)
        if author is None:
            if session.signed_in:  # the check could not be made; the session is not over
                message = CANNOT_CHECK
            else:
                message = friendly("SessionExpired").message if was_signed_in else SIGN_IN_TO_CRUD
            self.compose_error = self.reply_error = message
            return None
        try:
            return await rx.run_in_thread(partial(runtime.current().database.run, work, author, *args))
        except ProfileRequired:
            self.compose_error = self.reply_error = "Choose a username first."
            return None


def first_page(profile_handle: str, viewer: str | None) -> FeedPage | None:
    """Blocking: a feed's first page for `viewer` (None: no such profile). With one worker the
    home page comes from the process's cache (the same rows, the viewer's likes added; any write
    drops it: `services/feed_cache.py`). With several (Redis), another worker's write is not seen
    by this one's cache for up to its second, and a person whose next page load reaches this
    worker must see their own crud: read from the database then."""
    rt = runtime.current()
    database = rt.database
    if not profile_handle:
        if rt.settings.redis_url:
            return database.run(activities.home_feed, viewer_sub=viewer)
        return database.run(home_cache.page, viewer)
    try:
        return database.run(activities.profile_feed, profile_handle, None, viewer)
    except NotFound:
        return None


def _with_reply(crud: CrudView, answer: CrudView) -> CrudView:
    crud.replies = [*crud.replies, answer]
    crud.replies_count += 1
    return crud


def _with_like(crud: CrudView, crud_uuid: str, liked: bool, count: int) -> CrudView:
    if crud.uuid == crud_uuid:
        crud.liked, crud.likes_count = liked, count
    crud.replies = [_with_like(reply, crud_uuid, liked, count) for reply in crud.replies]
    return crud
