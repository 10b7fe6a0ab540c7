"""A hundred people pressing "Sign in" at the same moment, against the README's default set-up.

The app's runtime as `make run` starts it (SQLite in a throwaway data dir, the embedded
provider on its own thread in this process), 100 confirmed accounts, then 100 sign-ins fired at
once through the code a Reflex sign-in handler runs: `accounts.sign_in` then the session
ticket, on the runtime's identity threads (`identity.run`), each from its own client address
(people signing in from one address would meet the per-address brake, as they should).
Prints p50 / p99 / errors / throughput per storm and the median over the storms.

Beside it, measured in the same run on the same cores: the floor, the same number of SRP
exchanges as pure gmpy2 arithmetic (the client's three powers and the server's three), spread
over one process per core — what no sign-in can beat without changing the protocol.

    python bench/bench_signin_storm.py [--people 100] [--storms 3] [--provider-process]

`--provider-process` serves the embedded provider from a process of its own (the same pool
configuration, as `python -m cruddur.localcognito` would for several workers) and the app
attaches to it, as a worker does; without it, the provider shares the app's process and GIL as
`make run` starts it. The script prints its pid before the storms, for `py-spy record --pid`.

With `--redis redis://127.0.0.1:6379/0 --workers 2` it runs the storm from that many worker
processes at once (each its own runtime, sharing the data dir, the provider the first one
serves, and the rate limits in Redis), against one worker, and prints the throughput ratio.
"""

import argparse
import asyncio
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gmpy2 import mpz, powmod  # pyright: ignore[reportAttributeAccessIssue]

from cruddur import runtime
from cruddur.auth.identity import IDENTITY_THREADS
from cruddur.auth.password_policy import DEFAULT_POLICY
from cruddur.embedded_identity import provider_config
from cruddur.localcognito import srp, start_in_thread
from cruddur.manage import migrate
from cruddur.services.sessions import Client
from cruddur.settings import Settings, load_settings
from tests.support.appserver import free_port
from tests.support.mailbox import latest_code

PASSWORD = "Storm-of-2026!"
GOAL_P50_S, GOAL_P99_S = 0.5, 1.0


@dataclass
class Storm:
    latencies: list[float]
    errors: int
    wall: float
    cpu: float  # this process's CPU seconds (every thread) during the storm

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] if ordered else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall


def client_of(n: int) -> Client:
    return Client(f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}", "bench_signin_storm")


def emails(people: int, prefix: str) -> list[str]:
    return [f"{prefix}{n}@example.com" for n in range(people)]


def sign_up_all(rt, addresses: list[str], offset: int) -> None:
    for n, email in enumerate(addresses):
        handle = email.split("@")[0].replace("-", "")
        client = client_of(offset + n)
        rt.accounts.sign_up(name="Storm Person", email=email, handle=handle, password=PASSWORD, client=client)
        code = latest_code(rt.embedded.mailbox_url, email)
        rt.accounts.confirm_sign_up(email=email, code=code, client=client)


def one_sign_in(rt, email: str, client: Client) -> str:
    """What AuthState.sign_in runs on the identity threads: the sign-in, then its ticket."""
    signed_in = rt.accounts.sign_in(email=email, password=PASSWORD, client=client)
    return rt.sessions.issue_ticket(signed_in.handle, secrets.token_urlsafe(32))


async def storm(rt, addresses: list[str], offset: int, start_at: float = 0.0) -> Storm:
    async def timed(n: int, email: str) -> float | None:
        started = time.perf_counter()
        try:
            await rt.identity.run(one_sign_in, rt, email, client_of(offset + n))
        except Exception as error:  # counted, and the first few named
            if timed.errors < 3:
                print(f"  error: {type(error).__name__}: {getattr(error, 'code', error)}", file=sys.stderr)
            timed.errors += 1
            return None
        return time.perf_counter() - started

    timed.errors = 0  # type: ignore[attr-defined]
    if start_at:
        await asyncio.sleep(max(0.0, start_at - time.time()))
    began, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(timed(n, email) for n, email in enumerate(addresses)))
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    return Storm([r for r in results if r is not None], timed.errors, wall, cpu)  # type: ignore[attr-defined]


# -- the floor: SRP as pure arithmetic ----------------------------------------------------------


def srp_exchanges(count: int) -> float:
    """`count` SRP exchanges, client and server side, as gmpy2 powers only; seconds taken."""
    n, g, k = mpz(srp.N), mpz(srp.G), mpz(srp.K)
    verifier = powmod(g, mpz(secrets.randbits(256)), n)
    started = time.perf_counter()
    for _ in range(count):
        a, b, x, u = (mpz(secrets.randbits(bits)) for bits in (1024, 256, 256, 256))
        big_a = powmod(g, a, n)  # client: A = g^a
        big_b = (k * verifier + powmod(g, b, n)) % n  # server: B = k·v + g^b
        client_s = powmod((big_b - k * powmod(g, x, n)) % n, a + u * x, n)  # client: S
        server_s = powmod(big_a * powmod(verifier, u, n) % n, b, n)  # server: S
        assert client_s or server_s
    return time.perf_counter() - started


def floor_seconds(count: int, cores: int) -> float:
    """Wall time of `count` exchanges spread over `cores` processes (started before the clock)."""
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        pool.map(srp_exchanges, [1] * cores)  # warm the workers
        share = [count // cores + (1 if i < count % cores else 0) for i in range(cores)]
        started = time.perf_counter()
        pool.map(srp_exchanges, share)
        return time.perf_counter() - started


# -- one worker, or several -------------------------------------------------------------------


def bench_settings(data_dir: Path, port: int, redis_url: str | None = None) -> Settings:
    extra = {"redis_url": redis_url} if redis_url else {}
    return load_settings(data_dir=data_dir, local_cognito_port=port, allow_local_cognito=True, **extra)


def start_runtime(data_dir: Path, port: int, redis_url: str | None):
    return runtime.start(bench_settings(data_dir, port, redis_url))


def serve_provider(data_dir: str, port: int, ready) -> None:
    """The embedded provider with the app's pool configuration, in this (separate) process."""
    handle = start_in_thread(provider_config(bench_settings(Path(data_dir), port), DEFAULT_POLICY))
    ready.set()
    try:
        threading.Event().wait()
    finally:
        handle.stop()


def provider_process(data_dir: Path, port: int):
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=serve_provider, args=(str(data_dir), port, ready), daemon=True)
    process.start()
    if not ready.wait(60):
        raise SystemExit("the provider process did not start")
    return process


def worker(data_dir: str, port: int, redis_url: str, addresses: list[str], offset: int, start_at: float, out) -> None:
    """A second backend worker: its own runtime on the shared data dir and provider."""
    rt = start_runtime(Path(data_dir), port, redis_url)
    try:
        result = asyncio.run(storm(rt, addresses, offset, start_at))
        out.put((result.latencies, result.errors, result.wall, result.cpu))
    finally:
        runtime.stop()


def workers_storm(data_dir: Path, port: int, redis_url: str, groups: list[list[str]]) -> Storm:
    """Each group from its own worker process, all started at one agreed instant."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 8  # time for the workers to import and start their runtimes
    procs = [
        context.Process(target=worker, args=(str(data_dir), port, redis_url, group, 100_000 * (i + 1), start_at, out))
        for i, group in enumerate(groups)
    ]
    for proc in procs:
        proc.start()
    parts = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join()
    latencies = [lat for part in parts for lat in part[0]]
    return Storm(latencies, sum(p[1] for p in parts), max(p[2] for p in parts), sum(p[3] for p in parts))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(label: str, storms: list[Storm]) -> Storm:
    for n, s in enumerate(storms, 1):
        print(
            f"  {label} storm {n}: p50 {s.p50 * 1000:6.0f} ms  p99 {s.p99 * 1000:6.0f} ms  "
            f"errors {s.errors}  {s.throughput:5.1f} sign-ins/s  (wall {s.wall:.2f} s, "
            f"CPU {s.cpu / max(1, len(s.latencies)) * 1000:.1f} ms a sign-in)"
        )
    middle = sorted(storms, key=lambda s: s.p50)[len(storms) // 2]
    return middle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--storms", type=int, default=3, help="storms after a warm-up one (each account ≤ 10 / 10 min)")
    parser.add_argument("--provider-process", action="store_true", help="the provider in a process of its own")
    parser.add_argument("--redis", help="REDIS_URL for the several-workers variant")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"sign-in storm: {args.people} at once, {args.storms} storms; {cores} cores, load {os.getloadavg()[0]:.2f}")

    data_dir = Path(tempfile.mkdtemp(prefix="cruddur-storm-")) / "data"
    port = free_port()
    migrate(bench_settings(data_dir, port))
    provider = provider_process(data_dir, port) if args.provider_process else None
    rt = start_runtime(data_dir, port, args.redis)
    try:
        people = emails(args.people, "storm")
        sign_up_all(rt, people, 0)
        groups = [emails(args.people // args.workers, f"w{i}-") for i in range(args.workers)] if args.redis else []
        for i, group in enumerate(groups):
            sign_up_all(rt, group, 1000 * (i + 1))
        asyncio.run(storm(rt, people, 0))  # warm-up: connections, caches, JWKS
        print(f"storming (pid {os.getpid()})", flush=True)
        provider_cpu = cpu_seconds(provider.pid) if provider else 0.0
        storms = [asyncio.run(storm(rt, people, 0)) for _ in range(args.storms)]
        if provider:
            provider_cpu = (cpu_seconds(provider.pid) - provider_cpu) / sum(len(s.latencies) for s in storms)
        floors = [floor_seconds(args.people, cores) for _ in range(3)]
        where = "in a process of its own" if provider else "in this process (as make run starts it)"
        print(f"one worker ({IDENTITY_THREADS} identity threads), the embedded provider {where}:")
        middle = report("app", storms)
        if provider:
            print(f"  the provider's own process: CPU {provider_cpu * 1000:.1f} ms a sign-in")
        if groups:
            shared = report(f"{args.workers} workers", [workers_storm(data_dir, port, args.redis, groups)])
    finally:
        runtime.stop()
        if provider is not None:
            provider.kill()

    floor = statistics.median(floors)
    runs = ", ".join(f"{f * 1000:.0f}" for f in floors)
    print(f"floor: {args.people} SRP exchanges as gmpy2 arithmetic (client + server) over {cores} processes")
    print(f"  {floor * 1000:6.0f} ms wall (runs {runs} ms), {args.people / floor:6.1f} exchanges/s")
    print(
        f"median storm: p50 {middle.p50 * 1000:.0f} ms (goal {GOAL_P50_S * 1000:.0f}), "
        f"p99 {middle.p99 * 1000:.0f} ms (goal {GOAL_P99_S * 1000:.0f}), errors {middle.errors}, "
        f"{middle.throughput:.1f} sign-ins/s = {middle.throughput * floor / args.people:.2f}x the floor's rate"
    )
    if groups:
        ratio = shared.throughput / middle.throughput
        print(
            f"{args.workers} workers on Redis: {shared.throughput:.1f} sign-ins/s = {ratio:.2f}x one worker (goal 1.8x)"
        )
    met = middle.p50 <= GOAL_P50_S and middle.p99 <= GOAL_P99_S and middle.errors == 0
    print("PASS" if met else "MISS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
