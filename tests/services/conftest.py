"""Service tests run on both backends: SQLite (the default) and PostgreSQL on 127.0.0.1:5432.

PostgreSQL gets a uniquely named scratch database for the session, dropped afterwards. Where it
cannot be reached the PostgreSQL cases fail: a skipped backend would pass while proving nothing.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from cruddur.db import Database
from cruddur.manage import ALEMBIC_INI

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
BACKENDS = ["sqlite", "postgresql"]


def require_postgres() -> None:
    try:
        with _admin_engine().connect():
            return
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is unreachable: {exc.orig}")


def _admin_engine() -> Engine:
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its URL and drops it afterwards."""
    require_postgres()
    name = f"cruddur_test_{secrets.token_hex(6)}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def alembic_upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def alembic_config(connection) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    config.attributes["connection"] = connection
    return config


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One migrated scratch database for the session's PostgreSQL cases."""
    with scratch_postgres_database() as url:
        engine = create_engine(url, poolclass=NullPool)
        alembic_upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The backend the database fixture below runs on."""
    return request.param


@pytest.fixture
def database(backend, request) -> Database:
    """The app's database on the parametrised backend, migrated and empty (overrides the
    SQLite-only fixture)."""
    if backend == "sqlite":
        yield request.getfixturevalue("sqlite_database")
        return
    database = Database(request.getfixturevalue("postgres_url"))
    with database.engine.begin() as conn:
        conn.execute(text("TRUNCATE likes, activities, profiles, handle_reservations CASCADE"))
    yield database
    database.dispose()
