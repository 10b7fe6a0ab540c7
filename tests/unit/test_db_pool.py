"""The SQLite pool keeps a connection for every thread that reads at once, so a busy process
does not close and reopen connections (each new one is tuned again) as threads come and go."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text

from cruddur.db import Database


def test_a_pool_as_large_as_its_readers_opens_each_connection_once(tmp_path):
    threads = 12
    database = Database(f"sqlite:///{tmp_path / 'pool.db'}", tmp_path, threads=threads)
    opened = []
    event.listen(database.engine, "connect", lambda *_: opened.append(1))
    all_in = threading.Barrier(threads)

    def read(_):
        with database.session() as session:
            session.execute(text("SELECT 1"))
            all_in.wait(timeout=10)  # every thread holds a connection at once

    try:
        with ThreadPoolExecutor(threads) as pool:
            for _ in range(3):
                list(pool.map(read, range(threads)))
    finally:
        database.dispose()
    assert len(opened) == threads
