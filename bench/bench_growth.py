"""Issue 16, goal 6: does the database stay fast as it grows? On PostgreSQL (127.0.0.1:5432, a
scratch database dropped afterwards):

1. Small: 10,000 people, 1,000 cruds. The measured person (`sub-0`) has 60 live cruds with 30
   replies and 30 likes from others, in both phases, so each query returns the same rows.
2. Grown: 1,000,000 cruds around them (half expired, a tenth with a reply, a fifth liked),
   10,000 live and 10,000 ended sessions.

For each of the home feed (signed in), a profile feed and the notifications it prints the
median over many calls in both phases and the ratio (goal: ≤ 1.5×), and the grown phase's plans
(goal: they use the indexes). Then it purges everything that ended, in the backend's bounded
batches, while another connection reads the home feed: it prints the feed's p50/p99 during the
purge next to its p50/p99 before, the batches and how long the whole purge took.

    python bench/bench_growth.py [--cruds 1000000] [--calls 300]
"""

import argparse
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text

from cruddur.auth.session_policy import SessionPolicy
from cruddur.db import Database
from cruddur.manage import migrate
from cruddur.services.activities import home_feed, profile_feed
from cruddur.services.clock import utcnow
from cruddur.services.notifications import notifications
from cruddur.services.purge import purge_expired_cruds
from cruddur.services.revocations import Revocations
from cruddur.services.sessions import SessionStore
from cruddur.settings import load_settings
from tests.services.conftest import scratch_postgres_database  # the tests' scratch database, dropped after

PEOPLE = 10_000
ME, MY_HANDLE = "sub-0", "person0"


# Rows made by the server itself (generate_series): a million in seconds, not hours of ORM inserts.
PEOPLE_SQL = """
INSERT INTO profiles (sub, handle, display_name, bio, created_at)
SELECT 'sub-' || i, 'person' || i, 'Person ' || i, '', now() - interval '60 days'
FROM generate_series(0, :people - 1) AS i"""
# The measured person's own cruds, replies to them and likes of them: the same in both phases.
MINE_SQL = """
INSERT INTO activities (uuid, author_sub, message, created_at, expires_at, likes_count, replies_count, reposts_count)
SELECT md5('mine' || i)::uuid, :me, 'my crud ' || i, now() - (i || ' minutes')::interval,
       now() + interval '3 days', 0, 0, 0
FROM generate_series(1, 60) AS i;
INSERT INTO activities (uuid, author_sub, message, created_at, expires_at, reply_to, likes_count, replies_count,
                        reposts_count)
SELECT md5('reply-to-mine' || i)::uuid, 'sub-' || (i + 1), 'a reply', now() - (i || ' seconds')::interval,
       now() + interval '3 days', md5('mine' || i)::uuid, 0, 0, 0
FROM generate_series(1, 30) AS i;
INSERT INTO likes (crud_uuid, sub, created_at)
SELECT md5('mine' || i)::uuid, 'sub-' || (i + 100), now() - (i || ' seconds')::interval
FROM generate_series(1, 30) AS i"""
# Everyone else's cruds: created over the last 30 days, every other one already expired.
OTHERS_SQL = """
INSERT INTO activities (uuid, author_sub, message, created_at, expires_at, likes_count, replies_count, reposts_count)
SELECT md5(:tag || i)::uuid, 'sub-' || (1 + i % (:people - 1)), 'crud ' || i,
       now() - ((i % 2592000) || ' seconds')::interval,
       CASE WHEN i % 2 = 0 THEN now() - interval '1 minute' ELSE now() + interval '30 days' END, 0, 0, 0
FROM generate_series(1, :cruds) AS i;
INSERT INTO activities (uuid, author_sub, message, created_at, expires_at, reply_to, likes_count, replies_count,
                        reposts_count)
SELECT md5(:tag || 'r' || i)::uuid, 'sub-' || (1 + (i * 7) % (:people - 1)), 'reply ' || i,
       now() - ((i % 2592000) || ' seconds')::interval,
       CASE WHEN i % 2 = 0 THEN now() - interval '1 minute' ELSE now() + interval '30 days' END,
       md5(:tag || i)::uuid, 0, 0, 0
FROM generate_series(1, :cruds, 10) AS i;
INSERT INTO likes (crud_uuid, sub, created_at)
SELECT md5(:tag || i)::uuid, 'sub-' || (1 + (i * 13) % (:people - 1)), now()
FROM generate_series(1, :cruds, 5) AS i"""
SESSIONS_SQL = """
INSERT INTO auth_sessions (handle_hash, sub, sealed_tokens, origin_jti, access_expires_at, created_at, last_seen_at,
                           rechecked_at, expires_at, user_agent, address)
SELECT md5('session' || i), 'sub-' || (i % :people), decode(md5('t' || i), 'hex'), md5('j' || i),
       now() + interval '1 hour', now(), now(), now(),
       CASE WHEN i <= :people THEN now() + interval '1 day' ELSE now() - interval '1 minute' END, 'bench', '127.0.0.1'
FROM generate_series(1, 2 * :people) AS i"""


def run_sql(database: Database, sql: str, **params) -> None:
    with database.engine.begin() as conn:
        for statement in sql.split(";"):
            conn.execute(text(statement), params)
        conn.execute(text("ANALYZE"))


QUERIES: dict[str, Callable] = {
    "home feed (signed in)": lambda db, now: home_feed(db, now=now, viewer_sub=ME),
    "profile feed": lambda db, now: profile_feed(db, MY_HANDLE, now=now),
    "notifications": lambda db, now: notifications(db, ME, now=now),
}


def median_ms(database: Database, query: Callable, calls: int) -> float:
    times = []
    with database.session() as db:
        for _ in range(calls):
            now = utcnow()
            start = time.perf_counter()
            query(db, now)
            times.append(time.perf_counter() - start)
            db.rollback()
    return statistics.median(times) * 1000


def plans(database: Database, query: Callable) -> list[str]:
    """EXPLAIN of each SELECT the call runs, with its own parameters."""
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.session() as db:
            query(db, utcnow())
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    found = []
    with database.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for statement, parameters in seen:
            with raw.cursor() as cursor:
                cursor.execute("EXPLAIN " + statement, parameters)
                found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


def feed_latencies(database: Database, until: threading.Event, out: list[float]) -> None:
    with database.session() as db:
        while not until.is_set():
            start = time.perf_counter()
            home_feed(db, now=utcnow(), viewer_sub=ME)
            out.append(time.perf_counter() - start)
            db.rollback()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cruds", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with scratch_postgres_database() as url:
        migrate(load_settings(database_url=url))
        database = Database(url)
        run_sql(database, PEOPLE_SQL, people=PEOPLE)
        run_sql(database, MINE_SQL, me=ME)
        run_sql(database, OTHERS_SQL, tag="small", cruds=1_000 - 90, people=PEOPLE)
        small = {name: median_ms(database, q, args.calls) for name, q in QUERIES.items()}

        started = time.perf_counter()
        run_sql(database, OTHERS_SQL, tag="grown", cruds=args.cruds, people=PEOPLE)
        run_sql(database, SESSIONS_SQL, people=PEOPLE)
        print(f"seeded {args.cruds:,} more cruds and {2 * PEOPLE:,} sessions in {time.perf_counter() - started:.0f} s")
        grown = {name: median_ms(database, q, args.calls) for name, q in QUERIES.items()}

        print(f"\n{'query':<24}{'1k cruds':>12}{'grown':>12}{'ratio':>8}   (goal ≤ 1.5×)")
        for name in QUERIES:
            print(f"{name:<24}{small[name]:>10.2f}ms{grown[name]:>10.2f}ms{grown[name] / small[name]:>7.2f}×")
        for name, query in QUERIES.items():
            print(f"\n-- plans of {name}, grown:")
            for plan in plans(database, query):
                print(plan, end="\n\n")

        before: list[float] = []
        done = threading.Event()
        reader = threading.Thread(target=feed_latencies, args=(database, done, before))
        reader.start()
        time.sleep(5)
        done.set()
        reader.join()

        during: list[float] = []
        done.clear()
        reader = threading.Thread(target=feed_latencies, args=(database, done, during))
        reader.start()
        started, batches, threads = time.perf_counter(), [], 0
        with database.session() as db:
            while True:
                batch_start = time.perf_counter()
                purged = purge_expired_cruds(db)
                if not purged:
                    break
                threads += purged
                batches.append(time.perf_counter() - batch_start)
        sessions = SessionStore(database, SessionPolicy(idle=timedelta(hours=1), lifetime=timedelta(days=1)))
        session_rows = 0
        while purged := sessions.purge():
            session_rows += purged
        Revocations(database).purge()
        took = time.perf_counter() - started
        done.set()
        reader.join()
        print(
            f"purged {threads:,} expired threads in {len(batches)} batches and {session_rows:,} ended sessions "
            f"in {took:.1f} s; a batch: median {statistics.median(batches) * 1000:.0f} ms, "
            f"max {max(batches) * 1000:.0f} ms"
        )
        print(
            f"home feed while purging: p50 {pct(during, 0.5):.2f} ms, p99 {pct(during, 0.99):.2f} ms "
            f"({len(during):,} reads); before: p50 {pct(before, 0.5):.2f} ms, p99 {pct(before, 0.99):.2f} ms"
        )
        database.dispose()


if __name__ == "__main__":
    main()
