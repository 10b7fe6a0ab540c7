"""The app's database (SQLite file by default, PostgreSQL by URL): one engine per `Database`,
built where the app starts and handed on."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from cruddur.settings import Settings

T = TypeVar("T")

# SQLAlchemy's default pool keeps 5 SQLite connections: with more threads reading at once, each
# connection beyond 5 is closed when its thread returns it and opened again (with `_tune_sqlite`)
# by the next, measured at 4% of a busy worker (bench/bench_websocket.py). A pool as large as the
# threads that read keeps them all; a SQLite connection is a file handle and a small page cache.
SQLITE_SPARE_CONNECTIONS = 10  # beyond `threads`, for any other thread, opened and closed as before


class Database:
    def __init__(self, url: str, data_dir: Path | None = None, *, threads: int = 5):
        """`threads`: how many threads may read at once (the SQLite pool keeps that many)."""
        self.url = url
        if url.startswith("sqlite"):
            if data_dir is not None:
                data_dir.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(
                url,
                connect_args={"check_same_thread": False, "timeout": 30},
                pool_size=threads,
                max_overflow=SQLITE_SPARE_CONNECTIONS,
            )
            event.listen(self.engine, "connect", _tune_sqlite)
        else:
            # A database that is down or unreachable fails a request within seconds instead of
            # hanging it: connecting gives up after 5 s, waiting for a pooled connection after 10 s.
            self.engine = create_engine(url, pool_pre_ping=True, pool_timeout=10, connect_args={"connect_timeout": 5})

    @classmethod
    def from_settings(cls, settings: Settings, *, threads: int = 5) -> "Database":
        return cls(settings.resolved_database_url, settings.data_dir, threads=threads)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def run(self, work: Callable[..., T], *args, **kwargs) -> T:
        """`work(session, *args, **kwargs)` with a session of its own. Blocking: call from a thread."""
        with self.session() as session:
            return work(session, *args, **kwargs)

    def dispose(self) -> None:
        self.engine.dispose()


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the feed read while a write commits; foreign keys are off in SQLite by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
