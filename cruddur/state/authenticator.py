"""What a person needs to add Cruddur to their authenticator app — the secret, as text and as a
QR code — and the recovery codes they get once: sent to the page for display and kept in the
browser only (client-side state), never in the server's state, which is kept at rest."""

import segno
from pyotp.totp import TOTP
from reflex.experimental.client_state import ClientStateVar
from reflex_base.event import EventSpec

ISSUER = "Cruddur"
# The input an authenticator-app code is typed in, in every form that asks for one (the error
# table in auth/errors.py marks and focuses it by this name).
CODE_FIELD = "mfa"

# {"secret": base32 text, "qr": an SVG data: URI}; {} when nothing is being set up.
SETUP = ClientStateVar.create("cruddur_authenticator_setup", {"secret": "", "qr": ""})
RECOVERY_CODES = ClientStateVar.create("cruddur_recovery_codes", [])


def show_setup(secret: str, email: str) -> EventSpec:
    """The secret and its `otpauth://` QR code (issuer Cruddur, the person's e-mail), shown."""
    uri = TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#1a1523", light="#ffffff")
    return SETUP.push({"secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)), "qr": qr})


def hide_setup() -> EventSpec:
    return SETUP.push({"secret": "", "qr": ""})


def show_recovery_codes(codes: list[str]) -> EventSpec:
    return RECOVERY_CODES.push(codes)
