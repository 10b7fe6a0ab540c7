"""Alembic environment: the app's own engine and SQLModel metadata, nothing else."""

from alembic import context
from sqlmodel import SQLModel

import cruddur.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from cruddur.db import Database
from cruddur.settings import load_settings


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        database = Database.from_settings(load_settings())
        with database.engine.begin() as connection:
            _run(connection)
        database.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
