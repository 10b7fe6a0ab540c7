"""Alembic environment: the app's own engine and SQLModel metadata, nothing else."""

from alembic import context
from sqlmodel import SQLModel

import cruddur.auth.sessions  # noqa: F401  (these imports register the tables on SQLModel.metadata)
import cruddur.models  # noqa: F401
from cruddur.db import get_engine


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        with get_engine().begin() as connection:
            _run(connection)
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
