"""The SQLModel engine for the app's database (SQLite file by default, PostgreSQL by URL)."""

from functools import lru_cache

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from cruddur.settings import get_settings


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    # A database that is down or unreachable fails a request within seconds instead of hanging
    # it: connecting gives up after 5 s, waiting for a pooled connection after 10 s.
    return create_engine(url, pool_pre_ping=True, pool_timeout=10, connect_args={"connect_timeout": 5})


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the feed read while a write commits; foreign keys are off in SQLite by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def in_session(work, *args, **kwargs):
    """`work(session, *args, **kwargs)` with a session of its own. Blocking: call from a thread."""
    with new_session() as session:
        return work(session, *args, **kwargs)
