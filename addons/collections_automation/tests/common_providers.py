"""Providers configured for the loopback server of the Odoo tests.

The server (``loopback/combined.py``, with the other loopback servers of the
suite) answers like the real APIs it stands for (a generic-protocol gateway,
WhatsApp Cloud API, Twilio) on 127.0.0.1, records each request and can be
told to fail the next ones, so the tests check what Odoo sent rather than a
mock's arguments.
"""

import uuid

from odoo import fields

from ..loopback.combined import LoopbackProvider
from .common import CollectionsCommon


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
