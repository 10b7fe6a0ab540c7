"""Page load (issue 16, goal 4): `/` with 20 cruds, production build, Chromium, cold cache, against
a bare Reflex page showing 20 rows, measured in the same run.

Cruddur is served as the browser tests serve it (`tests/support/appserver.serve_app`: `reflex run
--env prod --single-port` on a throwaway data dir), with 20 live cruds added to the demo seed. The
floor is a bare Reflex app written to a temp dir: one page whose `on_load` event fills a state
list of 20 strings, rendered with `rx.foreach` as 20 `<p>`s. Same Reflex (this venv), same build
and serving command, its own free port, build dir and state dir. Like Cruddur's feed, its rows
arrive over the websocket after hydration, so both pages do a full Reflex round trip.

Each load is a fresh browser context (no HTTP cache, no storage), loads alternate between the two
apps, and the figures are medians:

- "20th row": from navigation start (`performance.timeOrigin`) until the 20th crud (`article.cr-crud`)
  or row is in the DOM and visible, checked on every animation frame in the page;
- the browser's `domContentLoadedEventEnd` and `loadEventEnd` (navigation timing);
- JavaScript transferred: the `transferSize` / `encodedBodySize` / `decodedBodySize` of every
  `.js` resource (resource timing), with the `Content-Encoding` each was sent with; and, beside
  it, what `gzip -9` makes of the same files (fetched once, uncompressed);
- CSS transferred and decoded, the same way, over every `.css` resource.

Run: `python bench/bench_page_load.py [--loads 7]` after `. scripts/setup.sh --test`.
"""

import argparse
import contextlib
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from playwright.sync_api import Browser, sync_playwright

from cruddur.db import Database
from cruddur.models import Activity, Profile
from cruddur.services.clock import utcnow
from cruddur.settings import load_settings
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.appserver import _stop, _wait_until_serving, app_env, free_port, serve_app

ROWS = 20
GOAL = 1.2
BARE_RXCONFIG = """
import reflex as rx

config = rx.Config(
    app_name="bare",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
)
"""
BARE_APP = f"""
import reflex as rx


class RowsState(rx.State):
    rows: list[str] = []

    @rx.event
    def load(self):
        self.rows = [f"Row number {{n}}: a line of text about as long as a crud's message." for n in range({ROWS})]


def index() -> rx.Component:
    return rx.el.main(rx.foreach(RowsState.rows, lambda row: rx.el.p(row, class_name="bare-row")))


app = rx.App()
app.add_page(index, route="/", on_load=RowsState.load)
"""
# Resolves with ms since navigation start once `count` elements match and the last is visible.
SEEN_JS = """([selector, count]) => new Promise((resolve) => {
    const check = () => {
        const found = document.querySelectorAll(selector);
        if (found.length >= count && found[count - 1].checkVisibility()) resolve(performance.now());
        else requestAnimationFrame(check);
    };
    check();
})"""
TIMINGS_JS = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const of = (ext) => performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname.endsWith(ext));
    const js = of('.js'), css = of('.css');
    const sum = (list, key) => list.reduce((total, r) => total + r[key], 0);
    return {
        dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
        scripts: js.length, transfer: sum(js, 'transferSize'), encoded: sum(js, 'encodedBodySize'),
        decoded: sum(js, 'decodedBodySize'), urls: js.map((r) => r.name),
        sheets: css.length, css_transfer: sum(css, 'transferSize'), css_decoded: sum(css, 'decodedBodySize'),
    };
}"""


@dataclass
class Target:
    name: str
    url: str
    selector: str
    samples: list[dict] = field(default_factory=list)
    encodings: set[str] = field(default_factory=set)
    js_urls: set[str] = field(default_factory=set)

    def median(self, key: str) -> float:
        return statistics.median(sample[key] for sample in self.samples)


def add_cruds(data_dir: Path, port: int) -> None:
    """20 live cruds by one author, newer than the demo seed's: the first page is all of them."""
    settings = load_settings(data_dir=data_dir, local_cognito_port=port, allow_local_cognito=True)
    database = Database.from_settings(settings)
    now = utcnow()
    with database.session() as session:
        author = Profile(sub="bench-page-load", handle="benchpage", display_name="Bench Page", created_at=now)
        session.add(author)
        session.flush()
        session.add_all(
            Activity(
                author_sub=author.sub,
                message=f"Crud number {n}: a line of text about as long as a crud's message.",
                created_at=now - timedelta(seconds=n),
                expires_at=now + timedelta(days=7),
            )
            for n in range(ROWS)
        )
        session.commit()
    database.dispose()


@contextlib.contextmanager
def serve_bare(work: Path) -> Iterator[str]:
    """The bare app, built and served with the same command and environment as Cruddur."""
    app_dir = work / "bare"
    (app_dir / "bare").mkdir(parents=True)
    (app_dir / "rxconfig.py").write_text(BARE_RXCONFIG)
    (app_dir / "bare" / "__init__.py").write_text("")
    (app_dir / "bare" / "bare.py").write_text(BARE_APP)
    port = free_port()
    url = f"http://localhost:{port}"
    env = app_env(work / "bare-data")
    log = work / f"bare-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
            cwd=app_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(process, url, log)
        yield url
    finally:
        _stop(process)


def load_once(browser: Browser, target: Target) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)

    def note(response) -> None:
        if urlsplit(response.url).path.endswith(".js"):
            target.encodings.add(response.headers.get("content-encoding", "identity"))

    page.on("response", note)
    page.goto(target.url + "/", wait_until="commit")
    seen = page.evaluate(SEEN_JS, [target.selector, ROWS])
    page.wait_for_load_state("load")
    timings = page.evaluate(TIMINGS_JS)
    target.js_urls.update(timings.pop("urls"))
    target.samples.append({"seen": seen, **timings})
    context.close()


def detail(browser: Browser, target: Target) -> None:
    """One more cold load of `target`, printed as its timeline: every resource (start, end, bytes,
    encoding) and the websocket's frames, in ms since navigation start."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    frames: list[tuple[float, str, int]] = []
    encodings: dict[str, str] = {}

    def socket(ws) -> None:
        frames.append((time.time() * 1000, "ws open " + urlsplit(ws.url).path, 0))
        ws.on("framesent", lambda data: frames.append((time.time() * 1000, "ws sent", len(data))))
        ws.on("framereceived", lambda data: frames.append((time.time() * 1000, "ws received", len(data))))

    page.on("websocket", socket)
    page.on("response", lambda r: encodings.__setitem__(r.url, r.headers.get("content-encoding", "identity")))
    trace = Path(tempfile.mkdtemp(prefix="cruddur-trace-")) / "trace.json"
    browser.start_tracing(page=page, path=str(trace), categories=["devtools.timeline", "v8", "blink"])
    page.goto(target.url + "/", wait_until="commit")
    seen = page.evaluate(SEEN_JS, [target.selector, ROWS])
    page.wait_for_load_state("load")
    browser.stop_tracing()
    origin = page.evaluate("performance.timeOrigin")
    entries = page.evaluate(
        "() => performance.getEntriesByType('resource').map((r) => [r.name, r.initiatorType, r.startTime,"
        " r.responseEnd, r.transferSize, r.decodedBodySize])"
    )
    nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
    context.close()
    print(f"\ntimeline of one cold load of {target.name} (ms since navigation start)")
    print(f"  {0:7.0f} {nav['responseEnd']:7.0f}  document {nav['transferSize'] / 1024:7.1f} kB")
    rows = [
        (
            start,
            end,
            f"{kind:8} {size / 1024:7.1f} kB ({decoded / 1024:6.1f} raw) "
            f"{encodings.get(name, '?'):8} {urlsplit(name).path}",
        )
        for name, kind, start, end, size, decoded in entries
    ]
    rows += [(at - origin, at - origin, f"{what} {size} B") for at, what, size in frames]
    for start, end, what in sorted(rows):
        print(f"  {start:7.0f} {end:7.0f}  {what}")
    print(
        f"  {seen:7.0f}          20th row visible; domContentLoaded {nav['domContentLoadedEventEnd']:.0f}, "
        f"load {nav['loadEventEnd']:.0f}"
    )
    main_thread_summary(trace)
    shutil.rmtree(trace.parent, ignore_errors=True)


# Renderer main-thread work, by the trace event names Chrome's Performance panel groups.
WORK = {
    "EvaluateScript": "scripting: evaluate",
    "v8.compile": "scripting: compile",
    "v8.compileModule": "scripting: compile",
    "v8.evaluateModule": "scripting: evaluate",
    "FunctionCall": "scripting: function calls",
    "TimerFire": "scripting: timers",
    "EventDispatch": "scripting: events",
    "FireAnimationFrame": "scripting: animation frames",
    "RunMicrotasks": "scripting: microtasks",
    "ParseHTML": "parse HTML",
    "ParseAuthorStyleSheet": "parse stylesheets",
    "UpdateLayoutTree": "recalculate style",
    "Layout": "layout",
    "PrePaint": "paint",
    "Paint": "paint",
    "Layerize": "paint",
    "MajorGC": "garbage collection",
    "MinorGC": "garbage collection",
}


def main_thread_summary(trace: Path) -> None:
    """ms per kind of work on the page's main thread (outermost events only, so nothing twice)."""
    events = json.loads(trace.read_text())
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"
    }
    spans = sorted(
        (e["ts"], e["ts"] + e["dur"], WORK[e["name"]])
        for e in events
        if e.get("ph") == "X" and e.get("name") in WORK and (e["pid"], e["tid"]) in main and "dur" in e
    )
    totals: dict[str, float] = {}
    covered_until = 0.0
    for start, end, kind in spans:
        if start >= covered_until:  # an outermost event; those inside it are its own parts
            totals[kind] = totals.get(kind, 0.0) + (end - start) / 1000
            covered_until = end
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    print(f"  main thread busy {sum(totals.values()):.0f} ms: " + ", ".join(f"{k} {v:.0f}" for k, v in ranked))


def gzip9_size(urls: set[str]) -> tuple[int, int]:
    """(raw bytes, gzip -9 bytes) of these scripts, fetched uncompressed."""
    raw = packed = 0
    for url in sorted(urls):
        body = httpx.get(url, headers={"Accept-Encoding": "identity"}).content
        raw += len(body)
        packed += len(gzip.compress(body, compresslevel=9))
    return raw, packed


def report(cruddur: Target, bare: Target, loads: int) -> None:
    load1, load5, _ = os.getloadavg()
    print(f"\npage load, median of {loads} cold loads each, alternating (load average {load1:.1f} / {load5:.1f})")
    print(f"{'':32}{'cruddur':>12}{'bare':>12}{'ratio':>9}")
    for key, label in (("seen", "20th row visible"), ("dcl", "domContentLoaded"), ("load", "load event")):
        c, b = cruddur.median(key), bare.median(key)
        print(f"  {label:30}{c:9.0f} ms{b:9.0f} ms{c / b:8.2f}x")
    for key, label in (("transfer", "JS transferSize"), ("encoded", "JS encodedBodySize"), ("decoded", "JS decoded")):
        c, b = cruddur.median(key), bare.median(key)
        print(f"  {label:30}{c / 1024:9.1f} kB{b / 1024:9.1f} kB{c / b:8.2f}x")
    c, b = cruddur.median("scripts"), bare.median("scripts")
    print(f"  {'JS files':30}{c:12.0f}{b:12.0f}")
    for key, label in (("css_transfer", "CSS transferSize"), ("css_decoded", "CSS decoded")):
        c, b = cruddur.median(key), bare.median(key)
        print(f"  {label:30}{c / 1024:9.1f} kB{b / 1024:9.1f} kB{c / b:8.2f}x")
    c, b = cruddur.median("sheets"), bare.median("sheets")
    print(f"  {'CSS files':30}{c:12.0f}{b:12.0f}")
    (c_raw, c_gz), (b_raw, b_gz) = gzip9_size(cruddur.js_urls), gzip9_size(bare.js_urls)
    print(f"  {'JS raw (fetched once)':30}{c_raw / 1024:9.1f} kB{b_raw / 1024:9.1f} kB{c_raw / b_raw:8.2f}x")
    print(f"  {'JS gzip -9 of the same files':30}{c_gz / 1024:9.1f} kB{b_gz / 1024:9.1f} kB{c_gz / b_gz:8.2f}x")
    print(f"  JS Content-Encoding sent: cruddur {sorted(cruddur.encodings)}, bare {sorted(bare.encodings)}")
    ratio = cruddur.median("seen") / bare.median("seen")
    verdict = "met" if ratio <= GOAL else f"missed by {(ratio / GOAL - 1) * 100:.0f}%"
    print(f"goal: 20th row ≤ {GOAL}x bare: {ratio:.2f}x, {verdict}")
    print("per load (ms to 20th row): cruddur", [round(s["seen"]) for s in cruddur.samples])
    print("                           bare   ", [round(s["seen"]) for s in bare.samples])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--detail", action="store_true", help="also print one cold load of each as a timeline")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cruddur-bench-page-"))
    data_dir = work / "app" / "data"
    started = time.perf_counter()
    with serve_app(data_dir) as app, serve_bare(work) as bare_url:
        print(f"both served in {time.perf_counter() - started:.0f}s: cruddur {app.url}, bare {bare_url}", flush=True)
        add_cruds(data_dir, int(app.env["LOCAL_COGNITO_PORT"]))
        time.sleep(1.5)  # the feed cache keeps a page at most 1 s
        cruddur = Target("cruddur", app.url, "article.cr-crud")
        bare = Target("bare", bare_url, "p.bare-row")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for target in (cruddur, bare):  # one warm-up each: the servers' first answers, not the browser's
                load_once(browser, target)
                target.samples.clear()
            for n in range(args.loads):
                for target in (cruddur, bare) if n % 2 == 0 else (bare, cruddur):
                    load_once(browser, target)
            if args.detail:
                detail(browser, cruddur)
                detail(browser, bare)
            browser.close()
        report(cruddur, bare, args.loads)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
