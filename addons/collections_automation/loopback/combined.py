"""One loopback server answering like the three providers at once: a
generic-protocol gateway (``/send``), WhatsApp Cloud API (``.../messages``)
and Twilio (``.../Calls.json``, ``.../Messages.json``), for the Odoo tests
that route several channels to one place. It records each request and can be
told to fail the next ones."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LoopbackProvider:
    """Records requests; answers 200 with a new id, or the queued failures."""

    def __init__(self):
        self.requests = []
        self.failures = []  # (status, json body) answered to the next requests
        self.seen_keys = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                owner._answer(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, raw):
        content_type = handler.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        with self.lock:
            self.requests.append(
                {
                    "path": urlsplit(handler.path).path,
                    "headers": dict(handler.headers),
                    "body": body,
                    "raw": raw,
                }
            )
            failure = self.failures.pop(0) if self.failures else None
            key = handler.headers.get("Idempotency-Key")
            if failure is None:
                if key and key in self.seen_keys:
                    provider_id = self.seen_keys[key]
                else:
                    provider_id = self._new_id(handler.path)
                    if key:
                        self.seen_keys[key] = provider_id
        status, payload = failure or (200, self._success(handler.path, provider_id))
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _new_id(path):
        if "/messages" in path:
            return f"wamid.{uuid.uuid4().hex}"
        if path.endswith("/Calls.json"):
            return f"CA{uuid.uuid4().hex}"
        if path.endswith("/Messages.json"):
            return f"SM{uuid.uuid4().hex}"
        return str(uuid.uuid4())

    @staticmethod
    def _success(path, provider_id):
        if "/messages" in path:
            return {
                "messaging_product": "whatsapp",
                "contacts": [{"input": "", "wa_id": ""}],
                "messages": [{"id": provider_id}],
            }
        if path.endswith(".json"):
            return {"sid": provider_id, "status": "queued"}
        return {"id": provider_id}
