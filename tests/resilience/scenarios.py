"""The resilience scenarios, each against a served app (`harness.Target`), each returning a
`Result`: its numbers, and the list of what failed (empty = PASS). The pytest versions run them
at smaller sizes; `bench/reliability_report.py` runs them at full size and prints the results."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass, field

import aiohttp
import httpx

from cruddur.auth.errors import friendly
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.notifications import NotificationsState
from cruddur.state.session import SessionState
from tests.resilience.harness import Person, Target, hung_call_bound_s, ms, percentile
from tests.support import socket_actions
from tests.support.socket_actions import load_home, open_page, sign_in, signed_in
from tests.support.socket_tab import ROOT, UPDATE_VARS, RawSocket, Tab, delta_has, event_name, router_data

UNAVAILABLE = friendly("Unavailable").message
WRONG_CREDENTIALS = friendly("NotAuthorizedException").message


@dataclass
class Result:
    scenario: str
    numbers: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


def latency(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": ms(percentile(samples, 50)),
        "p99_ms": ms(percentile(samples, 99)),
        "max_ms": ms(max(samples, default=0)),
    }


async def http_alive(base: str) -> int:
    """The status of /ping (0 when nothing answers)."""
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            return (await client.get(base + "/ping")).status_code
    except httpx.HTTPError:
        return 0


# -- load -------------------------------------------------------------------------------------------


async def load(
    target: Target, who: list[Person], feed_rounds: int = 3, paced_s: int = 5, budget_s: float = 90
) -> Result:
    """len(who) tabs connect at once and all sign in through AuthState.sign_in at once; then
    each loads the home feed once a second for `paced_s` seconds (staggered, like people
    reading), then all at once `feed_rounds` times (a burst). Sign-in and feed latency are
    measured apart: the SRP sign-in is CPU work in the backend, the feed the everyday event."""
    result = Result(f"load: {len(who)} websocket clients sign in and load the feed")
    mark = target.log.mark()
    started = time.perf_counter()
    clients = [target.browser().tab() for _ in who]
    try:
        connects = await asyncio.gather(
            *(open_page(c, target.url, "/signin", timeout=60) for c in clients), return_exceptions=True
        )
        connect_s = [c for c in connects if isinstance(c, float)]
        result.check(len(connect_s) == len(clients), f"{len(clients) - len(connect_s)} clients failed to connect")
        signins = await asyncio.gather(
            *(sign_in(c, p.email, p.password, timeout=80) for c, p in zip(clients, who, strict=True))
        )
        failed = [o for o in signins if not o.ok]
        result.check(not failed, f"{len(failed)} sign-ins failed: {[o.error for o in failed][:3]}")

        async def paced(client: Tab, offset: float) -> list:
            await asyncio.sleep(offset)
            outcomes = []
            for _ in range(paced_s):
                outcome = await load_home(client)
                outcomes.append(outcome)
                await asyncio.sleep(max(0.0, 1.0 - outcome.seconds))
            return outcomes

        steady = [
            o
            for batch in await asyncio.gather(*(paced(c, i / len(clients)) for i, c in enumerate(clients)))
            for o in batch
        ]
        burst = []
        for _ in range(feed_rounds):
            burst += await asyncio.gather(*(load_home(c) for c in clients))
        feed = steady + burst
        bad_feed = [o for o in feed if not o.ok]
        result.check(not bad_feed, f"{len(bad_feed)} feed loads failed")
        lost = sum(1 for c in clients if not signed_in(c))
        result.check(lost == 0, f"{lost} clients lost their session during the feed loads")
    finally:
        await asyncio.gather(*(c.browser.close() for c in clients))
    elapsed = time.perf_counter() - started
    toasts = sum(c.error_toasts for c in clients)
    errors, _ = target.log.tracebacks(mark)
    result.check(toasts == 0, f"{toasts} server errors shown to clients")
    result.check(errors == 0, f"{errors} tracebacks in the app log")
    result.check(elapsed < budget_s, f"took {elapsed:.1f}s (budget {budget_s}s)")
    result.numbers = {
        "clients": len(clients),
        "connect+hydrate": latency(connect_s),
        "sign-in event": latency([o.seconds for o in signins]),
        "feed event, 1/s per client": latency([o.seconds for o in steady]),
        "feed event, all clients at once": latency([o.seconds for o in burst]),
        "errors": len(failed) + len(bad_feed) + toasts,
        "tracebacks": errors,
        "elapsed_s": round(elapsed, 1),
    }
    return result


# -- the identity provider down or hung ------------------------------------------------------------


async def has_profile(target: Target, person: Person) -> None:
    """Signs the person in once through the app, which gives them their profile (REST writes
    need one)."""
    client = await _signed_in(target, person)
    await client.browser.close()


async def _signed_in(target: Target, person: Person) -> Tab:
    """A tab of a new browser, signed in (the browser holds the session cookie) and home."""
    client = target.browser().tab()
    await open_page(client, target.url, "/signin")
    outcome = await sign_in(client, person.email, person.password)
    if not outcome.ok:
        raise AssertionError(f"could not sign {person.email} in before the fault: {outcome}")
    await socket_actions.go(client, "/")
    return client


async def _public_feed(target: Target) -> tuple[bool, float]:
    """A new anonymous browser opening the home page: (feed shown, seconds to the feed)."""
    client = target.browser().tab()
    try:
        seconds = await open_page(client, target.url, "/", timeout=60)
        return bool(client.var(FeedState, "cruds")), seconds
    except Exception:
        return False, 60.0
    finally:
        await client.browser.close()


async def _recovered(target: Target, person: Person, result: Result) -> None:
    client = target.browser().tab()
    try:
        await open_page(client, target.url, "/signin")
        outcome = await sign_in(client, person.email, person.password)
        result.check(outcome.ok, f"sign-in did not recover after the provider came back: {outcome.error}")
        result.numbers["sign-in after recovery_ms"] = ms(outcome.seconds)
    finally:
        await client.browser.close()


async def provider_down(target: Target, who: list[Person], bearer: str) -> Result:
    """SIGTERM the provider. Sign-in says try again, the public feed and REST reads are served,
    a person signed in before keeps reading and posting (cached keys, their held tokens), a
    reload keeps them signed in; nothing logs a traceback; sign-in works again afterwards."""
    result = Result("identity provider down (SIGTERM)")
    before = await _signed_in(target, who[0])
    mark = target.log.mark()
    target.provider.stop()
    try:
        trying = target.browser().tab()
        await open_page(trying, target.url, "/signin")
        outcome = await sign_in(trying, who[1].email, who[1].password)
        await trying.browser.close()
        result.check(outcome.error == UNAVAILABLE, f"sign-in answered {outcome.error!r}, not the try-again message")
        result.check(outcome.seconds < 10, f"sign-in took {outcome.seconds:.1f}s to answer")
        shown, feed_s = await _public_feed(target)
        result.check(shown, "the public home feed was not served")
        reading = await load_home(before)
        result.check(reading.ok and signed_in(before), "the signed-in tab lost its feed or its session")
        posting = await socket_actions.post(before, "Posted while the identity provider is down")
        result.check(posting.ok, f"the signed-in tab could not post: {posting.error!r}")
        # A reload: a new connection, whose handshake carries the browser's session cookie.
        await open_page(before, target.url, "/")
        result.check(signed_in(before), "a reload during the outage signed the person out")
        async with httpx.AsyncClient(base_url=target.url, timeout=10) as http:
            rest = await http.get("/api/activities/home", headers={"Authorization": f"Bearer {bearer}"})
        result.check(rest.status_code == 200, f"REST read with a token answered {rest.status_code}")
        result.numbers.update(
            {
                "sign-in answer_ms": ms(outcome.seconds),
                "public feed (new tab)_ms": ms(feed_s),
                "signed-in feed_ms": ms(reading.seconds),
                "signed-in post_ms": ms(posting.seconds),
                "REST with token": rest.status_code,
            }
        )
    finally:
        await before.browser.close()
        target.provider.start()
    errors, _ = target.log.tracebacks(mark)
    result.check(errors == 0, f"{errors} tracebacks in the app log during the outage")
    result.numbers["tracebacks"] = errors
    await _recovered(target, who[1], result)
    return result


async def provider_hung(target: Target, who: list[Person], stampede: int = 8) -> Result:
    """SIGSTOP the provider (connections accepted, never answered) while `stampede` people press
    sign in at once. Each hears "try again" within the boto timeouts; meanwhile new tabs still
    get the public feed and a signed-in tab still reads; no traceback."""
    bound = hung_call_bound_s()
    result = Result(f"identity provider hung (SIGSTOP), {stampede} sign-ins at once")
    reader = await _signed_in(target, who[0])
    clients = [target.browser().tab() for _ in range(stampede)]
    await asyncio.gather(*(open_page(c, target.url, "/signin") for c in clients))
    mark = target.log.mark()
    target.provider.pause()
    try:
        presses = [
            asyncio.create_task(sign_in(c, p.email, p.password, timeout=bound + 15))
            for i, (c, p) in enumerate((c, who[1 + i % (len(who) - 1)]) for i, c in enumerate(clients))
        ]
        await asyncio.sleep(1.5)  # every sign-in is now waiting on the frozen provider
        shown, feed_s = await _public_feed(target)
        reading = await load_home(reader, timeout=bound + 15)
        outcomes = await asyncio.gather(*presses)
        answers = [o.error for o in outcomes]
        result.check(all(a == UNAVAILABLE for a in answers), f"sign-in answers: {sorted(set(answers))}")
        slowest = max(o.seconds for o in outcomes)
        result.check(slowest < bound, f"slowest sign-in answer {slowest:.1f}s (bound {bound:.0f}s)")
        result.check(shown and feed_s < 5, f"public feed for a new tab: shown={shown} after {feed_s:.1f}s")
        result.check(
            reading.ok and reading.seconds < 5 and signed_in(reader),
            f"signed-in feed: ok={reading.ok} after {reading.seconds:.1f}s",
        )
        result.numbers.update(
            {
                "sign-in answers": latency([o.seconds for o in outcomes]),
                "bound_s": round(bound, 1),
                "public feed (new tab) during hang_ms": ms(feed_s),
                "signed-in feed during hang_ms": ms(reading.seconds),
            }
        )
    finally:
        target.provider.resume()
        await asyncio.gather(*(c.browser.close() for c in [*clients, reader]))
    errors, _ = target.log.tracebacks(mark)
    result.check(errors == 0, f"{errors} tracebacks in the app log")
    result.numbers["tracebacks"] = errors
    await _recovered(target, who[1], result)
    return result


# -- lock-out over the websocket ----------------------------------------------------------------------


async def lockout(target: Target, person: Person, bystander: Person, threshold: int = 5) -> Result:
    """Wrong passwords past the threshold lock the account; the answers for it, for an unknown
    e-mail and for its right password during the lock-out are identical; others unaffected."""
    result = Result("lock-out after repeated wrong passwords (AuthState.sign_in over the websocket)")
    client = target.browser().tab()
    await open_page(client, target.url, "/signin")
    unknown = f"nobody-{person.handle}@example.com"
    try:
        answers, times = {}, {}
        for label, email, password, count in [
            ("wrong password", person.email, "Wrong-password-1!", threshold + 2),
            ("unknown e-mail", unknown, "Wrong-password-1!", threshold + 2),
            ("right password while locked", person.email, person.password, 1),
        ]:
            outs = [await sign_in(client, email, password) for _ in range(count)]
            answers[label] = {(o.error, o.field, o.ok) for o in outs}
            times[label] = percentile([o.seconds for o in outs], 50)
        distinct = set().union(*answers.values())
        result.check(len(distinct) == 1, f"answers differ: {answers}")
        result.check(not any(ok for _, _, ok in distinct), "a refused sign-in signed in")
        result.check(all(e == WRONG_CREDENTIALS for e, _, _ in distinct), f"unexpected text: {distinct}")
        other = await _signed_in(target, bystander)
        result.check(signed_in(other), "another account was locked too")
        await other.browser.close()
        result.numbers = {f"{k} p50_ms": ms(v) for k, v in times.items()} | {"distinct answers": len(distinct)}
    finally:
        await client.browser.close()
    return result


# -- abuse: malformed websocket events ----------------------------------------------------------------

AUTH, FEED, SESSION = (state.get_full_name() for state in (AuthState, FeedState, SessionState))
# Every handler a page can send, with the argument it takes (or none).
WITH_ARGS = [
    (AuthState.set_email, "value"),
    (AuthState.sign_up, "form"),
    (AuthState.confirm, "form"),
    (AuthState.sign_in, "form"),
    (AuthState.send_reset_code, "form"),
    (AuthState.reset_password, "form"),
    (AuthState.choose_handle, "form"),
    (FeedState.set_draft, "value"),
    (FeedState.set_ttl, "value"),
    (FeedState.open_reply, "crud_uuid"),
    (FeedState.set_reply_draft, "value"),
    (FeedState.toggle_like, "crud_uuid"),
]
NO_ARGS = [
    AuthState.toggle_password,
    AuthState.open_form,
    AuthState.resend_code,
    AuthState.tick_resend_cooldown,
    FeedState.load_home,
    FeedState.load_profile,
    FeedState.load_more,
    FeedState.post,
    FeedState.send_reply,
    SessionState.load_page,
    SessionState.load_signed_in_page,
    SessionState.sign_out,
    NotificationsState.load,
]
ODD = [
    None,
    0,
    -1,
    2**70,
    1e308,
    True,
    "",
    "x",
    [],
    {},
    [1, "a", None],
    {"a": {"b": [1, {"c": None}]}},
    "\u0000",
    "😀" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "a@a." * 30,
    {"email": 5, "password": []},
]
FORM_FIELDS = ("email", "password", "name", "handle", "code", "confirm")
REDOS_EMAIL = "a@" + "a." * 300_000 + "@"  # quadratic for the e-mail pattern without a length cap


def _frame(name: str, payload, path: str = "/signin") -> str:
    return RawSocket.frame({"name": name, "payload": payload, "router_data": router_data(path)})


def malformed_events(count: int, seed: int = 7) -> list[tuple[str, str | bytes]]:
    """`count` (kind, raw Socket.IO frame) pairs, a fixed mix of the kinds below."""
    rng = random.Random(seed)

    def unknown_handler():
        name = rng.choice(
            [
                f"{ROOT}.nope{rng.randrange(10**6)}",
                f"{AUTH}._start",
                f"{AUTH}._fail",
                f"{SESSION}._reusable",
                f"{SESSION}._ended",
                f"{FEED}._write",
                f"{AUTH}.__init__",
                f"{AUTH}.sign_in.more",
                "x",
                "",
                ".",
                f"{ROOT}.cruddur___state___nope____nope_state.load",
                f"{ROOT}." + "a" * 5000,
                f"{SESSION}.set_signed_in",
                f"{SESSION}.set_viewer_handle",
                f"{FEED}.set_cruds",
                f"{AUTH}.dict",
                f"{AUTH}.get_state",
                UPDATE_VARS.rsplit(".", 1)[0] + ".nope",
            ]
        )
        return _frame(name, {})

    def wrong_types():
        handler, arg = rng.choice(WITH_ARGS)
        value = rng.choice(ODD)
        payload = rng.choice(
            [
                {arg: value},
                {arg: value, "extra": 1},
                {"wrong_name": value},
                {arg: {f: rng.choice(ODD) for f in FORM_FIELDS}},
                value,
            ]
        )
        return _frame(event_name(handler), payload)

    def huge():
        handler, arg = rng.choice(WITH_ARGS)
        size = rng.choice([10_000, 100_000, 500_000])
        payload = rng.choice(
            [
                {arg: "x" * size},
                None,  # a form handler given the e-mail that makes the e-mail pattern backtrack
                {arg: {f: "y" * size for f in FORM_FIELDS}},
                {f"k{i}": i for i in range(20_000)},
                {arg: json.loads("[" * 300 + "]" * 300)},
            ]
        )
        if payload is None:
            handler, arg = rng.choice([h for h in WITH_ARGS if h[1] == "form"])
            payload = {arg: {"email": REDOS_EMAIL, "password": "Wrong-password-1!"}}
        return _frame(event_name(handler), payload)

    def missing_fields():
        name = event_name(rng.choice(NO_ARGS + [h for h, _ in WITH_ARGS]))
        event = rng.choice(
            [
                {},
                {"name": name},
                {"payload": {}},
                {"name": name, "payload": {}},
                {"name": name, "router_data": {}},
                {"name": name, "payload": {}, "router_data": rng.choice(ODD)},
                {"name": rng.choice(ODD), "payload": {}},
                {"name": name, "payload": {}, "router_data": {"pathname": rng.choice(ODD), "asPath": rng.choice(ODD)}},
                rng.choice(ODD),
            ]
        )
        return RawSocket.frame(event)

    def garbage():
        return rng.choice(
            [
                '42/_event,["event",{"name":',
                "42/_event,not json",
                "42/_event,[]",
                '42/_event,["event"]',
                '42/_event,["nope",1]',
                "42/_event,{}",
                "4",
                "42",
                "42/_event",
                "6",
                "7",
                "9",
                "x" * 1000,
                '42/_event,["event",{"name":"' + AUTH + '.sign_in","payload":{"form":{"email":"a@b.c"}}',
                '42/_event,["event",NaN]',
                b"\x00\x01\x02\xff",
                b"4" + bytes(range(256)),
                '42/other,["event",{}]',
                '42/_event,["event",' + "[" * 2000 + "]" * 2000 + "]",
            ]
        )

    def storage():
        vars_ = rng.choice(
            [
                {
                    f"{AUTH}.resend_ready_at_rx_state_": rng.choice(
                        ["1e300", "inf", "nan", "-inf", "garbage", 123, None, "9" * 400]
                    )
                },
                {f"{AUTH}.code_destination_rx_state_": rng.choice([123, None, "x" * 10_000, {}, [], "\u0000"])},
                {f"{FEED}.draft_rx_state_": 123},
                {f"{SESSION}.viewer_handle_rx_state_": "someone_else"},
                rng.choice(ODD),
            ]
        )
        first = _frame(UPDATE_VARS, {"vars": vars_})
        follow = rng.choice([AuthState.tick_resend_cooldown, SessionState.load_page, FeedState.load_home])
        return first + "\x1e" + _frame(event_name(follow), {})  # two frames, sent one after the other

    kinds = [unknown_handler, wrong_types, huge, missing_fields, garbage, storage]
    return [(kind.__name__, kind()) for kind in (kinds[i % len(kinds)] for i in range(count))]


async def ws_storm(target: Target, count: int, sockets: int = 10, after: Person | None = None) -> Result:
    """`count` malformed events over `sockets` connections, while a bystander tab keeps loading
    the feed. Afterwards: the app answers, every abused tab hydrates again (no poisoned state),
    a normal person signs in and posts; no traceback through the app's own code."""
    result = Result(f"abuse: {count} malformed websocket events")
    events = malformed_events(count)
    per_socket = [events[i::sockets] for i in range(sockets)]
    mark = target.log.mark()
    stop = asyncio.Event()
    bystander = target.browser().tab()
    await open_page(bystander, target.url, "/")
    samples: list[float] = []
    statuses: list[int] = []

    async def watch() -> None:
        while not stop.is_set():
            outcome = await load_home(bystander, timeout=30)
            samples.append(outcome.seconds if outcome.ok else 30.0)
            statuses.append(await http_alive(target.url))
            await asyncio.sleep(0.2)

    drops = sent = toasts = 0
    kinds: dict[str, int] = {}
    started = time.perf_counter()
    watcher = asyncio.create_task(watch())
    tokens = [str(uuid.uuid4()) for _ in range(sockets)]
    async with aiohttp.ClientSession() as http:

        async def abuse(token: str, batch: list) -> None:
            nonlocal drops, sent, toasts
            sock = RawSocket(target.url, token)
            await sock.open(http)
            for kind, frame in batch:
                if not sock.open_:
                    drops += 1
                    toasts += sock.error_toasts
                    sock = RawSocket(target.url, token)
                    await sock.open(http)
                try:
                    await sock.send(frame)
                    sent += 1
                    kinds[kind] = kinds.get(kind, 0) + 1
                except (ConnectionError, aiohttp.ClientError, RuntimeError):
                    drops += 1
                await asyncio.sleep(0)
            await asyncio.sleep(0.5)
            toasts += sock.error_toasts
            await sock.close()

        await asyncio.gather(*(abuse(t, b) for t, b in zip(tokens, per_socket, strict=True)))
    storm_s = time.perf_counter() - started
    # Let the queued events drain: each abused tab must hydrate again, promptly and cleanly.
    poisoned = 0
    for token in tokens:
        again = target.browser().tab(token)
        try:
            await open_page(again, target.url, "/", timeout=60)
            mark = await again.send(AuthState.toggle_password)
            ok = await again.until(lambda t, mark=mark: delta_has(t.since(mark), AuthState, "show_password"), 20)
            poisoned += 0 if ok and again.error_toasts == 0 else 1
        except Exception:
            poisoned += 1
        finally:
            await again.browser.close()
    stop.set()
    await watcher
    await bystander.browser.close()
    drained_s = time.perf_counter() - started
    alive = await http_alive(target.url)
    await _normal_person_works(target, after, result)
    errors, app_errors = target.log.tracebacks(mark)
    log_growth = target.log.mark() - mark
    five_xx = sum(1 for s in statuses if s >= 500) + (1 if alive >= 500 else 0)
    result.check(alive == 200, f"/ping answered {alive} after the storm")
    result.check(
        five_xx == 0 and 0 not in statuses, f"{five_xx} 5xx / {statuses.count(0)} no answer on /ping during the storm"
    )
    result.check(poisoned == 0, f"{poisoned} abused tabs could not hydrate and act again")
    result.check(app_errors == 0, f"{app_errors} tracebacks through the app's code")
    result.check(percentile(samples, 99) < 5, f"bystander feed p99 {percentile(samples, 99):.1f}s")
    result.numbers = {
        "events sent": sent,
        "by kind": kinds,
        "connections dropped by the server": drops,
        "error toasts to abusers": toasts,
        "bystander feed": latency(samples),
        "5xx": five_xx,
        "tracebacks (framework / app code)": f"{errors - app_errors} / {app_errors}",
        "app log written": f"{log_growth / 1e6:.1f} MB",
        "storm_s": round(storm_s, 1),
        "storm+drain_s": round(drained_s, 1),
    }
    return result


async def _normal_person_works(target: Target, person: Person | None, result: Result) -> None:
    if person is None:
        return
    client = target.browser().tab()
    try:
        await open_page(client, target.url, "/signin")
        signin = await sign_in(client, person.email, person.password)
        result.check(signin.ok, f"after the storm a normal sign-in failed: {signin.error!r}")
        await socket_actions.go(client, "/")
        posted = await socket_actions.post(client, f"Fine after the storm ({time.time():.0f})")
        result.check(posted.ok, f"after the storm a normal post failed: {posted.error!r}")
        result.numbers["after: sign-in / post_ms"] = f"{ms(signin.seconds)} / {ms(posted.seconds)}"
    finally:
        await client.browser.close()


# -- abuse: malformed REST bodies -------------------------------------------------------------------------


def malformed_requests(count: int, token: str, crud_uuid: str, seed: int = 11) -> list[tuple[str, str, dict]]:
    """`count` (method, path, httpx options) triples: broken bodies, headers, ids and cursors."""
    rng = random.Random(seed)
    good = {"Authorization": f"Bearer {token}"}
    bad_auth = [
        {},
        good,
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "a" * 20_000},
        {"Authorization": "Basic eDp5"},
        {"Authorization": "Bearer a.b.c"},
        {"Authorization": "Bearer " + token[:-4] + "AAAA"},
        {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."},
        {"Authorization": b"Bearer \xff\xfe"},
    ]
    odd = [None, 0, -1, 2**70, 1.5, True, "", "x" * 300, [], {}, ["a"], {"a": 1}, "\u0000", "😀" * 100]

    def body():
        choice = rng.randrange(9)
        if choice == 0:
            return {"content": bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))}
        if choice == 1:
            return {"content": b'{"message": "unterminated', "headers": {"Content-Type": "application/json"}}
        if choice == 2:
            return {"json": rng.choice(odd)}
        if choice == 3:
            return {"json": {"message": rng.choice(odd), "ttl": rng.choice([*odd, "1d", "7d"])}}
        if choice == 4:
            return {"json": {"message": "x" * rng.choice([281, 100_000, 2_000_000]), "ttl": "1d"}}
        if choice == 5:
            return {"content": "[" * 100_000 + "]" * 100_000, "headers": {"Content-Type": "application/json"}}
        if choice == 6:
            return {"data": {"message": "form", "ttl": "1d"}}
        if choice == 7:
            return {"json": {"message": "ok", "ttl": "1d", "handle": "someone_else", "sub": "x", "author": "y"}}
        return {"content": b'{"message": "a", "message": "b", "ttl": "1d"}', "headers": {"Content-Type": "text/plain"}}

    ids = [crud_uuid, crud_uuid.upper(), "not-a-uuid", "0" * 36, "%00", "..%2F..%2Fetc", "x" * 5000, "😀"]
    out = []
    for _ in range(count):
        choice = rng.randrange(6)
        headers = dict(rng.choice(bad_auth))
        if choice == 0:
            method, path = "POST", "/api/activities"
        elif choice == 1:
            method, path = "POST", f"/api/activities/{rng.choice(ids)}/reply"
        elif choice == 2:
            method, path = rng.choice(["POST", "GET", "PUT", "DELETE"]), f"/api/activities/{rng.choice(ids)}/like"
        elif choice == 3:
            cursor = rng.choice(["garbage", "x" * 600, "%00", "MjAyNnxub3BlCg", "=" * 50, "😀"])
            out.append(("GET", "/api/activities/home", {"params": {"cursor": cursor}, "headers": headers}))
            continue
        elif choice == 4:
            handle = rng.choice(["nobody", "x" * 5000, "%2F..", "😀", "a b", "andrewbrown"])
            out.append(("GET", f"/api/activities/@{handle}", {"headers": headers}))
            continue
        else:
            method, path = (
                rng.choice(["PATCH", "PUT", "DELETE", "POST"]),
                rng.choice(["/api/activities", "/api/nope", "/api/health"]),
            )
        options = body()
        options["headers"] = headers | options.get("headers", {})
        out.append((method, path, options))
    return out


def _body_size(options: dict) -> int:
    body = options.get("content") or options.get("json") or options.get("data") or ""
    return len(body) if isinstance(body, (str, bytes)) else len(json.dumps(body, default=str))


async def api_storm(target: Target, count: int, bearer: str, concurrency: int = 10) -> Result:
    """`count` malformed REST requests: no 5xx, no dropped connection; then a good post and read."""
    result = Result(f"abuse: {count} malformed REST requests")
    mark = target.log.mark()
    async with httpx.AsyncClient(base_url=target.url, timeout=30) as http:
        crud = (await http.get("/api/activities/home")).json()["cruds"][0]["uuid"]
        requests = malformed_requests(count, bearer, crud)
        statuses: dict[int, int] = {}
        failures: list[str] = []
        not_json: dict[str, int] = {}
        gate = asyncio.Semaphore(concurrency)

        async def one(method: str, path: str, options: dict) -> None:
            async with gate:
                try:
                    answer = await http.request(method, path, **options)
                    status = answer.status_code
                    if status >= 400 and "json" not in answer.headers.get("content-type", ""):
                        key = f"{status} {method} {path.rsplit('/', maxsplit=1)[-1] if status == 405 else ''}".strip()
                        not_json[key] = not_json.get(key, 0) + 1
                except httpx.HTTPError as error:
                    # A server may answer an oversized body without reading it and close the
                    # connection; the client then sees a reset instead of the answer.
                    if _body_size(options) > 1_000_000 and isinstance(
                        error, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
                    ):
                        status = "closed (oversized body)"
                    else:
                        status = 0
                        failures.append(f"{method} {path[:40]}: {type(error).__name__}")
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(one(*r) for r in requests))
        elapsed = time.perf_counter() - started
        auth = {"Authorization": f"Bearer {bearer}"}
        created = await http.post(
            "/api/activities", json={"message": "Fine after the REST storm", "ttl": "1d"}, headers=auth
        )
        home = await http.get("/api/activities/home")
    five_xx = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
    result.check(five_xx == 0, f"{five_xx} answers were 5xx")
    result.check(not failures, f"{len(failures)} requests got no answer: {failures[:3]}")
    result.check(created.status_code == 201, f"a good post afterwards answered {created.status_code}")
    result.check(
        home.status_code == 200 and home.json()["cruds"][0]["message"] == "Fine after the REST storm",
        "the feed afterwards does not show the good post",
    )
    errors, _ = target.log.tracebacks(mark)
    result.check(errors == 0, f"{errors} tracebacks in the app log")
    result.numbers = {
        "requests": count,
        "statuses": dict(sorted(statuses.items(), key=str)),
        "5xx": five_xx,
        "no answer": len(failures),
        "errors not in the JSON shape": not_json or 0,
        "tracebacks": errors,
        "elapsed_s": round(elapsed, 1),
    }
    return result


# -- the JWKS endpoint down after warm-up ---------------------------------------------------------------


async def jwks_cached(target: Target, person: Person) -> Result:
    """After warm-up the provider (and its JWKS endpoint) goes away: a CognitoJwtVerifier and the
    app's own verifier (through REST, with a token the app never saw) keep verifying on cached
    keys; a token naming an unknown key is refused."""
    from cruddur.auth.jwt import CognitoJwtVerifier, TokenError

    result = Result("JWKS endpoint down after warm-up: verification on cached keys")
    info = target.provider.info
    verifier = CognitoJwtVerifier(issuer=info["issuer"], client_id=info["client_id"])
    await asyncio.to_thread(verifier.warm)
    tokens = [await asyncio.to_thread(target.provider.access_token, person.email, person.password) for _ in range(3)]
    target.provider.stop()
    try:
        started = time.perf_counter()
        subs = {verifier.verify(t)["sub"] for t in tokens[:2]}
        verify_s = (time.perf_counter() - started) / 2
        result.check(len(subs) == 1, "tokens did not verify on the cached keys")
        verifier.jwks.cooldown = 0
        forged = tokens[0].split(".", 1)[1]
        header = (
            "eyJhbGciOiJSUzI1NiIsImtpZCI6InVua25vd24iLCJ0eXAiOiJKV1QifQ"  # {"alg":"RS256","kid":"unknown","typ":"JWT"}
        )
        try:
            verifier.verify(f"{header}.{forged}")
            result.failures.append("a token naming an unknown key was accepted")
        except TokenError as refusal:
            result.numbers["unknown key"] = f"refused ({refusal.code})"
        result.check(bool(verifier.verify(tokens[0])), "the failed fetch dropped the cached keys")
        async with httpx.AsyncClient(base_url=target.url, timeout=10) as http:
            rest = await http.get("/api/activities/home", headers={"Authorization": f"Bearer {tokens[2]}"})
        result.check(rest.status_code == 200, f"the app's REST API answered {rest.status_code} for a fresh token")
        result.numbers.update(
            {"verify on cached key_ms": round(verify_s * 1000, 3), "app REST with unseen token": rest.status_code}
        )
    finally:
        target.provider.start()
    return result
