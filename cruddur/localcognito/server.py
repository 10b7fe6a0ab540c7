"""The ASGI app (Starlette, no Reflex) and the ways to run it: `create_app` for any ASGI server,
`start_in_thread` for the app and tests (uvicorn on its own thread and event loop)."""

import asyncio
import dataclasses
import ipaddress
import json
import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field

import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import domain, mailbox
from .config import LOOPBACK_HOSTS, LocalCognitoConfig
from .cors import CorsMiddleware
from .errors import CognitoError
from .operations import call
from .provider import Provider

log = logging.getLogger(__name__)
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
AMZ_JSON = "application/x-amz-json-1.1"


def _amz_response(status: int, payload: dict) -> Response:
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    if status >= 400 and "__type" in payload:
        headers["x-amzn-ErrorType"] = f"{payload['__type']}:"  # as AWS JSON services send it
    return Response(json.dumps(payload), status_code=status, media_type=AMZ_JSON, headers=headers)


def build_app(provider: Provider) -> Starlette:
    async def api(request: Request) -> Response:
        target = request.headers.get("x-amz-target", "")
        body = await request.body()
        try:
            if not target.startswith(TARGET_PREFIX):
                raise CognitoError("UnknownOperationException", "Missing or unknown X-Amz-Target.")
            result = await anyio.to_thread.run_sync(call, provider, target[len(TARGET_PREFIX) :], body)
        except CognitoError as error:
            return _amz_response(error.status, error.body())
        except Exception:
            log.exception("localcognito: %s failed", target)
            return _amz_response(500, {"__type": "InternalErrorException", "message": "Internal error."})
        return _amz_response(200, result)

    async def mailbox_json(_request: Request) -> Response:
        messages = await anyio.to_thread.run_sync(mailbox.messages, provider.store)
        return JSONResponse({"messages": messages})

    async def jwks(request: Request) -> Response:
        if request.path_params["pool_id"] != provider.pool_id:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return JSONResponse(provider.tokens.jwks())

    async def openid_configuration(request: Request) -> Response:
        if request.path_params["pool_id"] != provider.pool_id:
            return JSONResponse({"message": "User pool does not exist."}, status_code=404)
        return JSONResponse(
            {
                "issuer": provider.issuer,
                "jwks_uri": f"{provider.issuer}/.well-known/jwks.json",
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["code", "token"],
                **domain.discovery(provider),
            }
        )

    app = Starlette(
        routes=[
            Route("/", api, methods=["POST"]),
            Route("/_mailbox", mailbox_json, methods=["GET"]),
            Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
            Route("/{pool_id}/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
            *domain.routes(provider),
        ],
        middleware=[Middleware(CorsMiddleware, allowed_origins=provider.config.allowed_origins)],
    )
    app.state.provider = provider
    return app


def create_app(config: LocalCognitoConfig) -> Starlette:
    """The provider as an ASGI app. Opens (or creates) its data dir and keys now.

    Tokens name `config.endpoint_url` (or http://host:port) as their issuer's base, so give the
    real port or an explicit endpoint_url.
    """
    return build_app(Provider.open(config))


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"localcognito binds to loopback only ({', '.join(LOOPBACK_HOSTS)}), not {host!r}")


def bind(config: LocalCognitoConfig) -> tuple[socket.socket, LocalCognitoConfig]:
    """A listening socket on loopback, and the config with the port it actually got."""
    _check_loopback(config.host)
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it every kept-alive call stalls ~40 ms (Nagle against the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((config.host, config.port))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock, dataclasses.replace(config, port=sock.getsockname()[1])


class _OnePieceTransport:
    """A transport proxy that gathers the writes of one event-loop turn and hands them to the
    socket as one. uvicorn's h11 protocol writes the status line and headers, the body and the
    end of message separately; gathered, a reply leaves in one segment (with TCP_NODELAY, at
    once), so a kept-alive client never waits on a delayed ACK between the pieces."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def writelines(self, chunks) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class OnePieceH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, writing each reply in one piece (see _OnePieceTransport)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_OnePieceTransport(transport, self.loop))  # type: ignore[arg-type]


def uvicorn_server(app: Starlette) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            app,
            http=OnePieceH11Protocol,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            # Longer than a client's pool keeps a connection idle between calls (uvicorn's 5 s would
            # close one just as a busy client reuses it: a reset that only a retry hides), as AWS's
            # endpoints keep theirs.
            timeout_keep_alive=75,
        )
    )


@dataclass
class LocalCognitoHandle:
    endpoint_url: str
    user_pool_id: str
    client_id: str
    region: str
    issuer: str
    jwks_url: str
    mailbox_url: str
    provider: Provider = field(repr=False)
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @classmethod
    def describe(cls, provider: Provider) -> dict:
        return {
            "endpoint_url": provider.endpoint_url,
            "user_pool_id": provider.pool_id,
            "client_id": provider.client_id,
            "region": provider.config.region,
            "issuer": provider.issuer,
            "jwks_url": f"{provider.issuer}/.well-known/jwks.json",
            "mailbox_url": f"{provider.endpoint_url}/_mailbox",
        }

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, wait for the server thread, release the database."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self.provider.store.dispose()


def start_in_thread(config: LocalCognitoConfig, startup_timeout: float = 30.0) -> LocalCognitoHandle:
    """Run the provider on its own thread; return once it accepts connections."""
    sock, config = bind(config)
    try:
        provider = Provider.open(config)
    except BaseException:
        sock.close()
        raise
    server = uvicorn_server(build_app(provider))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="localcognito", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            provider.store.dispose()
            raise RuntimeError("localcognito did not start")
        time.sleep(0.01)
    return LocalCognitoHandle(
        **LocalCognitoHandle.describe(provider), provider=provider, _server=server, _thread=thread
    )
