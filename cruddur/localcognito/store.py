"""The SQLite file: WAL, a busy timeout, and write transactions that take the lock up front
(BEGIN IMMEDIATE), so concurrent requests and several processes never deadlock on an upgrade."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine, select

from .errors import CognitoError
from .models import LocalCognitoBase, Setting
from .upgrade import add_missing_columns

BUSY_TIMEOUT_SECONDS = 30


def _engine(path: Path, begin: str) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
        pool_size=8,
        max_overflow=32,
        # Rows hold mailbox codes: keep bound values out of SQL logs (sqlalchemy.engine at INFO)
        # and out of the messages of database errors, which end up in tracebacks.
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(begin)

    return engine


class Store:
    def __init__(self, data_dir: Path):
        data_dir = Path(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "localcognito.db"
        self._writer = _engine(self.path, "BEGIN IMMEDIATE")
        self._reader = _engine(self.path, "BEGIN")
        LocalCognitoBase.metadata.create_all(self._writer)
        add_missing_columns(self._writer, LocalCognitoBase.metadata)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that holds the write lock from its first statement.

        It commits on success and also when a CognitoError (a client error) leaves the block, so
        what a handler records before refusing — a failed code or password attempt — is kept.
        Any other exception rolls back.
        """
        with Session(self._writer, expire_on_commit=False) as session:
            session.begin()
            try:
                yield session
            except CognitoError:
                session.commit()
                raise
            except BaseException:
                session.rollback()
                raise
            session.commit()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self._reader, expire_on_commit=False) as session, session.begin():
            yield session

    def setting(self, name: str, create) -> str:
        """The stored value of `name`, creating it with `create()` the first time (race-safe)."""
        with self.read() as session:
            row = session.get(Setting, name)
            if row is not None:
                return row.value
        with self.write() as session:
            row = session.get(Setting, name)
            if row is None:
                row = Setting(name=name, value=create())
                session.add(row)
            return row.value

    def settings(self) -> dict[str, str]:
        with self.read() as session:
            return {row.name: row.value for row in session.exec(select(Setting))}

    def dispose(self) -> None:
        self._writer.dispose()
        self._reader.dispose()
