"""What the loopback provider servers share: threads, recording, failures.

A :class:`ProtocolServer` listens on 127.0.0.1 (port 0: the system picks
one) in a background thread while used as a context manager. It speaks
HTTP/1.1 with keep-alive, records every request (unless told not to, for a
load test), and can be told to fail the next requests the way real providers
fail: an HTTP error, an answer slower than the client's read timeout, or a
connection closed without an answer. Subclasses implement :meth:`route`.
"""

import json
import socket
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    path: str  # without the query string
    query: dict  # single values as str, repeated ones as lists
    headers: object  # http.client.HTTPMessage: case-insensitive ``.get``
    raw: bytes
    body: object = None  # parsed JSON, or form fields like ``query``
    malformed: bool = False  # the body did not parse as its Content-Type


@dataclass
class Failure:
    """How to fail one request (see :meth:`ProtocolServer.fail_next`)."""

    status: int | None = None
    body: object = None
    headers: dict = field(default_factory=dict)
    delay: float | None = None
    drop: bool = False


def flat(pairs):
    """``parse_qs`` output with single values unwrapped."""
    return {k: v[0] if len(v) == 1 else v for k, v in pairs.items()}


def parse_body(headers, raw):
    """``(body, malformed)`` of a request by its Content-Type."""
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            return json.loads(raw.decode("utf-8")), False
        except ValueError:
            return None, True
    if content_type == "application/x-www-form-urlencoded":
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, True
        return flat(parse_qs(text, keep_blank_values=True)), False
    return None, bool(raw)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        """Clients that hang up (timeouts in tests) are expected: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LoopbackProvider/1.0"
    # one segment per answer: headers and body leave together on flush, and
    # no Nagle delay waiting for the client's ACK
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, *_args):
        """No per-request logging: the load test sends thousands."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.owner._handle(self)

    def do_POST(self):  # noqa: N802
        self.server.owner._handle(self)


class ProtocolServer:
    """Base of the loopback providers; use ``with Server(...) as server:``."""

    def __init__(self, host="127.0.0.1", port=0, record=True):
        self.record = record
        self.requests = []
        self.lock = threading.Lock()
        self._failures = deque()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self.host, self.port = self._httpd.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = None

    # === Lifecycle === #
    def start(self):
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc):
        self.stop()

    # === Test controls === #
    def fail_next(
        self,
        count=1,
        *,
        status=None,
        body=None,
        retry_after=None,
        delay=None,
        drop=False,
    ):
        """Fail the next ``count`` requests.

        :param status: answer this HTTP status with ``body`` (default: the
            provider's own error shape for it, see :meth:`error_body`)
        :param retry_after: add a ``Retry-After`` header (seconds)
        :param delay: answer normally but only after ``delay`` seconds (past
            the client's read timeout: the request *was* processed)
        :param drop: close the connection without answering (not processed)
        """
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self.lock:
            for _ in range(count):
                self._failures.append(Failure(status, body, headers, delay, drop))

    def error_body(self, status):
        """The provider's error JSON for an injected ``status``."""
        return {"error": f"HTTP {status}"}

    def on_request(self, request, failure):
        """Called for every request before it is answered (counters)."""

    def route(self, request):
        """``(status, body, headers)`` for ``request``; subclasses answer."""
        raise NotImplementedError

    # === Plumbing === #
    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        body, malformed = parse_body(handler.headers, raw)
        request = Recorded(
            handler.command,
            split.path,
            flat(parse_qs(split.query, keep_blank_values=True)),
            handler.headers,
            raw,
            body,
            malformed,
        )
        with self.lock:
            if self.record:
                self.requests.append(request)
            failure = self._failures.popleft() if self._failures else None
        self.on_request(request, failure)
        if failure and failure.drop:
            handler.close_connection = True
            return
        if failure and failure.delay:
            time.sleep(failure.delay)
            failure = None
        if failure:
            body = failure.body
            if body is None:
                body = self.error_body(failure.status)
            self._reply(handler, failure.status, body, failure.headers)
            return
        status, body, headers = self.route(request)
        self._reply(handler, status, body, headers)

    @staticmethod
    def _reply(handler, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:  # the client gave up (read timeout): nothing to do
            handler.close_connection = True


def closed_url(path=""):
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def everything_said_about(error):
    """``str``, ``repr`` and the formatted traceback of an exception: all the
    places a secret could leak into a log."""
    return "\n".join(
        [str(error), repr(error), *traceback.format_exception(error), str(vars(error))]
    )
