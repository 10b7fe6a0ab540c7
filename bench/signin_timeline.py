"""One press of a sign-in button as a timeline, for `bench_signin.py`: the page's own marks, the
websocket frames Chromium saw (the Chrome DevTools Protocol's Network domain), and the served
app's calls (`bench/signin_trace/sitecustomize.py`), cut into the segments that sum to the press.

Clocks: everything is on one machine and read as wall-clock epoch seconds (CLOCK_REALTIME). The
page marks `performance.now()` (an event's `timeStamp`) shifted onto `Date.now()` at the moment
of the mark: `performance.timeOrigin + now()` was seen to run tens of ms apart from the other
two clocks, as Chromium fixes timeOrigin's wall-clock offset once per renderer process. CDP stamps
frames on its monotonic clock, turned into wall time by the offset its own
`Network.requestWillBeSent` events give (`wallTime - timestamp`); the server writes `time.time()`.
"""

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import CDPSession, Page

# In every page: the time of the press (a click on a button, once armed), each URL change the
# router makes, the passkey ceremony (the authenticator's own time), and an animation-frame
# watcher that notes the first frame in which the home feed shows a crud.
PAGE_MARKS = """(() => {
  // performance.now() (or an event's timeStamp) read as wall-clock time, as Date.now() reads it now.
  const wall = (at) => (Date.now() - performance.now() + at) / 1000;
  const now = () => wall(performance.now());
  const marks = (window.__bench = { armed: false, press: 0, urls: [], painted: 0, ceremony: [] });
  // `until`: a selector whose first match, once laid out, ends the press (default: a crud on /).
  let until = null;
  window.__benchArm = (selector) => {
    until = selector || null;
    Object.assign(marks, { armed: true, press: 0, urls: [], painted: 0, ceremony: [] });
  };
  const watch = () => {
    const feed = location.pathname === "/" && "article.cr-crud";
    const shown = (until || feed) && document.querySelector(until || feed);
    if (shown && shown.getBoundingClientRect().height > 0) marks.painted = now();
    else requestAnimationFrame(watch);
  };
  document.addEventListener("click", (event) => {
    if (!marks.armed || !event.target.closest("button")) return;
    marks.armed = false;
    marks.press = wall(event.timeStamp);
    requestAnimationFrame(watch);
  }, true);
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name].bind(history);
    history[name] = (...args) => {
      const result = original(...args);
      marks.urls.push([now(), location.pathname]);
      return result;
    };
  }
  if (navigator.credentials) {
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = async (options) => {
      const started = now();
      try { return await get(options); }
      finally { if (options?.mediation !== "conditional") marks.ceremony.push([started, now()]); }
    };
  }
})()"""

# The segments of a press, in order; each ends where the next begins, so they sum to the press.
SEGMENTS = [
    ("event to server", "press -> the server takes the event off the websocket"),
    ("Cognito exchange", "SRP (InitiateAuth + RespondToAuthChallenge), or the code or passkey answer"),
    ("authenticator", "the passkey ceremony in the browser (the authenticator's own time)"),
    ("session write", "tokens verified, profile, session + security-log rows, sign-in ticket"),
    ("rest of handler", "the sign-in handler's other work, locks and its first updates"),
    ("redirect to page", "the redirect's update leaves the server -> its frame reaches the page"),
    ("route change", "redirect frame -> the router changes the URL"),
    ("home page render", "URL change -> the first crud visible, when the sign-in sent the feed"),
    ("on_load to server", "URL change -> the server takes the page's on_load event (load_home)"),
    ("session resume", "the load event resumes the session again (+ suggested profiles)"),
    ("feed query", "the home feed's page query"),
    ("rest of load", "the load event's other work, locks and updates"),
    ("feed to page", "the feed's update leaves the server -> its frame reaches the page"),
    ("paint", "feed frame -> the first crud visible in an animation frame"),
]
# With the feed sent by the sign-in itself (on the way home: the update just before the redirect's),
# the page paints it as it renders: the segments of the page's own load come after and count nothing.
LOAD_SEGMENTS = ("on_load to server", "session resume", "feed query", "rest of load", "feed to page", "paint")


class FrameLog:
    """The websocket frames of one page, from CDP, in wall-clock seconds."""

    def __init__(self, cdp: CDPSession):
        self.sent: list[tuple[float, dict]] = []
        self.received: list[tuple[float, dict]] = []
        self.requests: list[tuple[float, str]] = []  # (wall time, URL), for --detail
        self._offsets: list[float] = []
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.webSocketFrameSent", lambda e: self._note(self.sent, e))
        cdp.on("Network.webSocketFrameReceived", lambda e: self._note(self.received, e))
        cdp.send("Network.enable")

    def _request(self, event: dict) -> None:
        self._offsets.append(event["wallTime"] - event["timestamp"])
        self.requests.append((event["wallTime"], event["request"]["url"]))

    def _note(self, into: list, event: dict) -> None:
        message = _socketio_message(event["response"]["payloadData"])
        if message is not None:
            into.append((event["timestamp"], message))

    def clear(self) -> None:
        self.sent.clear()
        self.received.clear()
        self.requests.clear()

    def wall(self, stamp: float) -> float:
        return stamp + statistics.median(self._offsets)


def _socketio_message(payload: str) -> dict | None:
    """The event a Socket.IO frame (`42/_event,["event", {...}]`) carries, or None."""
    start = payload.find("[")
    if not payload.startswith("42") or start < 0:
        return None
    try:
        body = json.loads(payload[start:])
    except ValueError:
        return None
    return body[1] if len(body) > 1 and isinstance(body[1], dict) else None


def _events(message: dict) -> list[str]:
    return [event.get("name", "") for event in message.get("events") or [] if isinstance(event, dict)]


def _has_cruds(message: dict) -> bool:
    delta = message.get("delta") or {}
    return any(isinstance(v, dict) and v.get("cruds_rx_state_") for v in delta.values())


@dataclass
class Press:
    """One press's marks, all in wall-clock seconds."""

    total: float
    parts: dict[str, float]
    timeline: list[tuple[float, str]] = field(default_factory=list)


class Trace:
    """The served app's trace file, read from where the last press left it."""

    def __init__(self, path: Path):
        self.path, self._offset = path, 0

    def since_last(self) -> list[dict]:
        with self.path.open() as trace:
            trace.seek(self._offset)
            lines = trace.readlines()
            self._offset = trace.tell()
        return [json.loads(line) for line in lines]


def arm(page: Page, frames: FrameLog, trace: Trace) -> None:
    """Just before a press: fresh marks, frames and trace."""
    trace.since_last()
    frames.clear()
    page.evaluate("window.__benchArm()")


def round_trip(page: Page, press, selector: str) -> float:
    """The floor: seconds from `press()` (a click on a button) until `selector` is laid out."""
    page.evaluate("(selector) => window.__benchArm(selector)", selector)
    press()
    page.wait_for_function("window.__bench.painted > 0")
    marks = page.evaluate("window.__bench")
    return marks["painted"] - marks["press"]


def _first(items, test, label: str):
    for item in items:
        if test(item):
            return item
    raise LookupError(f"no {label} in this press's timeline")


def _spans(records: list[dict], what: str, start: float, end: float) -> float:
    return sum(r["t1"] - r["t0"] for r in records if r["what"] == what and start <= r["t0"] <= end)


def cut(page: Page, frames: FrameLog, trace: Trace, first: str) -> Press:
    """The press just made, cut into SEGMENTS. `first`: the handler the press sends (`sign_in`,
    `answer_code`, `sign_in_with_passkey`)."""
    marks = page.evaluate("window.__bench")
    records = trace.since_last()
    timeline = _timeline(marks, frames, records)
    try:
        return _cut(marks, frames, records, first, timeline)
    except LookupError as missing:
        shown = "\n".join(f"  {1000 * (t - timeline[0][0]):8.1f} ms  {what}" for t, what in timeline)
        raise LookupError(f"{missing}; the press:\n{shown}") from None


def _cut(marks: dict, frames: FrameLog, records: list[dict], first: str, timeline: list) -> Press:
    press, painted = marks["press"], marks["painted"]
    served_in = _first(_named(records, first), lambda r: r["t0"] >= press - CLOCK_SLACK, first)["t0"]
    redirect_out = _first(_updates(records, served_in), lambda r: "_redirect" in r["events"], "redirect update")["t0"]
    redirect_frame = _first(frames.received, lambda f: "_redirect" in _events(f[1]), "redirect frame")
    redirect_in = frames.wall(redirect_frame[0])
    url_changed = _first(marks["urls"], lambda u: u[0] >= redirect_in - CLOCK_SLACK and u[1] == "/", "URL change")[0]
    ceremony = sum(end - start for start, end in marks["ceremony"])
    cognito = _spans(records, "cognito", served_in, redirect_out)
    written = _spans(records, "session_write", served_in, redirect_out)
    parts = {
        "event to server": served_in - press,
        "Cognito exchange": cognito,
        "authenticator": ceremony,
        "session write": written,
        "rest of handler": redirect_out - served_in - cognito - written - ceremony,
        "redirect to page": redirect_in - redirect_out,
        "route change": url_changed - redirect_in,
    }
    feed_in = frames.wall(_first(frames.received, lambda f: _has_cruds(f[1]), "feed frame")[0])
    if feed_in <= redirect_in:  # the sign-in's own update carried the feed, just before the redirect
        parts |= {"home page render": painted - url_changed} | dict.fromkeys(LOAD_SEGMENTS, 0.0)
        return Press(painted - press, parts, timeline)
    load_in = _first(_named(records, "on_load_internal"), lambda r: r["t0"] >= redirect_out, "load event")["t0"]
    feed_out = _first(_updates(records, load_in), lambda r: r["cruds"] > 0, "feed update")["t0"]
    resumed = _spans(records, "resume", load_in, feed_out) + _spans(records, "suggested", load_in, feed_out)
    queried = _spans(records, "feed_query", load_in, feed_out)
    parts |= {
        "home page render": 0.0,
        "on_load to server": load_in - url_changed,
        "session resume": resumed,
        "feed query": queried,
        "rest of load": feed_out - load_in - resumed - queried,
        "feed to page": feed_in - feed_out,
        "paint": painted - feed_in,
    }
    return Press(painted - press, parts, timeline)


# The page's clock and the server's may read a millisecond or so apart.
CLOCK_SLACK = 0.005


def _named(records: list[dict], handler: str):
    return (r for r in records if r["what"] == "event_in" and r["name"].endswith("." + handler))


def _updates(records: list[dict], since: float):
    return (r for r in records if r["what"] == "update_out" and r["t0"] >= since)


def _timeline(marks: dict, frames: FrameLog, records: list[dict]) -> list[tuple[float, str]]:
    """Every mark, frame and server call of the press, in order (for `--detail`)."""
    lines = [(marks["press"], "page  press"), (marks["painted"], "page  first crud painted")]
    lines += [(t, f"page  URL -> {path}") for t, path in marks["urls"]]
    lines += [(t0, f"page  passkey ceremony {1000 * (t1 - t0):.1f} ms") for t0, t1 in marks["ceremony"]]
    lines += [(frames.wall(t), f"ws >  {m.get('name', '').rsplit('.', 1)[-1]}") for t, m in frames.sent]
    lines += [(t, f"http  {url.split('/', 3)[-1][:70]}") for t, url in frames.requests]
    lines += [(frames.wall(t), f"ws <  events={_events(m)} cruds={_has_cruds(m)}") for t, m in frames.received]
    for r in records:
        if r["what"] == "event_in":
            lines.append((r["t0"], f"srv   event in {r['name'].rsplit('.', 1)[-1]}"))
        elif r["what"] == "update_out":
            lines.append((r["t0"], f"srv   update out events={r['events']} cruds={r['cruds']}"))
        elif r["what"] == "ws_write":
            lines.append((r["t0"], "srv   frame handed to the ASGI server"))
        else:
            lines.append((r["t0"], f"srv   {r['what']} {1000 * (r['t1'] - r['t0']):.1f} ms"))
    return sorted(line for line in lines if line[0] >= marks["press"] - CLOCK_SLACK)
