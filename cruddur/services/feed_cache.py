"""A short-lived, in-process cache of the home feed's first page, as ready JSON.

Everyone's first page is the same list of cruds; only `liked` is personal. So the page is
read once (`home_feed` without a viewer) and kept as data and as JSON bytes; a signed-in
viewer's copy adds their likes, found by key (`likes` leads with `crud_uuid`, so "which of
these did `sub` like" is one small indexed query) and is kept beside the page.

What is served, and for how long:

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

import copy
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import chain

import orjson
from sqlalchemy import event, orm
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from cruddur.services.activities import CrudView, FeedPage, home_feed, liked_among
from cruddur.services.clock import utcnow

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
    page: FeedPage  # the public page (nothing liked); never handed out, only copied
    uuids: list[uuid.UUID]  # every crud and reply shown
    body: bytes
    viewers: dict[str, tuple[frozenset[str], bytes]] = field(default_factory=dict)  # sub -> (liked, body)


class HomeFeedCache:
    """The first page of the home feed, kept for at most `max_age` (see the module's docstring)."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_AGE,
        max_viewers: int = MAX_VIEWERS,
    ):
        self.clock, self.max_age, self.max_viewers = clock, max_age, max_viewers
        self._entry: _Entry | None = None
        self._generation = 0  # moves on every invalidation
        self._lock = threading.Lock()  # guards _entry, _generation and entries' `viewers`
        self._reading = threading.Lock()  # one reader refills the page; the rest wait for it
        _caches.add(self)

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
        entry = self._page_entry(session)
        if viewer_sub is None:
            return entry.body
        return self._viewer(session, entry, viewer_sub)[1]

    def page(self, session: Session, viewer_sub: str | None) -> FeedPage:
        """The page for this viewer as fresh `FeedPage` objects the caller may keep or change."""
        entry = self._page_entry(session)
        liked = self._viewer(session, entry, viewer_sub)[0] if viewer_sub is not None else frozenset()
        return _with_likes(entry.page, liked) if liked else copy.deepcopy(entry.page)

    @property
    def generation(self) -> int:
        """Moves at every invalidation: a read begun under an older one may predate a write."""
        return self._generation

    def invalidate(self) -> None:
        """Forget every cached page (called after any committed write in this process)."""
        with self._lock:
            self._generation += 1
            self._entry = None

    # -- inside --------------------------------------------------------------------------------

    def _valid(self, engine: Engine | Connection) -> _Entry | None:
        entry = self._entry
        if entry is None or entry.engine is not engine:
            return None
        now = self.clock()
        # A clock that went back is not trusted to measure the page's age.
        return entry if entry.read_at <= now < entry.valid_until else None

    def _page_entry(self, session: Session) -> _Entry:
        engine = session.get_bind()
        entry = self._valid(engine)
        if entry is not None:
            return entry
        with self._reading:  # when a page runs out, one reader refills it, not every caller
            entry = self._valid(engine)
            if entry is not None:
                return entry
            generation = self._generation
            now = self.clock()
            page = home_feed(session, now=now)
            shown = list(chain.from_iterable([crud, *crud.replies] for crud in page.cruds))
            earliest = min((datetime.fromisoformat(crud.expires_at) for crud in shown), default=None)
            valid_until = now + self.max_age if earliest is None else min(now + self.max_age, earliest)
            uuids = [uuid.UUID(crud.uuid) for crud in shown]
            entry = _Entry(engine, now, valid_until, page, uuids, feed_json(page))
            with self._lock:
                if self._generation == generation:  # no write committed while we read
                    self._entry = entry
            return entry

    def _viewer(self, session: Session, entry: _Entry, sub: str) -> tuple[frozenset[str], bytes]:
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


def _with_likes(page: FeedPage, liked: frozenset[str]) -> FeedPage:
    def mark(crud: CrudView) -> CrudView:
        return replace(crud, liked=crud.uuid in liked, replies=[mark(r) for r in crud.replies])

    return FeedPage(cruds=[mark(crud) for crud in page.cruds], next_cursor=page.next_cursor)


# -- invalidation: any committed write to the feed's tables, through any ORM session -------------

_caches: "weakref.WeakSet[HomeFeedCache]" = weakref.WeakSet()
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
"""The process's cache, shared by the REST API and (optionally) the Reflex app."""
