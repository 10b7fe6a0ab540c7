"""How long a crud lives: the choices a person picks from, defined once for the UI and the API."""

from datetime import timedelta
from enum import StrEnum


class Ttl(StrEnum):
    DAYS_30 = "30d"
    DAYS_7 = "7d"
    DAYS_3 = "3d"
    DAY_1 = "1d"
    HOURS_12 = "12h"
    HOURS_3 = "3h"
    HOUR_1 = "1h"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def span(self) -> timedelta:
        return _SPANS[self]


_LABELS = {
    Ttl.DAYS_30: "30 days",
    Ttl.DAYS_7: "7 days",
    Ttl.DAYS_3: "3 days",
    Ttl.DAY_1: "1 day",
    Ttl.HOURS_12: "12 hours",
    Ttl.HOURS_3: "3 hours",
    Ttl.HOUR_1: "1 hour",
}
_SPANS = {
    Ttl.DAYS_30: timedelta(days=30),
    Ttl.DAYS_7: timedelta(days=7),
    Ttl.DAYS_3: timedelta(days=3),
    Ttl.DAY_1: timedelta(days=1),
    Ttl.HOURS_12: timedelta(hours=12),
    Ttl.HOURS_3: timedelta(hours=3),
    Ttl.HOUR_1: timedelta(hours=1),
}
DEFAULT_TTL = Ttl.DAYS_7
