"""Scale-out fixtures: a scratch PostgreSQL database, a Redis logical database of our own, the
identity provider and backend workers as processes on loopback, and people who use them
through socket tabs (`tests/support/socket_tab.py`).

Nothing here skips: a missing PostgreSQL or Redis fails the test. Every process, database and
Redis key made here is gone afterwards (the Redis database is emptied; it was empty when taken).
"""

import asyncio
import secrets
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.services.conftest import alembic_upgrade, scratch_postgres_database
from tests.support import socket_actions
from tests.support.appserver import AppDidNotStart, Backend, app_env, free_port
from tests.support.identity_provider import StandaloneProvider
from tests.support.socket_tab import Tab

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


class Provider(Enum):
    """Where the workers' identity provider runs."""

    EMBEDDED = "embedded"  # in the first worker, the others attach (the one-machine default)
    STANDALONE = "standalone"  # its own process on the shared data dir and port; workers attach
    USER_POOL = "user pool"  # its own process, configured as the app's user pool (COGNITO_*)


@dataclass
class Cluster:
    """Backends sharing one Redis, one PostgreSQL and one data dir, as several machines would."""

    env: dict[str, str]
    data_dir: Path
    database_url: str
    redis_url: str
    provider: StandaloneProvider | None  # None: the embedded provider, hosted by the first worker
    backends: list[Backend] = field(default_factory=list)

    @property
    def mailbox_url(self) -> str:
        return (
            self.provider.mailbox_url
            if self.provider
            else f"http://127.0.0.1:{self.env['LOCAL_COGNITO_PORT']}/_mailbox"
        )

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
def cluster(tmp_path: Path, *, provider: Provider, workers: int = 2, **extra_env: str) -> Iterator[Cluster]:
    data_dir = tmp_path / "data"
    with ExitStack() as stack:
        database_url = stack.enter_context(migrated_postgres_database())
        redis_url = stack.enter_context(scratch_redis_database())
        port = free_port()
        standalone = None
        if provider is not Provider.EMBEDDED:
            own_dir = provider is Provider.USER_POOL
            standalone = StandaloneProvider(
                tmp_path / "cognito" if own_dir else data_dir, tmp_path / "localcognito.log", None if own_dir else port
            )
            try:
                standalone.start()
            except RuntimeError as failure:
                pytest.fail(str(failure))
            stack.callback(standalone.stop)
            if own_dir:
                extra_env = standalone.app_env() | extra_env
        env = app_env(
            data_dir,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            LOCAL_COGNITO_PORT=str(port),
            REFLEX_STATES_WORKDIR=str(tmp_path / "states"),
            **extra_env,
        )
        running = Cluster(env, data_dir, database_url, redis_url, standalone)
        stack.callback(lambda: [backend.stop() for backend in running.backends])
        names = ["A", "B"][:workers] if workers <= 2 else [str(n) for n in range(workers)]
        if provider is Provider.EMBEDDED:
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


async def sign_up(tab: Tab, backend_url: str, mailbox_url: str, person: Person) -> None:
    """Sign-up and e-mail confirmation through the app's own forms, ending on /signin."""
    await socket_actions.sign_up(
        tab, backend_url, mailbox_url, name=person.name, email=person.email, handle=person.handle, password=PASSWORD
    )


async def sign_in(tab: Tab, person: Person) -> None:
    """Signs in on the tab's backend (the browser adopts the session cookie), then home."""
    if tab.path != "/signin":
        await socket_actions.go(tab, "/signin")
    outcome = await socket_actions.sign_in(tab, person.email, PASSWORD)
    assert outcome.ok, f"sign-in refused: {outcome} {tab.brief()}"
    assert tab.redirects[-1] == "/"
    await socket_actions.go(tab, "/")
    assert socket_actions.signed_in(tab), tab.brief()
