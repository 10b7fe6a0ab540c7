"""How close `cruddur.auth.jwt` gets to the cost of the RSA signature check itself.

Plain script, not a test:  python bench/bench_jwt.py [tokens]

Every figure is a median of per-call times measured in this one run, next to the floor: a raw
`cryptography` RSA-2048 PKCS#1 v1.5 SHA-256 verify of the same signing input. Targets:
first verification <= 1.3x floor, a repeat (verified-token cache) <= 3 us, 1 MB junk <= 0.1 ms.
"""

import base64
import gc
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jwt as pyjwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jose import jwt as jose_jwt

from cruddur.auth.jwt import CognitoJwtVerifier, TokenError
from tests.support.jwks_server import JwksServer

CLIENT_ID = "5ackeuvmc0t3jgprjbh6bd2tgb"
POOL_ID = "us-east-1_AbCdEfGhI"
KID = "WKxr5ag5z2Bl8Nhk0aHNy5cEP1Wv2cjh2E0y+ZE7N8k="  # Cognito kids look like this


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def per_call(fn, args_list):
    """Median ns of fn(arg) over args_list, one timing per call, GC off."""
    clock = time.perf_counter_ns
    times = []
    gc.disable()
    try:
        for arg in args_list:
            t0 = clock()
            fn(arg)
            times.append(clock() - t0)
    finally:
        gc.enable()
    return statistics.median(times)


def batched(fn, arg, calls=200, rounds=200):
    """Median ns per call over `rounds` batches of `calls` calls (for sub-microsecond paths)."""
    clock = time.perf_counter_ns
    times = []
    gc.disable()
    try:
        for _ in range(rounds):
            t0 = clock()
            for _ in range(calls):
                fn(arg)
            times.append((clock() - t0) / calls)
    finally:
        gc.enable()
    return statistics.median(times)


def refusing(verify):
    def call(token):
        try:
            verify(token)
        except TokenError:
            return
        raise AssertionError("junk accepted")

    return call


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    numbers = public.public_numbers()
    jwk = {
        "alg": "RS256",
        "e": b64url(numbers.e.to_bytes(3, "big")),
        "kid": KID,
        "kty": "RSA",
        "n": b64url(numbers.n.to_bytes(256, "big")),
        "use": "sig",
    }
    jwks = JwksServer(lambda: {"keys": [jwk]}, POOL_ID)
    issuer = jwks.issuer

    now = int(time.time())
    print(f"minting {count} distinct Cognito-shaped access tokens ...", flush=True)
    tokens = []
    for _ in range(count):
        claims = {
            "sub": str(uuid.uuid4()),
            "client_id": CLIENT_ID,
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": now,
            "iss": issuer,
            "exp": now + 3600,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "username": str(uuid.uuid4()),
        }
        tokens.append(pyjwt.encode(claims, private, algorithm="RS256", headers={"kid": KID, "typ": None}))
    print(f"token length {len(tokens[0])} characters")

    # The floor: the signature check alone, on the same signing inputs, inputs decoded up front.
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    floor_inputs = []
    for token in tokens:
        signing_input, _, sig = token.rpartition(".")
        floor_inputs.append((base64.urlsafe_b64decode(sig + "=="), signing_input.encode()))

    def floor(pair):
        public.verify(pair[0], pair[1], pkcs1, sha256)

    verifier = CognitoJwtVerifier(issuer, CLIENT_ID)
    verifier.warm()
    verifier.verify(tokens[0])  # keys and the header are cached: the steady state of a server

    # Each token is verified for the first time (the verified-token cache is emptied before each
    # round), alternating call by call with the floor on the same signing input, so the machine's
    # drifts and its neighbours' noise land on both sides alike.
    clock = time.perf_counter_ns
    verify = verifier.verify
    floor_ns, first_ns = [], []
    gc.disable()
    for _ in range(3):
        verifier.forget_verified_tokens()
        for i, token in enumerate(tokens):
            sig, signing_input = floor_inputs[i]
            if i & 1:
                t0 = clock()
                public.verify(sig, signing_input, pkcs1, sha256)
                t1 = clock()
                verify(token)
                t2 = clock()
                floor_ns.append(t1 - t0)
                first_ns.append(t2 - t1)
            else:
                t0 = clock()
                verify(token)
                t1 = clock()
                public.verify(sig, signing_input, pkcs1, sha256)
                t2 = clock()
                first_ns.append(t1 - t0)
                floor_ns.append(t2 - t1)
    gc.enable()
    floor_median = statistics.median(floor_ns)
    first_median = statistics.median(first_ns)

    # Repeat of a token still valid: served by the verified-token cache.
    verifier.forget_verified_tokens()
    verifier.verify(tokens[1])
    repeat_ns = batched(verifier.verify, tokens[1])

    junk = "A" * (1 << 20)
    junk_ns = per_call(refusing(verifier.verify), [junk] * 2000)
    junk_dots = ("eyJ" * 5000 + ".") * 70  # 1 MB with dots: still refused on length alone
    junk_dots_ns = per_call(refusing(verifier.verify), [junk_dots] * 2000)

    # Other Python options, each doing as much checking as it can be asked to.
    def pyjwt_decode(token):
        pyjwt.decode(
            token,
            public,
            algorithms=["RS256"],
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "token_use", "client_id"]},
        )

    jwk_client = pyjwt.PyJWKClient(issuer + "/.well-known/jwks.json")
    jwk_client.get_signing_key_from_jwt(tokens[0])

    def pyjwt_jwk_client(token):
        key = jwk_client.get_signing_key_from_jwt(token)
        pyjwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "token_use", "client_id"]},
        )

    jose_keys = {"keys": [jwk]}

    def jose_decode(token):  # the original Cruddur's call (keys fetched once, no issuer check)
        jose_jwt.decode(token, jose_keys, algorithms=["RS256"], issuer=issuer, options={"verify_aud": False})

    others = {}
    sample = tokens[: min(count, 1000)]
    for name, fn in (
        ("pyjwt decode", pyjwt_decode),
        ("pyjwt PyJWKClient + decode", pyjwt_jwk_client),
        ("python-jose decode", jose_decode),
    ):
        fn(tokens[0])
        others[name] = per_call(fn, sample)
    floor_again = per_call(floor, floor_inputs[: len(sample)])
    jwks.close()

    def us(ns):
        return f"{ns / 1000:9.2f} us"

    print()
    print(f"{'floor: cryptography RSA-2048 verify':44s} {us(floor_median)}   1.00x")
    ratio = first_median / floor_median

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    print(
        f"{'cruddur first verification':44s} {us(first_median)}   {ratio:.2f}x"
        f"   target <= 1.30x  {verdict(ratio <= 1.3)}"
    )
    print(
        f"{'cruddur repeat (verified-token cache)':44s} {us(repeat_ns)}   {repeat_ns / floor_median:.2f}x"
        f"   target <= 3 us    {verdict(repeat_ns <= 3000)}"
    )
    print(
        f"{'cruddur 1 MB junk refused':44s} {us(junk_ns)}   {junk_ns / floor_median:.2f}x"
        f"   target <= 100 us  {verdict(junk_ns <= 100_000)}"
    )
    print(f"{'cruddur 1 MB junk with dots refused':44s} {us(junk_dots_ns)}   {junk_dots_ns / floor_median:.2f}x")
    print(f"{'floor again (same run, for the others)':44s} {us(floor_again)}   1.00x")
    for name, ns in others.items():
        print(f"{name:44s} {us(ns)}   {ns / floor_again:.2f}x")


if __name__ == "__main__":
    main()
