"""A person's security activity: sign-ins, failed second factors, password, e-mail and two-step
changes, when and from where. Kept by the app (Cognito's own log is the pool owner's)."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from cruddur.models import SecurityEvent
from cruddur.services.clock import short_span, utcnow
from cruddur.services.sessions import Client, browser_name

SHOWN = 50
# What each kind reads as in the list.
KINDS = {
    "signed_in": "Signed in",
    "second_factor_failed": "Wrong code from the authenticator app",
    "recovery_code_used": "Signed in with a recovery code (two-step verification turned off)",
    "password_changed": "Password changed",
    "password_reset": "Password reset",
    "email_changed": "Email address changed",
    "two_step_on": "Two-step verification turned on",
    "passkey_added": "Passkey added",
    "passkey_removed": "Passkey removed",
    "two_step_off": "Two-step verification turned off",
    "signed_out_everywhere": "Signed out everywhere",
}


@dataclass
class ActivityLine:
    what: str
    ago: str
    at: str
    where: str
    browser: str


def record(session: Session, sub: str, kind: str, client: Client) -> None:
    if kind not in KINDS:
        raise ValueError(f"not a security event: {kind}")
    session.add(
        SecurityEvent(sub=sub, kind=kind, at=utcnow(), user_agent=client.user_agent[:256], address=client.address[:64])
    )
    session.commit()


def recent(session: Session, sub: str) -> list[ActivityLine]:
    rows = session.exec(
        select(SecurityEvent).where(col(SecurityEvent.sub) == sub).order_by(col(SecurityEvent.at).desc()).limit(SHOWN)
    ).all()
    now = utcnow()
    return [
        ActivityLine(
            what=KINDS[r.kind],
            ago=short_span(now - r.at),
            at=r.at.isoformat(timespec="seconds"),
            where=r.address,
            browser=browser_name(r.user_agent),
        )
        for r in rows
    ]
