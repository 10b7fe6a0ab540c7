"""Faults under write load, through the REST API with a real access token:
a backend killed with SIGKILL in the middle of 200 concurrent posts, and PostgreSQL dropping
every connection (and refusing new ones for a while) under load."""

import asyncio
import secrets
import time
from collections import Counter
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.scale.conftest import ORIGIN, PASSWORD, Person, Provider, cluster, new_person, sign_in, sign_up
from tests.services.conftest import PG_SERVER
from tests.support.socket_tab import Browser

POSTS = 200
KILL_AFTER = 40  # acknowledged posts before the SIGKILL
CLIENT_TIMEOUT_S = 20.0  # any request slower than this is a hang


@pytest.fixture
def api(tmp_path):
    """One backend on PostgreSQL + Redis, the identity provider standalone, one person signed up."""
    with cluster(tmp_path, provider=Provider.STANDALONE, workers=1, ALLOWED_ORIGINS=ORIGIN) as running:
        yield running


async def signed_up_person(running) -> Person:
    browser, person = Browser(ORIGIN), new_person()
    tab = browser.tab()
    await sign_up(tab, running.backends[0].url, running.mailbox_url, person)
    await sign_in(tab, person)  # the app makes the person's profile at sign-in
    await browser.close()
    return person


def access_token(running, person: Person) -> str:
    return running.provider.access_token(person.email, PASSWORD)


def stored(database_url: str, prefix: str) -> Counter:
    """How many times each (message, uuid) with this prefix is in the database."""
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT message, uuid::text FROM activities WHERE message LIKE :p"), {"p": prefix + "%"}
        ).all()
    engine.dispose()
    return Counter((message, uuid) for message, uuid in rows)


@contextmanager
def slow_inserts(database_url: str, seconds: float):
    """Every insert into activities takes `seconds` longer, as on a busy or distant database:
    200 posts then take long enough for a kill to land in the middle of them."""
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(
            text(f"""
            CREATE FUNCTION scale_test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN PERFORM pg_sleep({seconds}); RETURN NEW; END $$;
            CREATE TRIGGER scale_test_slow_insert BEFORE INSERT ON activities
                FOR EACH ROW EXECUTE FUNCTION scale_test_slow_insert();
        """)
        )
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DROP TRIGGER scale_test_slow_insert ON activities; DROP FUNCTION scale_test_slow_insert();")
            )
        engine.dispose()


def assert_each_acknowledged_once(database_url: str, prefix: str, acknowledged: dict[str, str]) -> None:
    rows = stored(database_url, prefix)
    per_message = Counter(message for message, _ in rows.elements())
    assert max(per_message.values(), default=1) == 1, "a crud was stored twice"
    missing = {m: u for m, u in acknowledged.items() if rows[(m, u)] != 1}
    assert not missing, f"{len(missing)} acknowledged cruds are not stored exactly once"


async def test_a_backend_killed_during_200_concurrent_posts_keeps_every_acknowledged_crud(api):
    backend = api.backends[0]
    person = await signed_up_person(api)
    auth = {"Authorization": "Bearer " + access_token(api, person)}
    prefix = f"load {secrets.token_hex(3)} #"
    acknowledged: dict[str, str] = {}
    refused: list[tuple[str, object]] = []
    killed = False

    limits = httpx.Limits(max_connections=POSTS, max_keepalive_connections=0)
    client = httpx.AsyncClient(base_url=backend.url, headers=auth, timeout=CLIENT_TIMEOUT_S, limits=limits)

    async def post(message: str) -> None:
        nonlocal killed
        try:
            answer = await client.post("/api/activities", json={"message": message, "ttl": "1d"})
        except httpx.TransportError as error:
            refused.append((message, type(error).__name__))
            return
        if answer.status_code != 201:
            refused.append((message, answer.status_code))
            return
        acknowledged[message] = answer.json()["uuid"]
        if len(acknowledged) >= KILL_AFTER and not killed:
            killed = True
            backend.kill()

    with slow_inserts(api.database_url, 0.1):
        async with client:
            started = time.monotonic()
            await asyncio.gather(*(post(f"{prefix}{n:03d}") for n in range(POSTS)))
            elapsed = time.monotonic() - started

    assert killed
    assert KILL_AFTER <= len(acknowledged) < POSTS, "the kill must land in the middle of the load"
    assert len(acknowledged) + len(refused) == POSTS
    assert all(isinstance(why, str) for _, why in refused), f"answered errors before the kill: {refused[:5]}"
    assert elapsed < CLIENT_TIMEOUT_S

    backend.start()  # the restart: same port, same database
    assert_each_acknowledged_once(api.database_url, prefix, acknowledged)
    # ... and the restarted backend serves them, and takes new posts.
    served, cursor = set(), None
    async with httpx.AsyncClient(base_url=backend.url, headers=auth, timeout=CLIENT_TIMEOUT_S) as client:
        while True:
            page = (
                await client.get(f"/api/activities/@{person.handle}", params={"cursor": cursor} if cursor else {})
            ).json()
            served |= {crud["uuid"] for crud in page["cruds"]}
            if not (cursor := page.get("next_cursor")):
                break
        assert set(acknowledged.values()) <= served
        after = await client.post("/api/activities", json={"message": prefix + "after restart", "ttl": "1d"})
        assert after.status_code == 201
    print(f"\n{len(acknowledged)} of {POSTS} posts acknowledged before the kill, {len(refused)} cut off")


# -- the database goes away under load ----------------------------------------------------------


@contextmanager
def admin():
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def drop_connections(conn, database: str) -> int:
    return len(
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": database},
        ).all()
    )


async def test_requests_fail_cleanly_while_the_database_is_away_and_recover_without_restart(api):
    backend = api.backends[0]
    person = await signed_up_person(api)
    auth = {"Authorization": "Bearer " + access_token(api, person)}
    database = api.database_url.rsplit("/", 1)[1]
    prefix = f"chaos {secrets.token_hex(3)} #"
    acknowledged: dict[str, str] = {}
    answers: list[tuple[str, int, float, dict | None, dict]] = []  # (what, status, seconds, body, headers)
    chaos_over = asyncio.Event()
    dropped = 0

    async def chaos() -> None:
        nonlocal dropped
        try:
            with admin() as conn:
                # A flapping database: every connection dropped, five times a second ...
                for _ in range(12):
                    dropped += drop_connections(conn, database)
                    await asyncio.sleep(0.2)
                # ... then down for two seconds: nobody may connect.
                conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
                try:
                    dropped += drop_connections(conn, database)
                    await asyncio.sleep(2.0)
                finally:
                    conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        finally:
            chaos_over.set()

    async def client_loop(client: httpx.AsyncClient, worker: int) -> None:
        n = 0
        while not chaos_over.is_set():
            n += 1
            message = f"{prefix}{worker:02d}-{n:04d}"
            for what, call in (
                (
                    "post",
                    lambda message=message: client.post("/api/activities", json={"message": message, "ttl": "1d"}),
                ),
                ("home", lambda: client.get("/api/activities/home")),
                ("health", lambda: client.get("/api/health")),
            ):
                started = time.monotonic()
                answer = await call()
                body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else None
                answers.append((what, answer.status_code, time.monotonic() - started, body, dict(answer.headers)))
                if what == "post" and answer.status_code == 201:
                    acknowledged[message] = body["uuid"]

    async with httpx.AsyncClient(base_url=backend.url, headers=auth, timeout=CLIENT_TIMEOUT_S) as client:
        await asyncio.gather(chaos(), *(client_loop(client, w) for w in range(12)))

        # Straight afterwards, without a restart: everything works again.
        recovered_in = time.monotonic()
        for n in range(10):
            message = f"{prefix}after-{n}"
            answer = await client.post("/api/activities", json={"message": message, "ttl": "1d"})
            assert answer.status_code == 201, (answer.status_code, answer.text)
            acknowledged[message] = answer.json()["uuid"]
        assert (await client.get("/api/health")).json() == {"status": "ok"}
        recovered_in = time.monotonic() - recovered_in

    statuses = Counter((what, status) for what, status, *_ in answers)
    print(f"\n{dropped} connections dropped; answers: {dict(statuses)}; recovered in {recovered_in:.2f}s")
    assert dropped > 0
    unexpected = [(w, s, b) for w, s, _, b, _ in answers if s not in (200, 201, 503)]
    assert not unexpected, f"answers other than success or 503: {unexpected[:5]}"
    unavailable = [(b, h) for _, s, _, b, h in answers if s == 503]
    assert unavailable, "the outage was never seen: the test proved nothing"
    assert all(b and b["error"] == "unavailable" and h.get("retry-after") for b, h in unavailable)
    assert statuses[("post", 201)] > 0
    assert max(seconds for _, _, seconds, _, _ in answers) < 10, "a request hung"
    assert recovered_in < 5
    assert_each_acknowledged_once(api.database_url, prefix, acknowledged)
