"""Migrations build the schema from nothing and carry existing data forward, on both backends."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import cruddur.models  # noqa: F401  (registers every table on SQLModel.metadata)
from cruddur.db import Database
from tests.services.conftest import BACKENDS, alembic_config, alembic_upgrade, scratch_postgres_database

FIRST_REVISION = "d878f77eb847"


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path) -> Iterator[Engine]:
    """The app's own engine (so SQLite has its foreign keys on) on an empty database."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path)
        yield database.engine
        database.dispose()
    else:
        with scratch_postgres_database() as url:
            database = Database(url)
            yield database.engine
            database.dispose()


def head_revision() -> str:
    config = alembic_config(None)
    return ScriptDirectory.from_config(config).get_current_head()


def test_there_is_one_head_and_the_first_revision_is_its_ancestor():
    script = ScriptDirectory.from_config(alembic_config(None))
    assert len(script.get_heads()) == 1
    assert FIRST_REVISION in {rev.revision for rev in script.walk_revisions()}


def test_migrations_build_every_table_on_an_empty_database(empty_engine):
    alembic_upgrade(empty_engine)
    names = set(inspect(empty_engine).get_table_names())
    assert {"profiles", "activities", "likes", "alembic_version"} <= names
    indexes = {ix["name"] for ix in inspect(empty_engine).get_indexes("activities")}
    assert "ix_activities_author_feed" in indexes
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()


def test_upgrading_from_the_first_revision_keeps_existing_cruds(empty_engine):
    alembic_upgrade(empty_engine, FIRST_REVISION)
    crud_id = uuid.uuid4()
    now = datetime.now(UTC).replace(tzinfo=None)
    with empty_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO profiles (sub, handle, display_name, created_at) VALUES ('s1', 'ada', 'Ada', :now)"),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO activities (uuid, author_sub, message, created_at, expires_at, likes_count,"
                " replies_count, reposts_count) VALUES (:id, 's1', 'survives', :now, :later, 3, 0, 0)"
            ),
            {
                "id": crud_id.hex if empty_engine.dialect.name == "sqlite" else crud_id,
                "now": now,
                "later": now + timedelta(days=1),
            },
        )
    alembic_upgrade(empty_engine)
    with empty_engine.begin() as conn:
        row = conn.execute(text("SELECT message, likes_count FROM activities")).one()
        assert tuple(row) == ("survives", 3)
        conn.execute(
            text("INSERT INTO likes (crud_uuid, sub, created_at) VALUES (:id, 's1', :now)"),
            {"id": crud_id.hex if empty_engine.dialect.name == "sqlite" else crud_id, "now": now},
        )
        assert conn.execute(text("SELECT count(*) FROM likes")).scalar() == 1


def test_the_new_revision_downgrades_and_upgrades_again(empty_engine):
    alembic_upgrade(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), FIRST_REVISION)
    assert "likes" not in inspect(empty_engine).get_table_names()
    alembic_upgrade(empty_engine)
    assert "likes" in inspect(empty_engine).get_table_names()


def test_migrations_match_the_models(empty_engine):
    """No change to these models is left without a migration: autogenerate finds nothing to do."""
    ours = MetaData()
    for table in SQLModel.metadata.tables.values():  # every table of cruddur.models
        table.to_metadata(ours)

    def only_ours(obj, name, kind, _reflected, _compare_to) -> bool:
        table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in ours.tables

    alembic_upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": only_ours})
        assert compare_metadata(context, ours) == []


def test_upgrading_makes_handles_canonical_and_ends_the_sessions_it_cannot_seal(empty_engine):
    alembic_upgrade(empty_engine, "4a02f1873981")
    now = datetime.now(UTC).replace(tzinfo=None)
    with empty_engine.begin() as conn:
        for sub, handle, minutes in (("s1", "Ada", 3), ("s2", "ada", 2), ("s3", "Bob", 1)):
            conn.execute(
                text("INSERT INTO profiles (sub, handle, display_name, created_at) VALUES (:sub, :h, 'x', :at)"),
                {"sub": sub, "h": handle, "at": now - timedelta(minutes=minutes)},
            )
        conn.execute(
            text(
                "INSERT INTO auth_sessions (handle_hash, sub, access_token, id_token, refresh_token,"
                " access_expires_at, created_at) VALUES ('h', 's1', 'eyJa.b.c', 'eyJa.b.c', 'r', :now, :now)"
            ),
            {"now": now},
        )
    alembic_upgrade(empty_engine)
    with empty_engine.connect() as conn:
        handles = dict(conn.execute(text("SELECT sub, handle FROM profiles")).all())
        assert handles == {"s1": "ada", "s2": "ada_2", "s3": "bob"}
        assert conn.execute(text("SELECT count(*) FROM auth_sessions")).scalar() == 0
