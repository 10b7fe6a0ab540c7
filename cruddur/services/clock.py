"""Time as Cruddur keeps it: aware UTC datetimes (SQLModel refuses naive ones)."""

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def short_span(span: timedelta) -> str:
    """A span as Cruddur shows it: `now`, `42s`, `5m`, `3h`, `12d`."""
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def readable(at: datetime) -> str:
    """A moment as a person reads it in a list: `3 Dec 2026, 15:17 UTC`."""
    return f"{at.day} {at:%b %Y, %H:%M} UTC"
