"""Home feed cost over 10,000 stored cruds: the service query and the state handler round trip.

Prints medians, and ratios against the floor measured in the same run: the same 20-row page
read with one raw SQL statement. Run: `python bench/bench_feed.py` (uses a throwaway data dir).
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Reflex lets a state object be built directly only under a test runner; this script is one.
os.environ["PYTEST_CURRENT_TEST"] = "bench_feed"

from sqlalchemy import text

from cruddur import runtime
from cruddur.manage import migrate
from cruddur.models import Activity, Profile
from cruddur.services.activities import home_feed
from cruddur.services.clock import utcnow
from cruddur.settings import load_settings
from cruddur.state.feed import FeedState
from tests.support.appserver import free_port
from tests.support.tabs import Tab

ROWS, RUNS = 10_000, 200


def bench_settings():
    """A throwaway data dir, and a user pool that is never reached: the feed is read signed out."""
    return load_settings(
        data_dir=Path(tempfile.mkdtemp(prefix="cruddur-bench-")),
        cognito_user_pool_id="us-east-1_Bench0000",
        cognito_app_client_id="benchclient0000000000000000",
        cognito_endpoint_url=f"http://127.0.0.1:{free_port()}",
    )


def fill() -> None:
    now = utcnow()
    with runtime.current().database.session() as session:
        authors = [Profile(sub=f"s{i}", handle=f"user{i}", display_name=f"User {i}", created_at=now) for i in range(50)]
        session.add_all(authors)
        session.flush()
        session.add_all(
            Activity(
                author_sub=authors[i % 50].sub,
                message=f"crud number {i}",
                created_at=now - timedelta(seconds=i),
                # every tenth crud has expired, so the query must filter as it pages
                expires_at=now + timedelta(days=-1 if i % 10 == 0 else 7),
            )
            for i in range(ROWS)
        )
        session.commit()


def median_ms(fn) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


RAW = text(
    "SELECT a.uuid, a.message, a.created_at, p.handle, p.display_name FROM activities a "
    "JOIN profiles p ON p.sub = a.author_sub WHERE a.reply_to IS NULL AND a.expires_at > :now "
    "ORDER BY a.created_at DESC, a.uuid DESC LIMIT 20"
)


def raw_page() -> None:
    with runtime.current().database.engine.connect() as conn:
        assert len(conn.execute(RAW, {"now": utcnow()}).all()) == 20


def service_page() -> None:
    with runtime.current().database.session() as session:
        assert len(home_feed(session).cruds) == 20


async def handler_median_ms() -> float:
    """The handler as Reflex runs it: on an event loop, the session check and the query in
    worker threads (a signed-out tab: no session to resume)."""
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        tab = Tab("/")
        await tab.run(FeedState.load_home)
        samples.append((time.perf_counter() - start) * 1000)
        assert len(tab.state(FeedState).cruds) == 20
    return statistics.median(samples)


def main() -> None:
    settings = bench_settings()
    migrate(settings)
    runtime.start(settings)
    fill()
    floor = median_ms(raw_page)
    service = median_ms(service_page)
    handler = asyncio.run(handler_median_ms())
    print(f"home feed, 20 of {ROWS:,} cruds, median of {RUNS} runs")
    print(f"  raw SQL page (floor)          {floor:7.3f} ms   1.00x")
    print(f"  services.home_feed            {service:7.3f} ms   {service / floor:4.2f}x")
    print(f"  FeedState.load_home handler   {handler:7.3f} ms   {handler / floor:4.2f}x")
    runtime.stop()


if __name__ == "__main__":
    main()
