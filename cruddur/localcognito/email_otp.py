"""E-mailed sign-in codes (the EMAIL_OTP first factor): six digits to the mailbox, single use,
expiring, and bound to the challenge Session they were sent for. A Session takes
`email_otp_attempts` wrong codes, then ends with its code; each wrong code also counts toward the
user's lock-out, as a wrong password does.

A user who must not be revealed — unknown, unconfirmed, disabled — gets the same answers from a
code sent nowhere (codes.send_nowhere), whose wrong guesses are counted on a stand-in."""

from sqlmodel import Session as DbSession

from . import auth_sessions, codes
from .decoys import decoy_sub
from .errors import code_expired
from .models import Code, User
from .provider import Provider

EMAIL_OTP = codes.EMAIL_OTP


def send(p: Provider, db: DbSession, user: User | None, username: str, now: float) -> tuple[dict, dict]:
    """Send a code to `user` (None: nowhere, for `username`'s stand-in): the challenge's
    parameters, and what its Session must carry to check the code."""
    if user is not None:
        delivery = codes.send(db, p.config, user, EMAIL_OTP, now)
        state: dict = {"u": user.sub, "x": False}
    else:
        delivery = codes.send_nowhere(db, p.config, p.keys.decoy_key, username, EMAIL_OTP, now)
        state = {"u": decoy_sub(p.keys.decoy_key, username), "x": True}
    # The code's expiry names it: a later code for the same user replaces it, and this Session's ends.
    state["e"] = now + codes.lifetime(p.config, EMAIL_OTP)
    parameters = {
        "CODE_DELIVERY_DELIVERY_MEDIUM": delivery["DeliveryMedium"],
        "CODE_DELIVERY_DESTINATION": delivery["Destination"],
    }
    return parameters, state


def accept(p: Provider, db: DbSession, session: str, state: dict, code: str, now: float) -> bool:
    """Whether `code` is the Session's code, spending it if so; a wrong guess is counted, and the last
    one allowed ends the Session with its code. A code replaced, spent or expired is ExpiredCodeException."""
    row = db.get(Code, (state["u"], EMAIL_OTP))
    if row is None or row.used or row.expires_at != state["e"] or now >= row.expires_at:
        raise code_expired()
    db.add(row)
    if codes.matches(row, code):
        row.used = True
        return True
    row.failed_attempts += 1
    if row.failed_attempts >= p.config.email_otp_attempts:
        row.used = True
        auth_sessions.finish(p, db, session, state, now)
    return False
