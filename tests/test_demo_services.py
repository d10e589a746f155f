"""The demo's stand-ins (scripts/demo_services.py): the mail catcher keeps what
smtplib sends, the gateway carries a signed message of the generic protocol and
posts a signed delivery receipt back, and both show up on the page and in the
log file."""

import hashlib
import hmac
import json
import smtplib
import sys
import threading
import time
import urllib.request
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import demo_services  # noqa: E402
from collections_automation_loopback.generic import sign  # noqa: E402

SECRET = "demo-secret"


class Webhook:
    """Odoo's /collections/webhook/generic, as far as the gateway can tell:
    checks the signature, keeps the body, answers 503 to the first request."""

    def __init__(self):
        self.received = []
        self.attempts = 0
        self.arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                owner.attempts += 1
                stamp, _sep, digest = self.headers["X-Collections-Signature"].partition(
                    ","
                )
                expected = hmac.new(
                    SECRET.encode(),
                    stamp.removeprefix("t=").encode() + b"." + raw,
                    hashlib.sha256,
                ).hexdigest()
                if digest.removeprefix("v1=") != expected:
                    status = 403
                elif owner.attempts == 1:
                    status = 503  # Odoo busy: the gateway must try again
                else:
                    status = 200
                    owner.received.append(json.loads(raw))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if status == 200:
                    owner.arrived.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def services(tmp_path):
    webhook = Webhook()
    running = demo_services.DemoServices(
        SECRET,
        webhook_url=webhook.url,
        log_dir=tmp_path,
        receipt_delays=(0.05, 0.05, 0.05),  # not 1, 2, 5 s...
    ).start()
    yield running, webhook
    running.stop()
    webhook.stop()


def page(services, path="/"):
    with urllib.request.urlopen(services.page_url.rstrip("/") + path, timeout=5) as r:
        return r.read().decode()


def test_mail_catcher_keeps_what_smtplib_sends(services):
    running, _webhook = services
    message = EmailMessage()
    message["From"] = "Admin <admin@example.com>"
    message["To"] = "José Hernández <jl.hernandez@example.mx>"
    message["Subject"] = "Su factura está vencida"
    message.set_content("Hola José,\n.una línea con punto\nPague aquí: https://x/y")
    message.add_alternative("<p>Hola <b>José</b></p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", running.smtp_port, timeout=5) as smtp:
        smtp.send_message(message)
        smtp.send_message(message, to_addrs=["other@example.com"])

    entries = running.log.snapshot()
    assert len(entries) == 2
    assert entries[0]["channel"] == "email"
    assert entries[0]["to"] == "José Hernández <jl.hernandez@example.mx>"
    assert entries[0]["subject"] == "Su factura está vencida"
    assert entries[0]["body"] == (
        "Hola José,\n.una línea con punto\nPague aquí: https://x/y"
    )
    logged = [
        json.loads(line)
        for line in (running.log.path).read_text(encoding="utf-8").splitlines()
    ]
    assert logged == entries
    shown = page(running)
    assert "Su factura está vencida" in shown
    assert "2 email" in shown


def test_gateway_carries_a_text_and_sends_its_receipt(services):
    running, webhook = services
    body = {
        "id": "ref-1",
        "channel": "sms",
        "to": "+818012345678",
        "body": "Your invoice INV/2026/0001 is 4 days overdue.",
    }
    raw = json.dumps(body).encode()
    request = urllib.request.Request(
        running.gateway_url,
        data=raw,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": "ref-1",
            "X-Collections-Signature": sign(SECRET, raw),
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
        gateway_id = json.loads(response.read())["id"]

    assert webhook.arrived.wait(5), "no receipt reached the webhook"
    assert webhook.attempts == 2, "posted again after the 503"
    [receipt] = webhook.received
    [event] = receipt["events"]
    assert event["type"] == "status"
    assert event["status"] == "delivered"
    assert event["reference"] == "ref-1"
    assert event["message_id"] == gateway_id

    [entry] = running.log.snapshot()
    assert (entry["channel"], entry["to"], entry["reference"]) == (
        "sms",
        "+818012345678",
        "ref-1",
    )
    listed = json.loads(page(running, "/messages.json"))
    assert listed == [entry]
    deadline = time.time() + 5
    while running.gateway.stats().get("receipts_sent") != 1:
        assert time.time() < deadline
        time.sleep(0.05)
