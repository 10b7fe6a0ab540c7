"""Federated sign-in, the app's half, against the real embedded provider's managed login and a real
OpenID provider (npm's oidc-provider, tests/support/dev_oidc): the backend's `/_federation/*`
routes driven over ASGI, the provider's login and consent pages walked with httpx."""

import warnings
from datetime import timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

with warnings.catch_warnings():  # starlette would rather have httpx2, which the project does not use
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from cruddur import runtime
from cruddur.auth.errors import FRIENDLY, friendly
from cruddur.auth.jwt import CognitoJwtVerifier
from cruddur.auth.managed_login import FederationError, ManagedLogin
from cruddur.dev_oidc import DEV_OIDC_PROVIDER as PROVIDER
from cruddur.dev_oidc import register
from cruddur.federation_routes import federation_routes
from cruddur.models import FederationLink
from cruddur.services.accounts import AccountError, SignedIn
from cruddur.services.clock import utcnow
from cruddur.services.federation import Federation
from cruddur.services.second_steps import LIFETIME_SECONDS
from cruddur.services.sessions import Client
from cruddur.settings import FEDERATION_COOKIE as FLOW_COOKIE
from cruddur.settings import LINK_COOKIE, SESSION_COOKIE
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.second_step import SecondStepState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.support.mailbox import latest_code
from tests.support.oidc_provider import ACCOUNTS, sign_in_at, start_oidc_provider
from tests.support.tabs import Tab, redirects
from tests.support.totp import Phone, shown_secret

APP = "http://localhost:3000"
CALLBACK = f"{APP}/_federation/callback"
CLIENT = Client(address="127.0.0.1", user_agent="tests")
UNVERIFIED = {"sub": "mallory", "email": "ada@example.com", "email_verified": False, "name": "Mallory"}


@pytest.fixture
def fed(make_settings, database):
    settings = make_settings(database_url=database.url, federated_providers=PROVIDER)
    idp = start_oidc_provider(
        [f"http://127.0.0.1:{settings.local_cognito_port}/oauth2/idpresponse"], accounts=[*ACCOUNTS, UNVERIFIED]
    )
    try:
        rt = runtime.start(settings)
        try:
            register(rt.identity.pool, idp.issuer, client_id=idp.client_id, client_secret=idp.client_secret)
            yield rt
        finally:
            runtime.stop()
    finally:
        idp.stop()


@pytest.fixture
def app(fed):
    with TestClient(federation_routes(fed.settings), base_url=APP) as client:
        yield client


def set_cookies(response) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def start(app, provider: str = PROVIDER, **query: str):
    answer = app.get("/_federation/start", params={"provider": provider, **query}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"], set_cookies(answer).get(FLOW_COOKIE, "")


def at_provider(authorize_url: str, login: str, browser: httpx.Client | None = None) -> str:
    """The callback URL the managed login sends the browser back to, after `login` consents."""
    own = browser or httpx.Client()
    try:
        back = sign_in_at(own, own.get(authorize_url), login, until=CALLBACK)
    finally:
        if browser is None:
            own.close()
    return back.headers["location"]


def callback(app, url: str, **cookies: str):
    path = urlsplit(url)
    header = "; ".join(f"{name}={value}" for name, value in cookies.items() if value)
    return app.get(f"{path.path}?{path.query}", headers={"cookie": header} if header else {}, follow_redirects=False)


def signed_up(rt, email="ada@example.com", handle="ada") -> str:
    rt.accounts.sign_up(name="Ada Lovelace", email=email, handle=handle, password=PASSWORD, client=CLIENT)
    code = latest_code(rt.embedded.mailbox_url, email)
    rt.accounts.confirm_sign_up(email=email, code=code, client=CLIENT)
    return email


def refusal(answer) -> str:
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"{APP}/signin?"), location
    return query_of(location)["federation_error"]


# -- the flow ---------------------------------------------------------------------------------------


def test_the_start_sends_the_browser_to_managed_login_with_pkce_state_and_nonce(app, fed):
    location, sealed = start(app)
    query = query_of(location)
    assert location.startswith(f"{fed.identity.pool.endpoint_url}/oauth2/authorize?")
    assert query["identity_provider"] == PROVIDER
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == CALLBACK and query["client_id"] == fed.identity.pool.client_id
    assert query["state"] and query["nonce"] and query["state"] not in sealed and query["nonce"] not in sealed
    answer = app.get("/_federation/start", params={"provider": PROVIDER}, follow_redirects=False)
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(FLOW_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=600" in cookie


def test_a_first_federated_sign_in_opens_a_session_and_asks_for_a_handle(app, fed):
    location, sealed = start(app)
    answer = callback(app, at_provider(location, "bob"), **{FLOW_COOKIE: sealed})
    assert answer.status_code == 303 and answer.headers["location"] == f"{APP}/welcome"
    cookies = set_cookies(answer)
    assert cookies[FLOW_COOKIE] == ""  # one use
    handle = cookies[SESSION_COOKIE]
    viewer = fed.accounts.resume(handle)
    assert viewer is not None and viewer.handle == "" and viewer.display_name == "Bob"
    session_cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in session_cookie
    made = fed.accounts.choose_handle(handle, handle="bob_builds", name="Bob")
    assert made.handle == "bob_builds"
    # Signed out (everywhere) and in again: the same person, now with a profile, straight home.
    fed.accounts.sign_out(handle)
    assert fed.accounts.resume(handle) is None
    location, sealed = start(app)
    again = callback(app, at_provider(location, "bob"), **{FLOW_COOKIE: sealed})
    assert again.headers["location"] == f"{APP}/"
    assert fed.accounts.resume(set_cookies(again)[SESSION_COOKIE]).sub == viewer.sub


def test_a_federated_sign_in_goes_back_to_the_page_it_started_from(app, fed):
    location, sealed = start(app)
    first = callback(app, at_provider(location, "bob"), **{FLOW_COOKIE: sealed})
    fed.accounts.choose_handle(set_cookies(first)[SESSION_COOKIE], handle="bob_builds", name="Bob")
    location, sealed = start(app, next="/@bob_builds")
    assert "bob_builds" not in location  # carried in the sealed cookie, not through the provider
    answer = callback(app, at_provider(location, "bob"), **{FLOW_COOKIE: sealed})
    assert answer.headers["location"] == f"{APP}/@bob_builds"
    for elsewhere in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        location, sealed = start(app, next=elsewhere)
        answer = callback(app, at_provider(location, "bob"), **{FLOW_COOKIE: sealed})
        assert answer.headers["location"] == f"{APP}/", elsewhere


def test_sign_out_goes_through_managed_logins_logout(fed):
    url = fed.federation.login.logout_url()
    assert url.startswith(f"{fed.identity.pool.endpoint_url}/logout?")
    assert query_of(url) == {"client_id": fed.identity.pool.client_id, "logout_uri": f"{APP}/"}
    with httpx.Client() as browser:
        answer = browser.get(url)
    assert answer.status_code in (302, 303) and answer.headers["location"] == f"{APP}/"


# -- refusals -----------------------------------------------------------------------------------------


def test_a_forged_state_is_refused(app):
    location, sealed = start(app)
    back = at_provider(location, "carol")
    forged = back.replace(f"state={query_of(back)['state']}", "state=forged-state")
    assert refusal(callback(app, forged, **{FLOW_COOKIE: sealed})) == "StateMismatch"


def test_a_callback_without_this_browsers_cookie_is_refused(app):
    location, _sealed = start(app)
    _other, other_sealed = start(app)  # another flow's cookie (another browser's, say)
    back = at_provider(location, "carol")
    assert refusal(callback(app, back)) == "StateMismatch"
    assert refusal(callback(app, back, **{FLOW_COOKIE: other_sealed})) == "StateMismatch"


def test_a_replayed_callback_is_refused_and_a_code_is_spent_once(app, fed):
    location, sealed = start(app)
    back = at_provider(location, "dave")
    first = callback(app, back, **{FLOW_COOKIE: sealed})
    assert SESSION_COOKIE in set_cookies(first)
    # The same state and cookie again (the cookie was cleared, but a copy kept): the code is spent.
    assert refusal(callback(app, back, **{FLOW_COOKIE: sealed})) == "CodeNotRedeemed"
    assert refusal(callback(app, back)) == "StateMismatch"


def test_a_wrong_redirect_uri_is_refused_at_the_code_exchange(fed, app):
    location, sealed = start(app)
    back = at_provider(location, "erin")
    query = query_of(back)
    wrong = ManagedLogin(
        domain_url=fed.federation.login.domain_url,
        client_id=fed.identity.pool.client_id,
        callback_url=f"{APP}/elsewhere",
        sign_out_url=f"{APP}/",
        verifier=fed.identity.verifier,
    )
    with pytest.raises(FederationError) as refused:
        wrong.finish(state=query["state"], code=query["code"], sealed=sealed)
    assert refused.value.code == "CodeNotRedeemed"


def test_a_redirect_uri_managed_login_does_not_know_never_reaches_the_app(fed, app):
    location, _ = start(app)
    elsewhere = location.replace("_federation%2Fcallback", "elsewhere")
    with httpx.Client() as browser:
        answer = browser.get(elsewhere)
    assert answer.is_redirect and "error=redirect_mismatch" in answer.headers["location"]
    assert not answer.headers["location"].startswith(APP)


def test_an_id_token_with_another_nonce_or_audience_is_refused(fed, app):
    location, sealed = start(app)
    back = at_provider(location, "frank")
    query = query_of(back)
    done = fed.federation.login.finish(state=query["state"], code=query["code"], sealed=sealed)
    with pytest.raises(FederationError) as refused:
        fed.federation.login.verified_id_token(done.tokens.id_token, nonce="another flow's nonce")
    assert refused.value.code == "NonceMismatch"
    other_app = ManagedLogin(
        domain_url=fed.federation.login.domain_url,
        client_id="anotherclient",
        callback_url=CALLBACK,
        sign_out_url=f"{APP}/",
        verifier=CognitoJwtVerifier(issuer=fed.identity.pool.issuer, client_id="anotherclient"),
    )
    with pytest.raises(FederationError) as refused:
        other_app.verified_id_token(done.tokens.id_token, nonce=done.id_claims["nonce"])
    assert refused.value.code == "TokenRefused"


def test_the_provider_saying_no_comes_back_as_a_plain_refusal(app):
    assert refusal(app.get("/_federation/callback?error=access_denied&state=x", follow_redirects=False)) == (
        "ProviderRefused"
    )
    assert refusal(app.get("/_federation/start?provider=Nobody", follow_redirects=False)) == "UnknownProvider"


def test_every_refusal_has_its_own_friendly_message():
    for code in ("StateMismatch", "CodeNotRedeemed", "NonceMismatch", "TokenRefused", "UnverifiedEmail", "LinkExpired"):
        assert code in FRIENDLY and friendly(code).message != friendly("SomethingElse").message


# -- linking to a password account ------------------------------------------------------------------


def test_a_verified_email_of_a_password_account_links_only_after_the_password(app, fed):
    email = signed_up(fed, "alice@example.com", "alice_pw")
    location, sealed = start(app)
    answer = callback(app, at_provider(location, "alice"), **{FLOW_COOKIE: sealed})
    assert answer.headers["location"] == f"{APP}/signin/link"
    cookies = set_cookies(answer)
    assert SESSION_COOKIE not in cookies  # nobody is signed in yet
    link = cookies[LINK_COOKIE]
    pending = fed.federation.pending_link(link)
    assert pending is not None and pending.email == email
    with pytest.raises(AccountError) as wrong:
        fed.federation.link_with_password(link, password="not the password", client=CLIENT)
    assert wrong.value.code == "NotAuthorizedException"
    signed_in = fed.federation.link_with_password(link, password=PASSWORD, client=CLIENT)
    assert isinstance(signed_in, SignedIn) and signed_in.viewer.handle == "alice_pw"
    assert fed.federation.pending_link(link) is None
    account = fed.accounts.signed_in(signed_in.handle)
    linked = fed.federation.linked(account)
    assert [(s.provider, s.provider_user_id, s.primary) for s in linked] == [(PROVIDER, "alice", False)]
    # From now on the provider signs in as the password account, straight home.
    location, sealed = start(app)
    again = callback(app, at_provider(location, "alice"), **{FLOW_COOKIE: sealed})
    assert again.headers["location"] == f"{APP}/"
    assert fed.accounts.resume(set_cookies(again)[SESSION_COOKIE]).sub == signed_in.viewer.sub
    # Unlinked (a password remains): the provider's next sign-in is a link to confirm again.
    fed.federation.unlink(account, PROVIDER, "alice")
    assert fed.federation.linked(account) == []
    location, sealed = start(app)
    assert callback(app, at_provider(location, "alice"), **{FLOW_COOKIE: sealed}).headers["location"] == (
        f"{APP}/signin/link"
    )


def test_an_unverified_email_never_links_and_is_refused_plainly(app, fed):
    signed_up(fed, "ada@example.com", "ada")
    location, sealed = start(app)
    assert refusal(callback(app, at_provider(location, "mallory"), **{FLOW_COOKIE: sealed})) == "UnverifiedEmail"


def test_a_federated_persons_own_sign_in_cannot_be_unlinked(app, fed):
    location, sealed = start(app)
    handle = set_cookies(callback(app, at_provider(location, "grace"), **{FLOW_COOKIE: sealed}))[SESSION_COOKIE]
    account = fed.accounts.signed_in(handle)
    [own] = fed.federation.linked(account)
    assert own.primary and own.label == "Dev OIDC"
    with pytest.raises(AccountError) as refused:
        fed.federation.unlink(account, PROVIDER, "grace")
    assert refused.value.code == "CannotUnlink"


def test_a_link_started_on_one_worker_is_confirmed_on_another(app, fed):
    """With REDIS_URL and several workers, the callback (plain HTTP) and the link page's events
    (its websocket) may reach different backends: the pending link lives in the database."""
    signed_up(fed, "alice@example.com", "alice_pw")
    location, sealed = start(app)
    link = set_cookies(callback(app, at_provider(location, "alice"), **{FLOW_COOKIE: sealed}))[LINK_COOKIE]
    other_worker = Federation(fed.accounts, fed.federation.login, fed.federation.providers)
    signed_in = other_worker.link_with_password(link, password=PASSWORD, client=CLIENT)
    assert isinstance(signed_in, SignedIn) and signed_in.viewer.handle == "alice_pw"
    assert fed.federation.pending_link(link) is None  # spent, for every worker


def test_a_pending_link_is_kept_sealed_and_only_for_a_few_minutes(app, fed, monkeypatch):
    signed_up(fed, "alice@example.com", "alice_pw")
    location, sealed = start(app)
    link = set_cookies(callback(app, at_provider(location, "alice"), **{FLOW_COOKIE: sealed}))[LINK_COOKIE]
    with fed.database.session() as db:
        [row] = db.exec(select(FederationLink)).all()
    assert link not in row.key_hash and b"alice" not in row.sealed  # neither the cookie nor the e-mail at rest
    later = utcnow() + timedelta(seconds=LIFETIME_SECONDS + 1)
    monkeypatch.setattr("cruddur.services.federation_links.utcnow", lambda: later)
    assert fed.federation.pending_link(link) is None
    with pytest.raises(AccountError) as refused:
        fed.federation.link_with_password(link, password=PASSWORD, client=CLIENT)
    assert refused.value.code == "LinkExpired"


def test_an_expired_or_unknown_link_is_refused(fed):
    with pytest.raises(AccountError) as refused:
        fed.federation.link_with_password("nothing-pending", password=PASSWORD, client=CLIENT)
    assert refused.value.code == "LinkExpired"


# -- the pages' handlers ------------------------------------------------------------------------------


async def test_the_link_page_asks_the_password_then_the_second_step_then_links(app, fed):
    """AuthState on /signin/link, with a password account that has an authenticator app."""
    email = signed_up(fed, "heidi@example.com", "heidi_pw")
    own = Tab("/signin")
    await own.run(AuthState.sign_in, {"email": email, "password": PASSWORD})
    own.navigate("/account")
    await own.run(AccountState.load)
    phone = Phone(shown_secret(await own.run(AccountState.begin_two_step)))
    await own.run(AccountState.confirm_two_step, {"mfa": phone.code()})
    assert own.state(AccountState).two_step_on

    location, sealed = start(app, next="/account")
    answer = callback(app, at_provider(location, "heidi"), **{FLOW_COOKIE: sealed})
    assert answer.headers["location"] == f"{APP}/signin/link?next=%2Faccount"
    tab = Tab("/signin/link")
    tab.cookies[LINK_COOKIE] = set_cookies(answer)[LINK_COOKIE]
    tab.reconnect()
    tab.navigate("/signin/link", "next=/account")
    await tab.run(AuthState.open_form)
    auth = tab.state(AuthState)
    assert (auth.link_email, auth.link_provider, auth.error) == (email, "Dev OIDC", "")
    assert [p["label"] for p in auth.providers] == ["Dev OIDC"]
    assert [query_of(p["href"]) for p in auth.providers] == [{"provider": PROVIDER, "next": "/account"}]

    await tab.run(AuthState.link_account, {"password": "Not-the-password-1!"})
    assert tab.state(AuthState).error.startswith("Incorrect email or password")
    assert not tab.state(SessionState).signed_in
    await tab.run(AuthState.link_account, {"password": PASSWORD})
    assert tab.state(AuthState).signin_step == "code", tab.state(AuthState).error
    events = await tab.run(SecondStepState.answer_code, {"mfa": phone.code()})
    assert tab.state(SessionState).signed_in, tab.state(AuthState).error
    assert redirects(events) == ["/account"]  # where the federated sign-in started
    account = fed.accounts.signed_in(tab.session_cookie)
    assert [s.provider_user_id for s in fed.federation.linked(account)] == ["heidi"]


async def test_a_refused_federated_sign_in_shows_its_message_on_signin(fed):
    tab = Tab("/signin")
    tab.navigate("/signin", "federation_error=UnverifiedEmail")
    await tab.run(AuthState.open_form)
    assert tab.state(AuthState).error == friendly("UnverifiedEmail").message
    tab.navigate("/signin/link")
    await tab.run(AuthState.open_form)  # no pending link in this browser
    assert tab.state(AuthState).error == friendly("LinkExpired").message


async def test_an_account_a_provider_made_shows_no_password_cards_and_deletes_after_a_fresh_sign_in(
    app, fed, monkeypatch
):
    location, sealed = start(app)
    handle = set_cookies(callback(app, at_provider(location, "grace"), **{FLOW_COOKIE: sealed}))[SESSION_COOKIE]
    tab = Tab("/account", cookies={SESSION_COOKIE: handle})
    tab.navigate("/account")
    await tab.run(AccountState.load)
    assert tab.state(AccountState).own_sign_in == "Dev OIDC"  # no password, passkey or authenticator app cards

    later = utcnow() + timedelta(minutes=6)
    monkeypatch.setattr("cruddur.services.account_settings.utcnow", lambda: later)
    await tab.run(AccountState.delete_account, {})
    assert "sign in again" in tab.state(AccountState).error
    assert fed.accounts.signed_in(handle)  # still there
    monkeypatch.undo()
    await tab.run(AccountState.delete_account, {})
    assert tab.state(AccountState).error == "" and not tab.state(SessionState).signed_in
    with pytest.raises(AccountError):
        fed.accounts.signed_in(handle)


def test_a_password_account_is_never_deleted_without_its_password_however_fresh(fed):
    email = signed_up(fed, "ada@example.com", "ada")
    handle = fed.accounts.sign_in(email=email, password=PASSWORD, client=CLIENT, replacing="").handle
    with pytest.raises(AccountError) as refused:
        fed.settings_of_accounts.delete_account(handle, password="", client=CLIENT)
    assert refused.value.code == "PasswordNotAccepted"
