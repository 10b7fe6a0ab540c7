"""Short-lived, in-process caches of what every page load asks and every viewer shares: the
home feed's first page, as ready JSON, and the newest profiles (the people a signed-in page
suggests following).

Everyone's first page is the same list of cruds; only `liked` is personal. So the page is
read once (`home_feed` without a viewer) and kept as data and as JSON bytes; a signed-in
viewer's copy adds their likes, found by key (`likes` leads with `crud_uuid`, so "which of
these did `sub` like" is one small indexed query) and is kept beside the page. Likewise the
newest profiles are read once and each viewer's suggestions are them without the viewer.

What is served, and for how long (both caches):

- A page is kept at most `max_age` (1 s) after it was read, and never at or past the
  earliest `expires_at` among the cruds and replies it shows: an expired crud is never served.
  (A crud that expires also lets a later one onto the page; the same bound covers that.)
- Any committed write in this process to cruds, likes or profiles (post, reply, like, a new
  profile), through any SQLAlchemy `Session`, whether it came from the REST API or from the
  Reflex app, drops every cached page at once. A page read before such a commit but stored
  after it is refused, so a reader never sees its own write undone.
- Other processes' writes are not seen until the page ages out: with several workers (Redis
  mode), a worker's home page is at most `max_age` (1 s) behind another worker's commit.
  Writes that bypass the ORM session (raw `Connection` DML, other programs on the database)
  are likewise bounded by `max_age`.
- `posted_ago` and `expires_in` are as of the read, so they may lag by up to `max_age`.

Only the first page (no cursor) is cached; later pages are read as before. Entries belong to
one engine, so a process that switches databases (tests) never sees another database's page.
Thread-safe: `peek_body` only reads memory (fine on the event loop); the other reads may query
and belong in a worker thread. No Reflex imports.
"""

import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import chain
from typing import Generic, TypeVar

import orjson
from sqlalchemy import event, orm
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from cruddur.services.activities import CrudView, FeedPage, home_feed, liked_among
from cruddur.services.clock import utcnow
from cruddur.services.profiles import SUGGESTIONS, ProfileView, newest_profiles

MAX_AGE = timedelta(seconds=1)
MAX_VIEWERS = 1024  # kept per page (each up to a page of JSON); past this, served but not kept
_WATCHED_TABLES = frozenset({"activities", "likes", "profiles"})


def feed_json(page: FeedPage) -> bytes:
    """A feed page as the API sends it (the same fields as `FeedPage`, in order)."""
    return orjson.dumps(page)


@dataclass(eq=False)
class _Entry:
    engine: Engine | Connection  # what the session was bound to
    read_at: datetime
    valid_until: datetime


@dataclass(eq=False)
class _PageEntry(_Entry):
    page: FeedPage  # the public page (nothing liked); never handed out, only copied
    uuids: list[uuid.UUID]  # every crud and reply shown
    body: bytes
    viewers: dict[str, tuple[frozenset[str], bytes]] = field(default_factory=dict)  # sub -> (liked, body)


@dataclass(eq=False)
class _ProfilesEntry(_Entry):
    newest: list[tuple[str, ProfileView]]  # (sub, profile), newest first; never handed out, only copied


E = TypeVar("E", bound=_Entry)


class _Kept(Generic[E]):
    """One entry, kept for at most `max_age` and dropped by any write (see the module's docstring)."""

    def __init__(self, clock: Callable[[], datetime], max_age: timedelta):
        self.clock, self.max_age = clock, max_age
        self._entry: E | None = None
        self._generation = 0  # moves on every invalidation
        self._lock = threading.Lock()  # guards _entry, _generation and entries' `viewers`
        self._reading = threading.Lock()  # one reader refills the entry; the rest wait for it
        _caches.add(self)

    @property
    def generation(self) -> int:
        """Moves at every invalidation: a read begun under an older one may predate a write."""
        return self._generation

    def invalidate(self) -> None:
        """Forget the cached entry (called after any committed write in this process)."""
        with self._lock:
            self._generation += 1
            self._entry = None

    def _valid(self, engine: Engine | Connection) -> E | None:
        entry = self._entry
        if entry is None or entry.engine is not engine:
            return None
        now = self.clock()
        # A clock that went back is not trusted to measure the entry's age.
        return entry if entry.read_at <= now < entry.valid_until else None

    def _current(self, session: Session, read: Callable[[Session, Engine | Connection, datetime], E]) -> E:
        """The valid entry, or one `read` now (kept unless a write committed meanwhile)."""
        engine = session.get_bind()
        entry = self._valid(engine)
        if entry is not None:
            return entry
        with self._reading:  # when the entry runs out, one reader refills it, not every caller
            entry = self._valid(engine)
            if entry is not None:
                return entry
            generation = self._generation
            entry = read(session, engine, self.clock())
            with self._lock:
                if self._generation == generation:  # no write committed while we read
                    self._entry = entry
            return entry


class HomeFeedCache(_Kept[_PageEntry]):
    """The first page of the home feed, kept for at most `max_age` (see the module's docstring)."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_AGE,
        max_viewers: int = MAX_VIEWERS,
    ):
        super().__init__(clock, max_age)
        self.max_viewers = max_viewers

    # -- reading ---------------------------------------------------------------------------------

    def peek_body(self, engine: Engine | Connection, viewer_sub: str | None) -> bytes | None:
        """The page's JSON for this viewer if it is cached and still valid; never queries."""
        entry = self._valid(engine)
        if entry is None:
            return None
        if viewer_sub is None:
            return entry.body
        kept = entry.viewers.get(viewer_sub)
        return kept[1] if kept is not None else None

    def body(self, session: Session, viewer_sub: str | None) -> bytes:
        """The page's JSON for this viewer, reading what is not cached (in a worker thread)."""
        entry = self._current(session, self._read)
        if viewer_sub is None:
            return entry.body
        return self._viewer(session, entry, viewer_sub)[1]

    def page(self, session: Session, viewer_sub: str | None) -> FeedPage:
        """The page for this viewer as fresh `FeedPage` objects the caller may keep or change."""
        entry = self._current(session, self._read)
        liked = self._viewer(session, entry, viewer_sub)[0] if viewer_sub is not None else frozenset()
        return _with_likes(entry.page, liked)  # new objects, whether or not anything is liked

    # -- inside --------------------------------------------------------------------------------

    def _read(self, session: Session, engine: Engine | Connection, now: datetime) -> _PageEntry:
        page = home_feed(session, now=now)
        shown = list(chain.from_iterable([crud, *crud.replies] for crud in page.cruds))
        earliest = min((datetime.fromisoformat(crud.expires_at) for crud in shown), default=None)
        valid_until = now + self.max_age if earliest is None else min(now + self.max_age, earliest)
        uuids = [uuid.UUID(crud.uuid) for crud in shown]
        return _PageEntry(engine, now, valid_until, page, uuids, feed_json(page))

    def _viewer(self, session: Session, entry: _PageEntry, sub: str) -> tuple[frozenset[str], bytes]:
        kept = entry.viewers.get(sub)
        if kept is not None:
            return kept
        liked = liked_among(session, sub, entry.uuids)
        kept = liked, feed_json(_with_likes(entry.page, liked)) if liked else entry.body
        with self._lock:
            # Kept only on the page that is still current. A write since then (this viewer's
            # like, say) has dropped that page, and these likes may predate the write.
            if self._entry is entry and len(entry.viewers) < self.max_viewers:
                entry.viewers[sub] = kept
        return kept


class NewestProfilesCache(_Kept[_ProfilesEntry]):
    """The newest profiles, so that suggesting whom to follow costs no query per page load."""

    def __init__(self, *, clock: Callable[[], datetime] = utcnow, max_age: timedelta = MAX_AGE):
        super().__init__(clock, max_age)

    def suggested(self, session: Session, exclude_sub: str) -> list[ProfileView]:
        """`SUGGESTIONS` people to follow: the newest profiles other than the viewer's own."""
        newest = self._current(session, self._read).newest
        return [replace(profile) for sub, profile in newest if sub != exclude_sub][:SUGGESTIONS]

    def _read(self, session: Session, engine: Engine | Connection, now: datetime) -> _ProfilesEntry:
        # One more than is shown: the viewer may be among them.
        return _ProfilesEntry(engine, now, now + self.max_age, newest_profiles(session, SUGGESTIONS + 1))


def _with_likes(page: FeedPage, liked: frozenset[str]) -> FeedPage:
    def mark(crud: CrudView) -> CrudView:
        return replace(crud, liked=crud.uuid in liked, replies=[mark(r) for r in crud.replies])

    return FeedPage(cruds=[mark(crud) for crud in page.cruds], next_cursor=page.next_cursor)


# -- invalidation: any committed write to the feed's tables, through any ORM session -------------

_caches: "weakref.WeakSet[_Kept]" = weakref.WeakSet()
_WROTE = "cruddur.feed_cache.wrote"


def invalidate_all() -> None:
    for cache in list(_caches):
        cache.invalidate()


@event.listens_for(orm.Session, "do_orm_execute")
def _note_statement(state: orm.ORMExecuteState) -> None:
    # Bulk INSERT/UPDATE/DELETE statements (a like, a reply's count) run through here.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _WATCHED_TABLES or table is None:
            state.session.info[_WROTE] = True


@event.listens_for(orm.Session, "after_flush")
def _note_flush(session: orm.Session, _context) -> None:
    # Objects added, changed or deleted (a new crud, a like row, a profile).
    for obj in chain(session.new, session.dirty, session.deleted):
        table = getattr(type(obj), "__tablename__", None)
        if table in _WATCHED_TABLES or table is None:
            session.info[_WROTE] = True
            return


@event.listens_for(orm.Session, "after_commit")
def _invalidate_after_commit(session: orm.Session) -> None:
    # After the commit, not before: a page read in between would otherwise outlive the write.
    # (A flag left by a rolled-back transaction only costs one extra refill.)
    if session.info.pop(_WROTE, False):
        invalidate_all()


home_cache = HomeFeedCache()
"""The process's home page, shared by the REST API and the Reflex app."""
newest_profiles_cache = NewestProfilesCache()
"""The process's newest profiles, for the Reflex app's suggestions."""
