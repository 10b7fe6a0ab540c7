"""amazon-cognito-identity-js, in headless Chromium on a page of another origin, against
localcognito: sign-up, confirmation with the mailbox code, SRP sign-in (USER_SRP_AUTH, the
library's default and its own JavaScript SRP client), GetUser, refresh, global sign-out, and
password recovery. Every call
is a cross-origin fetch, so each step also proves the CORS answers."""

import uuid

import pytest

PASSWORD = "Corr3ct-horse!"
NEW_PASSWORD = "N3w-battery-staple!"


@pytest.fixture
def email():
    return f"spa-{uuid.uuid4().hex[:12]}@example.com"


def test_sign_up_confirm_srp_sign_in_and_get_user(spa, browser_pool, email):
    signed_up = spa.ok("signUp", email, PASSWORD, "Jane Browser")
    assert signed_up["userConfirmed"] is False

    # Not confirmed yet: the refusal reaches the page as Cognito's error, readable across origins.
    refused = spa.call("signIn", email, PASSWORD)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "UserNotConfirmedException"

    spa.ok("confirmSignUp", email, browser_pool.latest_code(email, "SIGN_UP"))

    session = spa.ok("signIn", email, PASSWORD)
    assert session["flow"] == "USER_SRP_AUTH"
    assert session["valid"] is True
    assert session["hasRefreshToken"] is True
    assert session["idClaims"]["email"] == email
    assert session["idClaims"]["sub"] == signed_up["userSub"]
    assert session["idClaims"]["aud"] == browser_pool.handle.client_id
    assert session["idClaims"]["iss"] == browser_pool.handle.issuer
    assert session["accessClaims"]["token_use"] == "access"

    attributes = spa.ok("getUserAttributes", email)
    assert attributes["email"] == email
    assert attributes["email_verified"] == "true"
    assert attributes["name"] == "Jane Browser"
    assert attributes["sub"] == signed_up["userSub"]

    refreshed = spa.ok("refreshSession", email)
    assert refreshed["valid"] is True
    assert refreshed["idClaims"]["auth_time"] == session["idClaims"]["auth_time"]
    assert refreshed["idClaims"]["origin_jti"] == session["idClaims"]["origin_jti"]

    spa.ok("globalSignOut", email)
    revoked = spa.call("getUserAttributes", email)
    assert revoked["ok"] is False
    assert revoked["error"]["code"] == "NotAuthorizedException"

    wrong = spa.call("signIn", email, "Wr0ng-password!")
    assert wrong["ok"] is False
    assert (wrong["error"]["code"], wrong["error"]["message"]) == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    assert not [line for line in spa.console if "CORS" in line or "pageerror" in line], spa.console


def test_forgot_password_and_confirm_password(spa, browser_pool, email):
    browser_pool.confirmed_user(email, PASSWORD)

    delivery = spa.ok("forgotPassword", email)
    assert delivery["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = browser_pool.latest_code(email, "FORGOT_PASSWORD")

    mismatch = spa.call("confirmPassword", email, "000000" if code != "000000" else "111111", NEW_PASSWORD)
    assert mismatch["ok"] is False
    assert mismatch["error"]["code"] == "CodeMismatchException"

    spa.ok("confirmPassword", email, code, NEW_PASSWORD)

    assert spa.call("signIn", email, PASSWORD)["error"]["code"] == "NotAuthorizedException"
    session = spa.ok("signIn", email, NEW_PASSWORD)
    assert session["idClaims"]["email"] == email
    assert spa.ok("getUserAttributes", email)["email"] == email
