"""Codes from an authenticator app, as a person's phone shows them: pyotp over the secret the
page showed, one time step after another (the pool takes each step's code once, and one step
early or late), waiting for the clock when a test has used up the steps it accepts."""

import json
import re
import time

import pyotp

STEP_SECONDS = 30
# A step one back is still accepted; not when the step ends before the pool can check the code.
MARGIN_SECONDS = 5
_SECRET = re.compile(r'\["secret"\] : "([A-Z2-7 ]+)"')
_CODES = re.compile(r"cruddur_recovery_codes.*?\)\((\[[^\]]*\])\)")


def _pushed(events, pattern: re.Pattern) -> str:
    for event in events:
        if match := pattern.search(str(getattr(event, "args", ""))):
            return match[1]
    raise AssertionError(f"nothing matching {pattern.pattern} was shown")


def shown_secret(events) -> str:
    """The authenticator-app key a handler sent the page (grouped by four there)."""
    return _pushed(events, _SECRET).replace(" ", "")


def shown_recovery_codes(events) -> list[str]:
    return json.loads(_pushed(events, _CODES))


class Phone:
    def __init__(self, secret: str):
        self._totp = pyotp.TOTP(secret)
        self._last_step = -1

    def code(self) -> str:
        """A code the pool has not taken yet: the oldest step it still accepts safely."""
        now = time.time()
        oldest = int(now // STEP_SECONDS) - (1 if now % STEP_SECONDS < STEP_SECONDS - MARGIN_SECONDS else 0)
        step = max(self._last_step + 1, oldest)
        while step > int(time.time() // STEP_SECONDS) + 1:  # every step it accepts is used
            time.sleep(1)
        self._last_step = step
        return self._totp.at(step * STEP_SECONDS)

    def wrong_code(self) -> str:
        """Six digits the pool refuses: no step it accepts now shows them."""
        now = int(time.time())
        right = {self._totp.at(now + offset) for offset in range(-2 * STEP_SECONDS, 3 * STEP_SECONDS, STEP_SECONDS)}
        return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in right)
