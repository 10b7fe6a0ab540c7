"""Forward-only upgrades of a localcognito.db written by an older version. `create_all` creates
missing tables but never changes existing ones, so the columns added since are added here."""

from sqlalchemy import Engine, MetaData
from sqlalchemy.schema import CreateColumn


def add_missing_columns(engine: Engine, metadata: MetaData) -> None:
    """ALTER TABLE … ADD COLUMN for each column of `metadata` the file lacks, and CREATE INDEX for
    the indexes of the columns added (e.g. `lc_user.username`). A new column must be nullable or
    have a server default: the rows already there take it; a unique index on a new column would
    need a null default, which SQLite's UNIQUE allows for any number of rows.

    One write transaction (BEGIN IMMEDIATE on the store's writer) re-reads the tables, so
    processes opening the same file at once upgrade it once.
    """
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            present = {row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table.name}")')}
            added = set()
            for column in table.columns:
                if column.name not in present:
                    spec = CreateColumn(column).compile(dialect=engine.dialect)  # as CREATE TABLE has it
                    connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN {spec}')
                    added.add(column.name)
            for index in table.indexes:
                if added & {column.name for column in index.columns}:
                    index.create(connection, checkfirst=True)
