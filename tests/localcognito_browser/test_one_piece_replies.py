"""Replies leave in one write and kept-alive calls pay no delayed-ACK stall (the benchmark,
bench/bench_localcognito_getuser.py, measures the same with a 5 ms budget)."""

import asyncio
import http.client
import statistics
import time
from urllib.parse import urlsplit

from cruddur.localcognito.server import _OnePieceTransport


class RecordingTransport:
    def __init__(self):
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data):
        self.writes.append(data)

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True

    def get_extra_info(self, name, default=None):
        return f"extra:{name}"


async def test_the_writes_of_one_loop_turn_leave_as_one():
    real = RecordingTransport()
    transport = _OnePieceTransport(real, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    transport.write(b"")
    assert real.writes == []
    await asyncio.sleep(0)
    assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    transport.write(b"last")
    transport.close()  # flushes before closing
    assert real.writes[-1] == b"last" and real.closed
    assert transport.get_extra_info("peername") == "extra:peername"


def test_kept_alive_get_user_calls_do_not_stall(browser_free_pool):
    pool, email = browser_free_pool
    token = pool.password_auth(email)["AuthenticationResult"]["AccessToken"]
    parts = urlsplit(pool.handle.endpoint_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    body = f'{{"AccessToken": "{token}"}}'.encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
    }
    samples = []
    try:
        for _ in range(60):
            started = time.perf_counter()
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 200, response.read()
            response.read()
            samples.append(time.perf_counter() - started)
    finally:
        connection.close()
    # A delayed-ACK stall costs ~40 ms a call; the budget proper (5 ms) is the benchmark's.
    assert statistics.median(samples[10:]) < 0.025, samples
