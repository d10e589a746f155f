"""A loopback provider for the Odoo tests, and providers configured for it.

The server answers like the real APIs it stands for (a generic-protocol
gateway, WhatsApp Cloud API, Twilio) on 127.0.0.1, records each request
and can be told to fail the next ones, so the tests check what Odoo sent
rather than a mock's arguments.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from odoo import fields

from .common import CollectionsCommon


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


class ProvidersCommon(CollectionsCommon):
    """A customer with a valid mobile, and the three kinds of providers."""

    GENERIC_SECRET = "generic-signing-secret"
    WA_SECRET = "whatsapp-app-secret"
    WA_TOKEN = "whatsapp-access-token"
    TWILIO_TOKEN = "twilio-auth-token"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loopback = cls.enterClassContext(LoopbackProvider())
        cls.Message = cls.env["collection.message"]
        cls.Provider = cls.env["collection.provider"]
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Lucía Méndez",
                "mobile": "+52 55 1234 5678",
                "email": "lucia@example.com",
                "country_id": cls.env.ref("base.mx").id,
                "tz": "America/Mexico_City",
                "lang": "en_US",
                "collection_consent_sms": True,
                "collection_consent_whatsapp": True,
                "collection_consent_voice": True,
            }
        )
        cls.generic = cls.Provider.create(
            {
                "name": "Gateway",
                "kind": "generic",
                "use_for_sms": True,
                "generic_url": f"{cls.loopback.url}/send",
                "generic_secret": cls.GENERIC_SECRET,
                "rate_limit": 0,
                "max_attempts": 3,
            }
        )
        cls.whatsapp = cls.Provider.create(
            {
                "name": "WhatsApp",
                "kind": "whatsapp",
                "use_for_whatsapp": True,
                "base_url": cls.loopback.url,
                "whatsapp_phone_number_id": "109876543210",
                "whatsapp_access_token": cls.WA_TOKEN,
                "whatsapp_app_secret": cls.WA_SECRET,
                "whatsapp_verify_token": "verify-me",
                "rate_limit": 0,
            }
        )
        cls.twilio = cls.Provider.create(
            {
                "name": "Twilio",
                "kind": "twilio",
                "use_for_voice": True,
                "base_url": cls.loopback.url,
                "twilio_account_sid": "AC0123456789abcdef0123456789abcdef",
                "twilio_auth_token": cls.TWILIO_TOKEN,
                "twilio_from_number": "+15005550006",
                "voice_transfer_number": "+525511110000",
                "rate_limit": 0,
            }
        )
        cls.template_sms = cls.env["collection.template"].create(
            {
                "name": "SMS reminder",
                "channel": "sms",
                "body": "Hello {{ object.partner_id.name }}, please pay.",
            }
        )
        cls.template_whatsapp = cls.env["collection.template"].create(
            {
                "name": "WhatsApp reminder",
                "channel": "whatsapp",
                "body": "Hello {{ object.partner_id.name }}, please pay.",
                "whatsapp_params": "{{ object.partner_id.name }}\n"
                "{{ object.idempotency_key }}",
            }
        )

    def setUp(self):
        super().setUp()
        with self.loopback.lock:
            self.loopback.requests.clear()
            self.loopback.failures.clear()
            self.loopback.seen_keys.clear()

    def make_row(self, channel="sms", key=None, state="planned", **values):
        template = {
            "sms": self.template_sms,
            "whatsapp": self.template_whatsapp,
            "voice": self.template_sms,
        }.get(channel)
        return self.Message.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "channel": channel,
                "template_id": template.id if template else False,
                "state": state,
                "scheduled_at": fields.Datetime.now(),
                "idempotency_key": key or f"test-{uuid.uuid4().hex}",
                **values,
            }
        )
