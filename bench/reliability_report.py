"""Reliability and security report (issue #7): load, abuse storms and identity faults against a
freshly served production app, printed as one table of PASS/FAIL with the numbers behind each.

The app is served as `reflex run --env prod` on a throwaway data dir, with a standalone
localcognito process as its configured user pool (as a real Cognito pool would be: outside the
backend), so the scenarios can stop it (SIGTERM) or freeze it (SIGSTOP). Everything runs on
127.0.0.1 and ends within about five minutes.

Run: `python bench/reliability_report.py [--clients 100] [--events 1000] [--bodies 1000]`.
Exit status 1 if any scenario failed.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.resilience import scenarios
from tests.resilience.harness import create_people, people, serve_with_provider

BUDGET_S = 300


async def run_all(target, args) -> list[scenarios.Result]:
    crowd = people("load", args.clients)
    others = people("fault", 12)
    started = time.perf_counter()
    await asyncio.to_thread(create_people, target.provider, crowd + others)
    print(f"  {len(crowd) + len(others)} confirmed accounts made in {time.perf_counter() - started:.1f}s", flush=True)
    await scenarios.has_profile(target, others[0])
    bearer = await asyncio.to_thread(target.provider.access_token, others[0].email, others[0].password)

    steps = [
        lambda: scenarios.load(target, crowd, budget_s=90),
        lambda: scenarios.ws_storm(target, args.events, after=others[1]),
        lambda: scenarios.api_storm(target, args.bodies, bearer),
        lambda: scenarios.lockout(target, others[2], others[3]),
        lambda: scenarios.jwks_cached(target, others[4]),
        lambda: scenarios.provider_down(target, [others[5], others[6]], bearer),
        lambda: scenarios.provider_hung(target, [others[7], *others[8:]], stampede=8),
    ]
    results = []
    for step in steps:
        begun = time.perf_counter()
        try:
            result = await step()
        except Exception as error:  # a scenario that crashed is a FAIL with its reason, not a crash
            result = scenarios.Result(getattr(step, "__name__", "scenario"), failures=[f"crashed: {error!r}"])
        target.provider.ensure_running()
        result.numbers["scenario_s"] = round(time.perf_counter() - begun, 1)
        print(
            f"  {'PASS' if result.passed else 'FAIL'}  {result.scenario}  ({result.numbers['scenario_s']}s)", flush=True
        )
        results.append(result)
    return results


def render(value) -> str:
    if isinstance(value, dict):
        if {"p50_ms", "p99_ms"} <= value.keys():
            return f"p50 {value['p50_ms']} ms, p99 {value['p99_ms']} ms, max {value['max_ms']} ms (n={value['n']})"
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def report(results: list[scenarios.Result], elapsed: float) -> str:
    width = max(len(r.scenario) for r in results)
    load1, load5, _ = os.getloadavg()
    lines = [
        "",
        "Cruddur reliability report",
        "=" * 26,
        f"{os.cpu_count()} cores, load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the end of the run",
        "",
    ]
    lines += [f"{'PASS' if r.passed else 'FAIL'}  {r.scenario}" for r in results]
    for r in results:
        lines += ["", f"[{'PASS' if r.passed else 'FAIL'}] {r.scenario}", "-" * min(width + 7, 100)]
        lines += [f"  {key:<38} {render(value)}" for key, value in r.numbers.items()]
        lines += [f"  !! {failure}" for failure in r.failures]
    passed = sum(r.passed for r in results)
    lines += ["", f"{passed}/{len(results)} scenarios passed in {elapsed:.0f}s (budget {BUDGET_S}s)", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--bodies", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="cruddur-reliability-"))
    print(f"serving the production app (data in {work}) ...", flush=True)
    with serve_with_provider(work) as target:
        print(f"  up at {target.url} in {time.perf_counter() - started:.1f}s", flush=True)
        results = asyncio.run(run_all(target, args))
    elapsed = time.perf_counter() - started
    print(report(results, elapsed))
    ok = all(r.passed for r in results) and elapsed < BUDGET_S
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"app and provider logs kept in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
