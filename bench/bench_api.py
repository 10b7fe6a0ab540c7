"""`GET /api/activities/home` with a valid access token over 10,000 stored cruds: requests/s and
p50/p99 latency at 1 and 32 concurrent keep-alive connections, for

- cruddur: `create_api` with the real `CognitoJwtVerifier`, served by Granian (ASGI, 1 worker),
  as the Reflex production server serves it;
- baseline: what the original Cruddur backend did per request, in Flask: python-jose verification
  (key constructed from a JWKS fetched once, signature, exp, client_id) and a JSON feed from the
  same database through the same feed query, served by Granian (WSGI, 1 worker).

Everything is on loopback; the JWKS is served by this script. Each measurement is bounded in
time (MEASURE_S) and count (MAX_REQUESTS). Run: `python bench/bench_api.py` (throwaway data dir).
"""

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROWS, AUTHORS = 10_000, 50
CONCURRENCY = (1, 32)
WARMUP_S, MEASURE_S, MAX_REQUESTS = 1.0, 5.0, 200_000
CLIENT_ID = "benchclient0000000000000000"
VIEWER_SUB = "bench-viewer"
PATH = "/api/activities/home"


# -- the two apps (Granian imports this module in its worker and calls one of these) -------


def cruddur_app():
    from cruddur.api import create_api
    from cruddur.auth.jwt import CognitoJwtVerifier

    verifier = CognitoJwtVerifier(os.environ["BENCH_ISSUER"], CLIENT_ID)
    return create_api(verifier.averify)


def flask_app():
    from urllib.request import urlopen

    from flask import Flask, abort, jsonify, request
    from jose import jwk, jwt
    from jose.utils import base64url_decode

    from cruddur.db import new_session
    from cruddur.services.activities import home_feed

    # The original fetched the pool's keys once, at start-up, and never again.
    with urlopen(os.environ["BENCH_ISSUER"] + "/.well-known/jwks.json") as response:
        keys = json.load(response)["keys"]

    def verify(token: str) -> dict:  # lib/cognito_jwt_token.py, step for step
        kid = jwt.get_unverified_headers(token)["kid"]
        key = next((k for k in keys if k["kid"] == kid), None)
        if key is None:
            abort(401)
        public_key = jwk.construct(key)
        message, encoded_signature = token.rsplit(".", 1)
        if not public_key.verify(message.encode(), base64url_decode(encoded_signature.encode())):
            abort(401)
        claims = jwt.get_unverified_claims(token)
        if time.time() > claims["exp"] or claims.get("client_id") != CLIENT_ID:
            abort(401)
        return claims

    app = Flask("baseline")

    @app.get(PATH)
    def home():
        claims = verify(request.headers["Authorization"].removeprefix("Bearer "))
        with new_session() as session:
            page = home_feed(session, viewer_sub=claims["sub"])
        return jsonify(asdict(page))

    return app


# -- data, keys and the JWKS --------------------------------------------------------------


def fill_database() -> None:
    from cruddur.db import new_session
    from cruddur.manage import migrate
    from cruddur.models import Activity, Like, Profile
    from cruddur.services.clock import utcnow

    migrate()
    now = utcnow()
    with new_session() as session:
        authors = [
            Profile(sub=f"s{i}", handle=f"user{i}", display_name=f"User {i}", created_at=now) for i in range(AUTHORS)
        ]
        session.add_all(authors + [Profile(sub=VIEWER_SUB, handle="viewer", display_name="Viewer", created_at=now)])
        session.flush()
        cruds = [
            Activity(
                author_sub=authors[i % AUTHORS].sub,
                message=f"crud number {i}",
                created_at=now - timedelta(seconds=i),
                # every tenth crud has expired, so the query must filter as it pages
                expires_at=now + timedelta(days=-1 if i % 10 == 0 else 7),
                likes_count=1 if i % 3 == 0 else 0,
            )
            for i in range(ROWS)
        ]
        session.add_all(cruds)
        session.flush()
        session.add_all(
            Like(crud_uuid=crud.uuid, sub=VIEWER_SUB, created_at=now) for i, crud in enumerate(cruds) if i % 3 == 0
        )
        session.commit()


def signing_key():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def serve_jwks(private_key) -> tuple[ThreadingHTTPServer, str]:
    from jwt.algorithms import RSAAlgorithm

    jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key())) | {"kid": "bench", "alg": "RS256", "use": "sig"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/us-east-1_Bench"


def access_token(private_key, issuer: str) -> str:
    import jwt as pyjwt

    now = int(time.time())
    claims = {
        "sub": VIEWER_SUB, "client_id": CLIENT_ID, "username": VIEWER_SUB, "scope": "aws.cognito.signin.user.admin",
        "token_use": "access", "auth_time": now, "iss": issuer, "exp": now + 3600, "iat": now,
        "jti": str(uuid.uuid4()), "origin_jti": str(uuid.uuid4()), "event_id": str(uuid.uuid4()),
    }
    return pyjwt.encode(claims, private_key, algorithm="RS256", headers={"kid": "bench"})


# -- servers and load ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(factory: str, interface: str, port: int, env: dict) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "granian", "--interface", interface, "--factory", f"bench_api:{factory}",
        "--working-dir", str(Path(__file__).parent), "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--log-level", "warning", "--no-ws",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def wait_ready(port: int, request: bytes, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status, body = asyncio.run(one_request(port, request))
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer 200 in {timeout} s")


async def one_request(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    status, body = await read_response(reader)
    writer.close()
    return status, body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    length = int({k.lower(): v for k, v in headers.items()}["content-length"])
    return int(lines[0].split(" ")[1]), await reader.readexactly(length)


async def load(port: int, request: bytes, connections: int) -> dict:
    latencies: list[float] = []
    errors = 0
    warm_until = time.perf_counter() + WARMUP_S
    stop_at = warm_until + MEASURE_S

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (now := time.perf_counter()) < stop_at and len(latencies) < MAX_REQUESTS:
            writer.write(request)
            status, _ = await read_response(reader)
            if now >= warm_until:
                latencies.append(time.perf_counter() - now)
                errors += status != 200
        writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    latencies.sort()
    return {
        "rps": len(latencies) / MEASURE_S,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="cruddur-bench-api-")
    os.environ["DATA_DIR"] = data_dir
    fill_database()
    key = signing_key()
    jwks, issuer = serve_jwks(key)
    token = access_token(key, issuer)
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    env = os.environ | {"BENCH_ISSUER": issuer, "PYTHONPATH": str(ROOT)}

    print(f"{ROWS} cruds; {os.cpu_count()} CPUs; load generator in this process; {MEASURE_S:.0f} s per point")
    results = {}
    for name, factory, interface in (("cruddur", "cruddur_app", "asgi"), ("baseline", "flask_app", "wsgi")):
        port = free_port()
        server = start_server(factory, interface, port, env)
        try:
            page = json.loads(wait_ready(port, request))
            assert len(page["cruds"]) == 20, page
            for connections in CONCURRENCY:
                results[name, connections] = r = asyncio.run(load(port, request, connections))
                print(
                    f"{name:9} {interface:5} c={connections:<3} {r['rps']:8.0f} req/s  p50 {r['p50']:6.2f} ms"
                    f"  p99 {r['p99']:6.2f} ms  non-200: {r['errors']}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    jwks.shutdown()
    for connections in CONCURRENCY:
        ours, base = results["cruddur", connections], results["baseline", connections]
        print(
            f"c={connections:<3} throughput ×{ours['rps'] / base['rps']:.2f}  "
            f"p50 ×{base['p50'] / ours['p50']:.2f} faster  p99 ×{base['p99'] / ours['p99']:.2f} faster"
        )


if __name__ == "__main__":
    main()
