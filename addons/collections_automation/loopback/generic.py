"""A loopback gateway speaking the generic signed-webhook protocol.

It checks the ``X-Collections-Signature`` (HMAC-SHA256 of ``"<t>.<body>"``,
timestamp within the tolerance) and answers 401 otherwise, validates the
message, deduplicates by ``Idempotency-Key`` (the same id back, counted as a
duplicate) and counts what it received. Lean enough to be the far end of a
load test::

    python3 addons/collections_automation/loopback/generic.py \\
        --port 8099 --secret s3cret

serves until killed and prints its counters as JSON on SIGTERM/SIGINT; GET
``/_stats`` returns them at any time. The signature check is written here
again on purpose: the adapter's own code must not grade itself.

Given a ``webhook_url`` (``--webhook-url``, e.g.
``http://127.0.0.1:8069/collections/webhook/generic``) it also acts as a
provider does afterwards: a moment after accepting a message it posts a
signed ``delivered`` receipt quoting the message's reference, retried with a
growing delay while Odoo does not answer 200. ``on_message`` is called with
every message accepted (the demo logs them; see ``scripts/demo_services.py``).
"""

import argparse
import contextlib
import hashlib
import hmac
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone

try:
    from .base import ProtocolServer
except ImportError:  # run as a script (python3 .../loopback/generic.py)
    from base import ProtocolServer

REQUIRED = ("id", "channel", "to")
CHANNELS = ("sms", "whatsapp", "voice", "email")
#: Seconds before each attempt to post a receipt: the first waits for the
#: sender to record the message as sent; the later ones ride out a busy Odoo.
RECEIPT_DELAYS = (1, 2, 5, 10, 30, 60)


def sign(secret, raw, stamp=None):
    """``X-Collections-Signature`` of ``raw`` (bytes), as the protocol says."""
    stamp = int(time.time()) if stamp is None else stamp
    digest = hmac.new(
        secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256
    ).hexdigest()
    return f"t={stamp},v1={digest}"


def _signature_ok(secret, raw, header, tolerance):
    fields = [part.strip().partition("=") for part in (header or "").split(",")]
    stamps = [value for key, _eq, value in fields if key == "t"]
    given = [value for key, _eq, value in fields if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not given:
        return False
    if abs(time.time() - int(stamps[0])) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), stamps[0].encode() + b"." + raw, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, value) for value in given)


class GenericServer(ProtocolServer):
    """The gateway end of the generic protocol; see ``readme/GENERIC_PROVIDER.md``.

    :param duplicate_status: 200 (default) or 409 for a repeated key
    :param webhook_url: where to post a ``delivered`` receipt of every new
        message (None: no receipts, as in the tests and the load test)
    :param on_message: called with ``(body, our_id)`` of every new message
    :param receipt_delays: seconds before each attempt to post a receipt
    """

    path = "/messages"

    def __init__(
        self,
        secret,
        tolerance=300,
        duplicate_status=200,
        webhook_url=None,
        on_message=None,
        receipt_delays=RECEIPT_DELAYS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.secret = secret
        self.tolerance = tolerance
        self.duplicate_status = duplicate_status
        self.webhook_url = webhook_url
        self.on_message = on_message
        self.receipt_delays = tuple(receipt_delays)
        self.ids = {}  # Idempotency-Key -> our message id
        self.counters = {
            "received": 0,
            "unique": 0,
            "duplicates": 0,
            "rejected": 0,
            "failed": 0,
        }
        if webhook_url:
            self.counters.update(receipts_sent=0, receipts_failed=0)

    def stats(self):
        with self.lock:
            return dict(self.counters)

    def on_request(self, request, failure):
        if request.method != "POST":
            return
        with self.lock:
            self.counters["received"] += 1
            if failure is not None and not failure.delay:
                self.counters["failed"] += 1

    def error_body(self, status):
        return {"error": f"injected failure (HTTP {status})", "code": "unavailable"}

    def _reject(self, status, code, message):
        with self.lock:
            self.counters["rejected"] += 1
        return status, {"error": message, "code": code}, {}

    def route(self, request):
        if request.method == "GET":
            if request.path == "/_stats":
                return 200, self.stats(), {}
            return 404, {"error": "not found", "code": "not_found"}, {}
        if request.path != self.path:
            return self._reject(404, "not_found", f"no endpoint at {request.path}")
        header = request.headers.get("X-Collections-Signature")
        if not _signature_ok(self.secret, request.raw, header, self.tolerance):
            return self._reject(401, "invalid_signature", "invalid or stale signature")
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith("application/json"):
            return self._reject(415, "unsupported_media_type", "send application/json")
        body = request.body
        if request.malformed or not isinstance(body, dict):
            return self._reject(400, "invalid_json", "the body is not a JSON object")
        for name in REQUIRED:
            if not body.get(name):
                return self._reject(422, "invalid_request", f"missing field '{name}'")
        if body["channel"] not in CHANNELS:
            return self._reject(422, "invalid_request", "unknown channel")
        key = request.headers.get("Idempotency-Key")
        if not key or key != body["id"]:
            return self._reject(
                400, "invalid_request", "Idempotency-Key must equal the body's id"
            )
        with self.lock:
            known = self.ids.get(key)
            if known is None:
                known = self.ids[key] = str(uuid.uuid4())
                self.counters["unique"] += 1
            else:
                self.counters["duplicates"] += 1
                return self.duplicate_status, {"id": known, "duplicate": True}, {}
        if self.on_message is not None:
            self.on_message(body, known)
        if self.webhook_url:
            threading.Thread(
                target=self._post_receipt,
                args=(body, known),
                name="receipt",
                daemon=True,
            ).start()
        return 201, {"id": known, "status": "accepted"}, {}

    # === Receipts === #
    def receipt(self, body, our_id):
        """The signed request body of a ``delivered`` receipt (bytes)."""
        event = {
            "id": f"evt-{our_id}",
            "type": "status",
            "message_id": our_id,
            "reference": body["id"],
            "status": "delivered",
            "to": body["to"],
            "channel": body["channel"],
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return json.dumps({"channel": body["channel"], "events": [event]}).encode()

    def _post_receipt(self, body, our_id):
        """Post the receipt, again with the same event id until Odoo says 200."""
        raw = self.receipt(body, our_id)
        for delay in self.receipt_delays:
            time.sleep(delay)
            request = urllib.request.Request(  # noqa: S310 (the URL we were given)
                self.webhook_url,
                data=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Collections-Signature": sign(self.secret, raw),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    if response.status == 200:
                        with self.lock:
                            self.counters["receipts_sent"] += 1
                        return
            except (urllib.error.URLError, OSError):
                continue
        with self.lock:
            self.counters["receipts_failed"] += 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--tolerance", type=int, default=300)
    parser.add_argument(
        "--webhook-url",
        help="post a signed 'delivered' receipt of every message there",
    )
    options = parser.parse_args(argv)
    server = GenericServer(
        options.secret,
        tolerance=options.tolerance,
        webhook_url=options.webhook_url,
        host=options.host,
        port=options.port,
        record=False,
    )

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    sys.stderr.write(f"generic provider listening on {server.url}\n")
    sys.stderr.flush()
    try:
        with contextlib.suppress(KeyboardInterrupt):  # SIGTERM or Ctrl-C: stop
            server._httpd.serve_forever()
    finally:
        server._httpd.server_close()
        sys.stdout.write(json.dumps(server.stats()) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
