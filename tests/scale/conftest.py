"""Scale-out fixtures: a scratch PostgreSQL database, a Redis logical database of our own, the
identity provider and backend workers as processes on loopback.

Nothing here skips: a missing PostgreSQL or Redis fails the test. Every process, database and
Redis key made here is gone afterwards (the Redis database is emptied; it was empty when taken).
"""

import asyncio
import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.scale.tab import AUTH, SESSION, Tab
from tests.services.conftest import alembic_upgrade, scratch_postgres_database
from tests.support.appserver import (
    AppDidNotStart,
    Backend,
    IdentityProvider,
    app_env,
    free_port,
    serve_identity_provider,
)
from tests.support.mailbox import latest_code

REDIS_SERVER = "redis://127.0.0.1:6379"
CLAIM_KEY = "cruddur:scale-tests:claim"
# The public origin of the deployment under test: what a browser on the site sends as Origin.
ORIGIN = "https://cruddur.example"
PASSWORD = "Crud-dur-2026!"


@contextmanager
def scratch_redis_database() -> Iterator[str]:
    """A Redis logical database that was empty, claimed with one key; emptied afterwards.

    Reflex's Redis state manager has no key prefix of its own, but it watches keyspace events
    of the database number in REDIS_URL only, so a database number isolates it completely.
    """
    server = redis.Redis.from_url(f"{REDIS_SERVER}/0")
    try:
        databases = int(server.config_get("databases")["databases"])
    except redis.RedisError as exc:
        pytest.fail(f"Redis on 127.0.0.1:6379 is unreachable: {exc}")
    finally:
        server.close()
    claim = secrets.token_hex(8)
    for number in range(databases - 1, 0, -1):
        db = redis.Redis.from_url(f"{REDIS_SERVER}/{number}")
        if db.dbsize() == 0 and db.set(CLAIM_KEY, claim, nx=True):
            if db.dbsize() == 1:
                break
            db.delete(CLAIM_KEY)  # someone else started using it at the same moment
        db.close()
    else:
        pytest.fail("no empty Redis logical database to run the scale tests in")
    try:
        yield f"{REDIS_SERVER}/{number}"
    finally:
        if db.get(CLAIM_KEY) == claim.encode():
            db.flushdb()
        db.close()


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    with scratch_postgres_database() as url:
        engine = create_engine(url, poolclass=NullPool)
        alembic_upgrade(engine)
        engine.dispose()
        yield url


@dataclass
class Cluster:
    """Backends sharing one Redis, one PostgreSQL and one data dir, as several machines would."""

    env: dict[str, str]
    data_dir: Path
    database_url: str
    redis_url: str
    provider: IdentityProvider | None  # None: the embedded provider, hosted by the first worker
    backends: list[Backend] = field(default_factory=list)

    @property
    def mailbox_url(self) -> str:
        return f"http://127.0.0.1:{self.env['LOCAL_COGNITO_PORT']}/_mailbox"

    async def wait_released(self, tab: Tab, timeout: float = 10.0) -> None:
        """Waits until the worker a tab just left has dropped its record of the tab's socket.

        A browser's reconnect that reaches another worker before that happens is taken for a
        duplicated tab and given a new token (harmless: the tab re-hydrates from the session);
        a test that means to show the same token continuing waits for the release first.
        """
        store = redis.asyncio.Redis.from_url(self.redis_url)
        deadline = time.monotonic() + timeout
        try:
            while await store.exists(f"token_manager_socket_record_{tab.token}"):
                assert time.monotonic() < deadline, "the worker never released the tab's socket"
                await asyncio.sleep(0.02)
        finally:
            await store.aclose()

    def start_backends(self, names: list[str]) -> None:
        """Starts these workers together and waits until each serves."""
        started = [Backend(name, self.env, self.data_dir.parent) for name in names]
        self.backends += started
        try:
            for backend in started:
                backend.launch()
            for backend in started:
                backend.wait_until_serving()
        except AppDidNotStart as failure:
            pytest.fail(str(failure))


@contextmanager
def cluster(tmp_path: Path, *, standalone_provider: bool, workers: int = 2, **extra_env: str) -> Iterator[Cluster]:
    data_dir = tmp_path / "data"
    with ExitStack() as stack:
        database_url = stack.enter_context(migrated_postgres_database())
        redis_url = stack.enter_context(scratch_redis_database())
        provider = None
        port = free_port()
        if standalone_provider:
            try:
                provider = stack.enter_context(serve_identity_provider(data_dir, port))
            except AppDidNotStart as failure:
                pytest.fail(str(failure))
        env = app_env(
            data_dir,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            LOCAL_COGNITO_PORT=str(port),
            REFLEX_STATES_WORKDIR=str(tmp_path / "states"),
            **extra_env,
        )
        running = Cluster(env, data_dir, database_url, redis_url, provider)
        stack.callback(lambda: [backend.stop() for backend in running.backends])
        names = ["A", "B"][:workers] if workers <= 2 else [str(n) for n in range(workers)]
        if provider is None:
            # The first worker starts the embedded provider; the others find its port taken and
            # attach to it.
            running.start_backends(names[:1])
            httpx.get(running.mailbox_url, timeout=10).raise_for_status()
            names = names[1:]
        running.start_backends(names)
        yield running


# -- people ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    handle: str


def new_person() -> Person:
    tag = secrets.token_hex(4)
    return Person(f"Scale {tag}", f"scale.{tag}@example.com", f"scale_{tag}")


async def sign_up(tab: Tab, backend_url: str, mailbox_url: str, person: Person, origin: str = ORIGIN) -> None:
    """Sign-up and e-mail confirmation through the app's own forms (the AuthState handlers)."""
    await tab.connect(backend_url, "/signup", origin=origin)
    form = {"name": person.name, "email": person.email, "handle": person.handle, "password": PASSWORD}
    await tab.send(f"{AUTH}.sign_up", form=form)
    await tab.wait_for(lambda s: "/confirm" in tab.redirects, "redirect to /confirm after sign-up")
    await tab.navigate("/confirm")
    await tab.send(f"{AUTH}.confirm", form={"email": person.email, "code": latest_code(mailbox_url, person.email)})
    await tab.wait_for(lambda s: "/signin" in tab.redirects, "redirect to /signin after confirming")


async def sign_in(tab: Tab, person: Person) -> None:
    await tab.navigate("/signin")
    tab.redirects.clear()
    await tab.send(f"{AUTH}.sign_in", form={"email": person.email, "password": PASSWORD})
    await tab.wait_for(lambda s: tab.redirects or tab.var(AUTH, "error"), "the sign-in to finish")
    assert tab.redirects == ["/"], f"sign-in refused: {tab.brief()}"
    await tab.navigate("/")
    assert tab.var(SESSION, "signed_in") is True, tab.brief()
