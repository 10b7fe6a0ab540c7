"""A user pool's JWKS served on 127.0.0.1, for verifiers under test or benchmark.

`document` is called on every request, so a test can rotate keys; `status` makes it fail.
"""

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class JwksServer:
    def __init__(self, document: Callable[[], dict], pool_id: str = "us-east-1_Test"):
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps(document()).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.issuer = f"http://{host}:{port}/{pool_id}"
        self.jwks_url = f"{self.issuer}/.well-known/jwks.json"
        # A short poll keeps shutdown (each test's teardown) quick.
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
