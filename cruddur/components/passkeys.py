"""The browser's half of passkeys: `@simplewebauthn/browser` (from npm, bundled by Reflex with the
page) put on `window.cruddurPasskeys`, for handlers to call with `rx.call_script` and the
options JSON the pool gave. Each call resolves to JSON: `{"ok": credential}` or `{"error": …,
"name": …}` (the library's code and the WebAuthn error's name); it talks to no one but the page."""

import json

import reflex as rx

SIMPLEWEBAUTHN = "@simplewebauthn/browser@14.0.0"
BRIDGE = """
if (typeof window !== "undefined") {
  const settle = (ceremony) => ceremony.then(
    (ok) => JSON.stringify({ ok }),
    (error) => JSON.stringify({ error: String(error?.code ?? "ERROR"), name: String(error?.name ?? "") }),
  );
  const unless = (ceremony) => (optionsJSON) =>
    browserSupportsWebAuthn() ? settle(ceremony({ optionsJSON })) : Promise.resolve('{"error": "UNSUPPORTED"}');
  // A passkey can be made here: WebAuthn, and a built-in authenticator that verifies the person.
  const canMake = () => browserSupportsWebAuthn()
    ? PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().catch(() => false)
    : Promise.resolve(false);
  // Passkeys in the e-mail field's autofill list (its autocomplete ends in "webauthn"), where the
  // browser can; the request waits until one is picked, or until another ceremony aborts it.
  const autofill = (optionsJSON) => browserSupportsWebAuthnAutofill().then((can) => can
    ? settle(startAuthentication({ optionsJSON, useBrowserAutofill: true }))
    : '{"error": "UNSUPPORTED"}');
  window.cruddurPasskeys = {
    register: unless(startRegistration), signIn: unless(startAuthentication), autofill, canMake,
  };
}
"""


class PasskeyBridge(rx.Fragment):
    def add_imports(self):
        return {
            SIMPLEWEBAUTHN: [
                "startRegistration",
                "startAuthentication",
                "browserSupportsWebAuthn",
                "browserSupportsWebAuthnAutofill",
            ]
        }

    def add_custom_code(self) -> list[str]:
        return [BRIDGE]


def passkey_bridge() -> rx.Component:
    return PasskeyBridge.create()


def can_make_passkeys(callback) -> rx.event.EventSpec:
    """Whether this browser can make a passkey (true or false), to `callback`."""
    return rx.call_script("window.cruddurPasskeys?.canMake() ?? false", callback=callback)


def passkey_ceremony(function: str, options: dict, callback) -> rx.event.EventSpec:
    """`window.cruddurPasskeys.<function>(options)` in the page, its JSON answer to `callback`.
    The options are re-encoded here, so only JSON reaches the script."""
    return rx.call_script(f"window.cruddurPasskeys.{function}({json.dumps(options)})", callback=callback)
