"""What "still signed in" means — the one place that says it. Pure rules over times and Cognito
error codes; the session store, the REST API and the Reflex handlers ask these, never decide
themselves.

- A session is open until it has gone `idle` without a visit, or `lifetime` has passed since
  sign-in, whichever comes first; then it is ended (and its row purged).
- Its access token is refreshed once it has less than `refresh_margin` left, so no request ever
  carries a token that expires on the way. Every `recheck` the person is also looked up at
  Cognito (GetUser), so a user disabled or deleted there is signed out within that time.
- Cognito refusing a refresh or the look-up (revoked, disabled, deleted, expired) ends the
  session. Cognito unreachable does not: the session is kept, used while its access token still
  holds, and not shown as signed in once it does not.
- A tab that verified its session may trust that verification for `reuse` (one page load's
  chain of events), not longer.
- An unconfirmed person cannot have a session: signing in sends them to confirm their e-mail.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

UNREACHABLE = "Unavailable"  # CognitoError.code when Cognito cannot be reached
UNCONFIRMED = "UserNotConfirmedException"


class Resume(Enum):
    USE = "use"  # the stored access token is good for now
    REFRESH = "refresh"  # refresh it with Cognito first
    RECHECK = "recheck"  # good, but ask Cognito whether the person still may sign in
    END = "end"  # idle or too old: the session is over


@dataclass(frozen=True)
class SessionTimes:
    created_at: datetime
    last_seen_at: datetime
    access_expires_at: datetime
    rechecked_at: datetime


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(days=7)
    lifetime: timedelta = timedelta(days=30)
    refresh_margin: timedelta = timedelta(minutes=5)
    recheck: timedelta = timedelta(minutes=5)
    # Writing "last seen" at most this often keeps a busy tab from writing on every event.
    touch_every: timedelta = timedelta(minutes=5)
    reuse: timedelta = timedelta(seconds=2)

    def expires_at(self, created_at: datetime, last_seen_at: datetime) -> datetime:
        return min(created_at + self.lifetime, last_seen_at + self.idle)

    def resume(self, times: SessionTimes, now: datetime) -> Resume:
        if now >= self.expires_at(times.created_at, times.last_seen_at):
            return Resume.END
        if times.access_expires_at - now < self.refresh_margin:
            return Resume.REFRESH
        if now - times.rechecked_at >= self.recheck:
            return Resume.RECHECK
        return Resume.USE

    def touch_due(self, last_seen_at: datetime, now: datetime) -> bool:
        return now - last_seen_at >= self.touch_every

    @staticmethod
    def refusal_ends_session(code: str) -> bool:
        """Cognito refused (anything but unreachable): the session is over."""
        return code != UNREACHABLE

    @staticmethod
    def usable_while_unreachable(access_expires_at: datetime, now: datetime) -> bool:
        return access_expires_at > now
