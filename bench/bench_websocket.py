"""Websocket events (issue 16, goal 3): 100 signed-in clients at 1 event/s with the feed from the
database, and idle signed-in tabs' memory, against a bare Reflex app measured in the same run.

Cruddur is served as `bench/reliability_report.py` serves it (`tests/resilience/harness`: the
production build, a standalone provider as its user pool, SQLite in a throwaway data dir). The
floor is the bare Reflex app of `bench/bench_page_load.py` (same Reflex, same `reflex run --env
prod --single-port`, same default state manager, its own ports and dirs), whose one event fills a
list of 20 strings from memory. The clients are `tests/support/socket_tab.Tab`s, which speak
Reflex's Socket.IO protocol as the compiled frontend does, all in this one process.

1. Events: 100 people, each signed in through the app's own sign-in (`AuthState.sign_in`, the
   session cookie adopted as session.js does), each send `FeedState.load_home` (the home feed's
   first page from the database, as the home page's on_load) once a second, staggered; the time
   is from the emit until the delta saying the feed loaded. The same 100 paced clients send the
   bare app's event (until its rows arrive). Rounds alternate between the two apps.
2. Idle tabs: each of the 100 signed-in browsers opens more tabs of `/` (connect, hydrate, feed)
   until there are `--tabs` of them, which then sit idle; the server's RSS (all processes of the
   served app) before and after, per tab. The same number of tabs of the bare page.

Run: `python bench/bench_websocket.py [--clients 100] [--seconds 20] [--rounds 2] [--tabs 1000]`.
"""

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_page_load import serve_bare
from tests.resilience.harness import create_people, loopback, people, percentile, serve_with_provider
from tests.support.socket_actions import load_home, open_page, sign_in, signed_in
from tests.support.socket_tab import DEVICE_MARKER, Browser, Tab, delta_has

GOAL_P99, GOAL_MEMORY = 1.2, 1.3
CONNECT_BATCH = 25


def worker_pid(states_dir: Path) -> int:
    """The served app's Granian worker: its process whose parent is one of its processes too."""
    marker = f"REFLEX_STATES_WORKDIR={states_dir}\0".encode()
    ours = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            if marker in Path(f"/proc/{pid}/environ").read_bytes():
                ours.add(int(pid))
    for pid in ours:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if ppid in ours:
            return pid
    raise RuntimeError(f"no worker among {ours}")


@contextlib.contextmanager
def spying(spy: str | None, pid: int, seconds: int, out: Path) -> Iterator[None]:
    """`py-spy record` (raw collapsed stacks) of `pid` while the block runs, when asked for."""
    if not spy:
        yield
        return
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(seconds), "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        process.wait(timeout=seconds + 60)
        print(f"  py-spy profile of the cruddur worker: {out}", flush=True)
        if out.exists():
            profile_summary(out)


# Leaves of a thread that waits (idle pool threads, the loop's select): not work.
IDLE = ("_worker (concurrent/futures/thread.py", "Condition.wait", "EpollSelector.select")


def profile_summary(out: Path, top: int = 10) -> None:
    """The worker's busy samples (all threads), by the innermost frame of the app's own code
    (else the stack's outermost frames: Reflex, Granian, socket.io)."""
    where: dict[str, int] = {}
    busy = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or not frames[-1] or frames[-1].startswith(IDLE):
            continue
        busy += int(count)
        ours = [f for f in frames if "cruddur/" in f]
        key = ours[-1] if ours else "outside the app: " + frames[-1]
        where[key] = where.get(key, 0) + int(count)
    print(f"  worker busy samples: {busy}")
    for key, count in sorted(where.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {count / max(1, busy):5.1%}  {key[:110]}")


def rss_kb(states_dir: Path) -> tuple[int, int]:
    """(summed RSS in kB, processes) of the served app: every process started with its
    REFLEX_STATES_WORKDIR (the `reflex run` CLI, Granian and its worker)."""
    marker = f"REFLEX_STATES_WORKDIR={states_dir}\0".encode()
    total = count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker not in Path(f"/proc/{pid}/environ").read_bytes():
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
                count += 1
    return total, count


class Bare:
    """The bare app's clients: a tab whose one event is the rows from memory."""

    def __init__(self, url: str):
        self.url = url
        self.state = ""

    def browser(self) -> Browser:
        browser = Browser(origin=self.url)
        browser.cookies[DEVICE_MARKER] = "1"  # the bare app has no /_session/hello to ask
        return browser

    async def open(self, tab: Tab) -> float:
        started = time.perf_counter()
        await tab.connect(self.url, "/", timeout=60)
        self.state = next(name for name in tab.state if name.endswith("rows_state"))
        await tab.wait_for(lambda t: len(t.var(self.state, "rows") or []) == 20, "the bare rows", 60)
        return time.perf_counter() - started

    async def event(self, tab: Tab, timeout: float = 30) -> tuple[bool, float]:
        started = time.perf_counter()
        mark = await tab.send(f"{self.state}.load")
        finished = await tab.until(lambda t: delta_has(t.since(mark), self.state, "rows"), timeout)
        return bool(finished), time.perf_counter() - started


async def cruddur_event(tab: Tab) -> tuple[bool, float]:
    outcome = await load_home(tab)
    return outcome.ok and signed_in(tab), outcome.seconds


async def paced(tabs: list[Tab], event, seconds: int) -> tuple[list[float], int]:
    """Each tab sends one event a second for `seconds`, staggered across the second:
    (latencies, failures)."""
    samples: list[float] = []
    failures = 0

    async def one(tab: Tab, offset: float) -> None:
        nonlocal failures
        await asyncio.sleep(offset)
        begun = time.perf_counter()
        for n in range(seconds):
            ok, took = await event(tab)
            samples.append(took)
            failures += not ok
            await asyncio.sleep(max(0.0, begun + n + 1 - time.perf_counter()))

    await asyncio.gather(*(one(tab, i / len(tabs)) for i, tab in enumerate(tabs)))
    return samples, failures


async def in_batches(work: list, size: int = CONNECT_BATCH) -> list:
    results = []
    for start in range(0, len(work), size):
        results += await asyncio.gather(*(w() for w in work[start : start + size]), return_exceptions=True)
    return results


async def settle_rss(states_dir: Path, seconds: float = 5) -> int:
    await asyncio.sleep(seconds)
    return rss_kb(states_dir)[0]


def summary(name: str, samples: list[float], failures: int) -> dict:
    return {
        "name": name,
        "n": len(samples),
        "p50": percentile(samples, 50) * 1000,
        "p99": percentile(samples, 99) * 1000,
        "max": max(samples, default=0) * 1000,
        "errors": failures,
    }


async def run(args, target, bare_url: str, bare_states: Path) -> None:
    bare = Bare(loopback(bare_url))
    crowd = people("wsbench", args.clients)
    started = time.perf_counter()
    for start in range(0, len(crowd), 20):  # sign-up and confirm share the provider's 50/s UserCreation quota
        await asyncio.to_thread(create_people, target.provider, crowd[start : start + 20])
        await asyncio.sleep(1)
    print(f"{len(crowd)} confirmed accounts in {time.perf_counter() - started:.0f}s", flush=True)
    log_mark = target.log.mark()

    # Signed-in clients, through the app's own sign-in page.
    cruddur_tabs = [target.browser().tab() for _ in crowd]

    async def signed_in_home(tab: Tab, person) -> None:
        await open_page(tab, target.url, "/signin", timeout=60)
        outcome = await sign_in(tab, person.email, person.password, timeout=80)
        if not outcome.ok:
            raise AssertionError(f"sign-in failed: {outcome}")
        await open_page(tab, target.url, "/", timeout=60)  # the signed-in home page, its feed loaded

    begun = time.perf_counter()
    outcomes = await in_batches(
        [lambda t=t, p=p: signed_in_home(t, p) for t, p in zip(cruddur_tabs, crowd, strict=True)], 20
    )
    broken = [o for o in outcomes if isinstance(o, BaseException)]
    if broken:
        raise SystemExit(f"{len(broken)} clients could not sign in: {broken[:3]}")
    print(f"{len(cruddur_tabs)} clients signed in and home in {time.perf_counter() - begun:.0f}s", flush=True)
    bare_tabs = [bare.browser().tab() for _ in crowd]
    await in_batches([lambda t=t: bare.open(t) for t in bare_tabs])

    # 1. Events, alternating rounds.
    spy_pid, spy_out = worker_pid(target.app.states_dir), target.app.data_dir.parent / "events.pyspy.txt"
    results = {"cruddur": ([], 0), "bare": ([], 0)}
    for n in range(args.rounds):
        order = ("cruddur", "bare") if n % 2 == 0 else ("bare", "cruddur")
        for name in order:
            tabs, event = (cruddur_tabs, cruddur_event) if name == "cruddur" else (bare_tabs, bare.event)
            with spying(args.spy if name == "cruddur" and n == 0 else None, spy_pid, args.seconds, spy_out):
                samples, failures = await paced(tabs, event, args.seconds)
            results[name] = (results[name][0] + samples, results[name][1] + failures)
            print(
                f"  round {n + 1} {name:8} p50 {percentile(samples, 50) * 1000:6.1f} ms  "
                f"p99 {percentile(samples, 99) * 1000:6.1f} ms  errors {failures}",
                flush=True,
            )
    toasts = sum(t.error_toasts for t in cruddur_tabs) + sum(t.error_toasts for t in bare_tabs)
    tracebacks, _ = target.log.tracebacks(log_mark)
    events = {name: summary(name, *values) for name, values in results.items()}

    # 2. Idle tabs.
    memory = {}
    for name in ("cruddur", "bare"):
        states = target.app.states_dir if name == "cruddur" else bare_states
        base_tabs = cruddur_tabs if name == "cruddur" else bare_tabs
        before = await settle_rss(states)
        extra: list[Tab] = []
        work = []
        for i in range(args.tabs):
            tab = base_tabs[i % len(base_tabs)].browser.tab()
            extra.append(tab)
            if name == "cruddur":
                work.append(lambda tab=tab: open_page(tab, target.url, "/", timeout=90))
            else:
                work.append(lambda tab=tab: bare.open(tab))
        begun = time.perf_counter()
        opened = await in_batches(work)
        failed = sum(isinstance(o, BaseException) for o in opened)
        connected = sum(t.connected for t in extra)
        after = await settle_rss(states, 10)
        still = sum(t.connected for t in extra)
        memory[name] = {
            "before": before,
            "after": after,
            "tabs": connected,
            "still": still,
            "failed": failed,
            "per_tab": (after - before) / max(1, connected),
            "open_s": time.perf_counter() - begun,
        }
        print(
            f"  {name:8} {connected} idle tabs: RSS {before / 1024:.0f} -> {after / 1024:.0f} MB, "
            f"{memory[name]['per_tab']:.1f} kB per tab ({failed} failed to open)",
            flush=True,
        )
        await asyncio.gather(*(t.close() for t in extra))
        if name == "cruddur":
            signed = sum(1 for t in extra if signed_in(t))
            memory[name]["signed_in"] = signed
    await asyncio.gather(*(t.browser.close() for t in cruddur_tabs + bare_tabs))
    report(args, events, memory, toasts, tracebacks)


def report(args, events: dict, memory: dict, toasts: int, tracebacks: int) -> None:
    load1, load5, _ = os.getloadavg()
    c, b = events["cruddur"], events["bare"]
    print(f"\nwebsocket events, {args.clients} clients at 1 event/s, {args.rounds} rounds of {args.seconds}s each app")
    print(f"(load average {load1:.1f} / {load5:.1f} at the end)")
    print(f"{'':36}{'n':>6}{'p50':>10}{'p99':>10}{'max':>10}{'errors':>8}")
    for row, label in ((c, "cruddur FeedState.load_home (DB)"), (b, "bare: 20 rows from memory")):
        print(f"  {label:34}{row['n']:6}{row['p50']:7.1f} ms{row['p99']:7.1f} ms{row['max']:7.1f} ms{row['errors']:8}")
    ratio = c["p99"] / b["p99"]
    errors = c["errors"] + b["errors"] + toasts + tracebacks
    verdict = "met" if ratio <= GOAL_P99 and errors == 0 else f"missed ({ratio / GOAL_P99 - 1:+.0%} on p99)"
    print(f"  p50 ratio {c['p50'] / b['p50']:.2f}x; error toasts {toasts}; app tracebacks {tracebacks}")
    print(f"goal: p99 ≤ {GOAL_P99}x bare, 0 errors: {ratio:.2f}x, {errors} errors, {verdict}")
    mc, mb = memory["cruddur"], memory["bare"]
    print(f"\nidle tabs (asked for {args.tabs} each)")
    for name, row in (("cruddur", mc), ("bare", mb)):
        print(
            f"  {name:8} {row['tabs']:5} connected ({row['still']} still after 10 s, {row['failed']} failed), "
            f"RSS {row['before'] / 1024:6.0f} -> {row['after'] / 1024:6.0f} MB, {row['per_tab']:6.1f} kB per tab, "
            f"opened in {row['open_s']:.0f}s"
        )
    if "signed_in" in mc:
        print(f"  cruddur tabs signed in: {mc['signed_in']} of {mc['tabs']}")
    ratio = mc["per_tab"] / mb["per_tab"] if mb["per_tab"] > 0 else float("inf")
    verdict = "met" if ratio <= GOAL_MEMORY else f"missed by {ratio / GOAL_MEMORY - 1:.0%}"
    print(f"goal: memory per tab ≤ {GOAL_MEMORY}x bare: {ratio:.2f}x, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tabs", type=int, default=1000)
    parser.add_argument("--spy", metavar="PY_SPY", help="path to py-spy: profile the worker in the first cruddur round")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cruddur-bench-ws-"))
    started = time.perf_counter()
    with serve_with_provider(work / "cruddur") as target, serve_bare(work / "bare-app") as bare_url:
        print(f"both served in {time.perf_counter() - started:.0f}s: cruddur {target.url}, bare {bare_url}", flush=True)
        asyncio.run(run(args, target, bare_url, work / "bare-app" / "reflex-states"))
    print(f"(logs in {work})")


if __name__ == "__main__":
    main()
