import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common_providers import ProvidersCommon

NUMBER = "+525512345678"
SMS_SID = "SM" + "0" * 31 + "1"
SMS_IN_SID = "SM" + "9" * 32
REPLY_SID = "SM" + "0" * 31 + "2"
CALL_SID = "CA" + "0" * 31 + "1"


class WebhookClient:
    """Signed requests, as each provider signs them (computed here
    independently of the addon's code)."""

    def post_whatsapp(self, payload, secret=None, raw=None):
        raw = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if secret is not False:
            digest = hmac.new(
                (secret or self.WA_SECRET).encode(), raw, hashlib.sha256
            ).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        return self.url_open("/collections/webhook/whatsapp", data=raw, headers=headers)

    def post_twilio(self, params, token=None, path="/collections/webhook/twilio"):
        url = f"{self.base_url()}{path}"
        signed = url + "".join(f"{k}{params[k]}" for k in sorted(params))
        signature = base64.b64encode(
            hmac.new(
                (token or self.TWILIO_TOKEN).encode(), signed.encode(), hashlib.sha1
            ).digest()
        ).decode()
        return self.url_open(
            path,
            data=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
        )

    def twilio_sms_status(self, status, **extra):
        """Twilio's status callback for the SMS ``SMS_SID``."""
        return {
            "AccountSid": self.twilio.twilio_account_sid,
            "MessageSid": SMS_SID,
            "MessageStatus": status,
            "To": NUMBER,
            "From": "+15005550006",
            **extra,
        }

    def post_generic(self, payload, timestamp=None, secret=None, raw=None):
        raw = raw if raw is not None else json.dumps(payload).encode()
        stamp = int(timestamp if timestamp is not None else time.time())
        digest = hmac.new(
            (secret or self.GENERIC_SECRET).encode(),
            f"{stamp}.".encode() + raw,
            hashlib.sha256,
        ).hexdigest()
        return self.url_open(
            "/collections/webhook/generic",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Collections-Signature": f"t={stamp},v1={digest}",
            },
        )

    @staticmethod
    def whatsapp_payload(statuses=(), messages=(), number_id="109876543210"):
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA_ID",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": "15550001111",
                                    "phone_number_id": number_id,
                                },
                                "contacts": [
                                    {"profile": {"name": "Lucia"}, "wa_id": NUMBER[1:]}
                                ],
                                "statuses": list(statuses),
                                "messages": list(messages),
                            },
                        }
                    ],
                }
            ],
        }

    @staticmethod
    def wa_status(wamid="wamid.ABC", status="delivered", reference=None):
        status = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": NUMBER[1:],
        }
        if reference:
            status["biz_opaque_callback_data"] = reference
        return status

    @staticmethod
    def wa_text(text, sender=NUMBER[1:], wamid="wamid.IN1"):
        return {
            "from": sender,
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": "text",
            "text": {"body": text},
        }

    def events(self):
        return self.env["collection.webhook.event"].search([])


@tagged("post_install", "-at_install")
class TestWebhooks(WebhookClient, ProvidersCommon, HttpCase):
    """Every webhook: valid, forged, unsigned, replayed, malformed, unknown
    message, unknown number; signatures computed here independently."""

    def setUp(self):
        super().setUp()
        self.row = self.make_row(
            "whatsapp", key="c1-s1-2026-11-25", state="sent", provider_ref="wamid.ABC"
        )

    # --- WhatsApp
    def test_whatsapp_handshake(self):
        ok = self.url_open(
            "/collections/webhook/whatsapp?hub.mode=subscribe"
            "&hub.verify_token=verify-me&hub.challenge=1158201444"
        )
        self.assertEqual((ok.status_code, ok.text), (200, "1158201444"))
        wrong = self.url_open(
            "/collections/webhook/whatsapp?hub.mode=subscribe"
            "&hub.verify_token=guess&hub.challenge=1158201444"
        )
        self.assertEqual(wrong.status_code, 403)

    def test_whatsapp_receipt_moves_the_row_once(self):
        payload = self.whatsapp_payload([self.wa_status(status="delivered")])
        response = self.post_whatsapp(payload)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.row.state, "delivered")
        self.assertTrue(self.row.delivered_at)
        self.post_whatsapp(self.whatsapp_payload([self.wa_status(status="read")]))
        self.assertEqual(self.row.state, "read")
        # replayed "delivered" changes nothing, and is not stored twice
        replay = self.post_whatsapp(payload)
        self.assertEqual(replay.status_code, 200)
        self.assertIn("1 already received", replay.text)
        self.assertEqual(self.row.state, "read")
        self.assertEqual(len(self.events()), 2)

    def test_whatsapp_receipt_by_our_reference_when_we_crashed(self):
        row = self.make_row("whatsapp", key="c2-s1-2026-11-25", state="sending")
        payload = self.whatsapp_payload(
            [self.wa_status("wamid.NEW", "sent", reference="c2-s1-2026-11-25")]
        )
        self.assertEqual(self.post_whatsapp(payload).status_code, 200)
        self.assertEqual((row.state, row.provider_ref), ("sent", "wamid.NEW"))

    def test_whatsapp_forged_unsigned_and_malformed(self):
        payload = self.whatsapp_payload([self.wa_status(status="read")])
        forged = self.post_whatsapp(payload, secret="not-the-secret")
        unsigned = self.post_whatsapp(payload, secret=False)
        self.assertEqual((forged.status_code, unsigned.status_code), (403, 403))
        self.assertEqual(self.row.state, "sent")
        malformed = self.post_whatsapp(None, raw=b"{not json")
        self.assertEqual(malformed.status_code, 400)
        self.assertNotIn("Traceback", malformed.text)
        wrong_shape = self.post_whatsapp({"entry": "nope"})
        self.assertEqual(wrong_shape.status_code, 400)
        self.assertFalse(self.events())

    def test_whatsapp_unknown_message_id_changes_nothing(self):
        payload = self.whatsapp_payload([self.wa_status("wamid.UNKNOWN", "read")])
        self.assertEqual(self.post_whatsapp(payload).status_code, 200)
        self.assertEqual(self.row.state, "sent")
        self.assertEqual(self.events().state, "ignored")

    def test_a_receipt_about_no_message_of_ours_is_answered_ignored(self):
        """The provider reads our answer: a receipt matching no message is
        ignored, not applied; still a 200, so that it is not sent again."""
        payload = self.whatsapp_payload(
            [
                self.wa_status("wamid.UNKNOWN", "read"),
                self.wa_status("wamid.ABC", "delivered"),
            ]
        )
        response = self.post_whatsapp(payload)
        self.assertEqual(response.status_code, 200)
        self.assertIn("ok: 1 applied, 0 already received, 1 ignored", response.text)
        self.assertEqual(self.row.state, "delivered")
        # Twilio's callback for an SMS we never sent, and the generic gateway's
        response = self.post_twilio(self.twilio_sms_status("delivered"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("ok: 0 applied, 0 already received, 1 ignored", response.text)
        response = self.post_generic(
            {
                "events": [
                    {
                        "id": "evt-unknown",
                        "type": "status",
                        "message_id": "gw-unknown",
                        "status": "delivered",
                    }
                ]
            }
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("ok: 0 applied, 0 already received, 1 ignored", response.text)
        self.assertEqual(
            self.events().mapped("state").count("ignored"), 3, self.events()
        )
        # a replay is a replay, not ignored twice
        replay = self.post_generic(
            {
                "events": [
                    {
                        "id": "evt-unknown",
                        "type": "status",
                        "message_id": "gw-unknown",
                        "status": "delivered",
                    }
                ]
            }
        )
        self.assertEqual(replay.text, "ok: 0 applied, 1 already received")

    def test_whatsapp_reply_lands_in_the_chatter(self):
        payload = self.whatsapp_payload(messages=[self.wa_text("Pago el viernes")])
        self.assertEqual(self.post_whatsapp(payload).status_code, 200)
        self.assertEqual(self.row.state, "replied")
        self.assertIn("Pago el viernes", self.customer.message_ids[0].body)
        self.assertEqual(self.customer.message_ids[0].author_id, self.customer)
        self.assertTrue(self.customer.collection_whatsapp_inbound_at)
        self.assertEqual(self.events().partner_id, self.customer)

    def test_message_from_an_unknown_number_waits_for_review(self):
        payload = self.whatsapp_payload(
            messages=[self.wa_text("who is this?", sender="5491100000000")]
        )
        response = self.post_whatsapp(payload)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.text,
            "ok: 0 applied, 0 already received, 1 kept for a person to review",
        )
        event = self.events()
        self.assertEqual((event.state, event.sender), ("review", "+5491100000000"))
        self.assertEqual(self.row.state, "sent")

    def test_opt_out_word_revokes_consent_and_confirms_once(self):
        self.post_whatsapp(self.whatsapp_payload(messages=[self.wa_text("BAJA")]))
        self.assertTrue(self.customer.collection_optout_whatsapp)
        self.assertFalse(self.customer.collection_consent_whatsapp)
        confirmations = self.Message.search(
            [
                ("kind", "=", "optout_confirmation"),
                ("partner_id", "=", self.customer.id),
            ]
        )
        self.assertEqual(len(confirmations), 1)
        self.assertEqual(confirmations.channel, "whatsapp")
        # a second STOP, in another language, confirms nothing more
        self.post_whatsapp(
            self.whatsapp_payload(messages=[self.wa_text("STOP", wamid="wamid.IN2")])
        )
        self.assertEqual(
            self.Message.search_count([("kind", "=", "optout_confirmation")]), 1
        )
        # the journey can no longer use WhatsApp
        verdict = self.env["collection.contact.gate"]._decide(
            self.customer, "whatsapp", "journey", self.row.create_date
        )
        self.assertEqual((verdict.state, verdict.rule), ("refused", "opt_out"))

    def test_the_opt_out_note_is_the_companys_not_the_public_users(self):
        """STOP comes in through a public route: the note saying so on the
        customer is signed by the company, as the suite's automated notes
        are, never by "Public user"."""
        brother = self.customer.copy(
            {"name": "Pablo Méndez", "collection_consent_whatsapp": True}
        )
        self.post_whatsapp(self.whatsapp_payload(messages=[self.wa_text("STOP")]))
        public = self.env.ref("base.public_user").sudo().partner_id
        company = self.whatsapp.company_id.partner_id
        for customer in (self.customer, brother):
            note = customer.message_ids.filtered(
                lambda m: "Opted out of collection messages" in (m.body or "")
            )
            self.assertEqual(len(note), 1, customer.name)
            self.assertNotEqual(note.author_id, public, customer.name)
            self.assertEqual(note.author_id, company, customer.name)

    def test_an_opt_out_stops_every_customer_behind_the_number(self):
        """Lucía's brother shares her mobile: STOP from it stops both, with
        one confirmation."""
        brother = self.customer.copy(
            {"name": "Pablo Méndez", "collection_consent_whatsapp": True}
        )
        self.assertEqual(brother.collection_phone_e164, NUMBER)
        self.post_whatsapp(self.whatsapp_payload(messages=[self.wa_text("STOP")]))
        self.assertTrue(self.customer.collection_optout_whatsapp)
        self.assertTrue(brother.collection_optout_whatsapp)
        self.assertFalse(brother.collection_consent_whatsapp)
        self.assertEqual(
            self.Message.search_count([("kind", "=", "optout_confirmation")]), 1
        )

    # --- Twilio
    def test_twilio_status_callback(self):
        # Twilio carries SMS too: a receipt of a provider touches only rows
        # on channels it carries
        self.twilio.use_for_sms = True
        row = self.make_row("sms", state="sent", provider_ref=SMS_SID)
        params = self.twilio_sms_status("delivered")
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertEqual(row.state, "delivered")
        failed = dict(params, MessageStatus="undelivered", ErrorCode="30003")
        forged = self.post_twilio(failed, token="wrong-token")
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(row.state, "delivered")

    def test_a_receipt_leaves_rows_of_channels_its_provider_does_not_carry(self):
        """Twilio (voice only here) reports a failure for an id an email row
        also stored (ids of two senders may meet): that row was not
        Twilio's, and stays sent."""
        email = self.make_row("email", state="sent", provider_ref=SMS_SID)
        params = self.twilio_sms_status("undelivered", ErrorCode="30003")
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertEqual((email.state, email.error), ("sent", False))

    def test_twilio_unsigned_and_malformed(self):
        unsigned = self.url_open(
            "/collections/webhook/twilio",
            data=urlencode({"MessageSid": "SM1", "MessageStatus": "delivered"}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual(unsigned.status_code, 403)
        malformed = self.post_twilio({"AccountSid": self.twilio.twilio_account_sid})
        self.assertEqual(malformed.status_code, 400)
        self.assertNotIn("Traceback", malformed.text)

    def test_twilio_inbound_sms_reply(self):
        row = self.make_row("sms", state="delivered", provider_ref=REPLY_SID)
        params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "MessageSid": SMS_IN_SID,
            "SmsStatus": "received",
            "From": NUMBER,
            "To": "+15005550006",
            "Body": "I'll pay on Friday",
        }
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertEqual(row.state, "replied")
        self.assertIn("pay on Friday", self.customer.message_ids[0].body)

    def test_voice_call_flow(self):
        call = self.make_row(
            "voice", state="sent", provider_ref=CALL_SID, body="You owe 800 pesos."
        )
        token = call._voice_token()
        path = f"/collections/voice/{call.id}?token={token}"
        params = {"AccountSid": self.twilio.twilio_account_sid, "CallSid": CALL_SID}
        response = self.post_twilio(params, path=path)
        self.assertEqual(response.status_code, 200)
        self.assertIn("<Gather", response.text)
        self.assertIn("You owe 800 pesos.", response.text)
        machine = self.post_twilio(
            dict(params, AnsweredBy="machine_end_beep"), path=path
        )
        self.assertNotIn("<Gather", machine.text)
        # a machine gets a limited-content message: nothing of the debt
        self.assertIn("a message for Lucía Méndez", machine.text)
        self.assertNotIn("800", machine.text)
        forged = self.post_twilio(params, path=f"/collections/voice/{call.id}?token=x")
        self.assertEqual(forged.status_code, 403)
        gather = f"/collections/voice/{call.id}/gather?token={token}"
        transfer = self.post_twilio(dict(params, Digits="2"), path=gather)
        self.assertIn("<Dial", transfer.text)
        self.assertIn("+525511110000", transfer.text)
        speech = self.post_twilio(
            dict(params, SpeechResult="I will pay next week"), path=gather
        )
        self.assertEqual(speech.status_code, 200)
        self.assertEqual(call.state, "replied")
        self.assertIn("I will pay next week", self.customer.message_ids[0].body)

    # --- Generic
    def test_generic_events(self):
        row = self.make_row("sms", state="sent", provider_ref="gw-1")
        payload = {
            "events": [
                {
                    "id": "evt-1",
                    "type": "status",
                    "message_id": "gw-1",
                    "reference": row.idempotency_key,
                    "status": "delivered",
                    "timestamp": "2026-11-25T16:00:05Z",
                }
            ]
        }
        self.assertEqual(self.post_generic(payload).status_code, 200)
        self.assertEqual(row.state, "delivered")
        stale = self.post_generic(payload, timestamp=time.time() - 3600)
        self.assertEqual(stale.status_code, 403)
        forged = self.post_generic(payload, secret="guess")
        self.assertEqual(forged.status_code, 403)
        replay = self.post_generic(payload)
        self.assertEqual(replay.status_code, 200)
        self.assertEqual(len(self.events()), 1)
        malformed = self.post_generic({"events": [{"type": "status"}]})
        self.assertEqual(malformed.status_code, 400)

    def test_two_gateways_sharing_a_secret_each_get_their_receipts(self):
        # an SMS gateway and an email one of the same vendor, one secret:
        # both verify the signature; each receipt is the sender's
        self.Provider.create(
            {
                "name": "Mail gateway",
                "kind": "generic",
                "use_for_email": True,
                "generic_url": f"{self.loopback.url}/send",
                "generic_secret": self.GENERIC_SECRET,
                "rate_limit": 0,
            }
        )
        sms = self.make_row("sms", state="sent", provider_ref="gw-sms-1")
        email = self.make_row("email", state="sent", provider_ref="gw-mail-1")
        payload = {
            "events": [
                {
                    "id": f"evt-{ref}",
                    "type": "status",
                    "message_id": ref,
                    "reference": row.idempotency_key,
                    "status": "delivered",
                }
                for ref, row in (("gw-sms-1", sms), ("gw-mail-1", email))
            ]
        }
        response = self.post_generic(payload)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn("2 applied", response.text)
        self.assertEqual((sms.state, email.state), ("delivered", "delivered"))


WA_NUMBER_ID_2 = "209876543210"
SHARED = "+525588880001"  # a number two companies' customers share


@tagged("post_install", "-at_install")
class TestWebhooksTwoCompanies(WebhookClient, ProvidersCommon, HttpCase):
    """Two companies, each with its own providers, whose event ids, message
    ids and customers' numbers collide: each webhook touches its own
    company's rows, customers and journeys only."""

    GENERIC_SECRET_2 = "generic-signing-secret-two"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1 = cls.env.company
        cls.company_2 = cls.setup_other_company(name="Cobranzas Dos")["company"]
        cls.generic_2 = cls.Provider.create(
            {
                "name": "Gateway 2",
                "kind": "generic",
                "company_id": cls.company_2.id,
                "use_for_sms": True,
                "generic_url": f"{cls.loopback.url}/send",
                "generic_secret": cls.GENERIC_SECRET_2,
                "rate_limit": 0,
            }
        )
        # the same Meta app (same secret) serves both companies' numbers
        cls.whatsapp_2 = cls.Provider.create(
            {
                "name": "WhatsApp 2",
                "kind": "whatsapp",
                "company_id": cls.company_2.id,
                "use_for_whatsapp": True,
                "base_url": cls.loopback.url,
                "whatsapp_phone_number_id": WA_NUMBER_ID_2,
                "whatsapp_access_token": "whatsapp-token-two",
                "whatsapp_app_secret": cls.WA_SECRET,
                "rate_limit": 0,
            }
        )
        Partner = cls.env["res.partner"]
        cls.local_1, cls.local_2 = (
            Partner.create(
                {
                    "name": name,
                    "mobile": SHARED,
                    "country_id": cls.env.ref("base.mx").id,
                    "company_id": company.id,
                }
            )
            for name, company in (
                ("Cliente Uno", cls.company_1),
                ("Cliente Dos", cls.company_2),
            )
        )
        Debtor = cls.env["collection.debtor"]
        cls.debtor_1, cls.debtor_2 = (
            Debtor.create({"partner_id": cls.customer.id, "company_id": company.id})
            for company in (cls.company_1, cls.company_2)
        )

    def row_of(self, company, channel="sms", **values):
        return self.make_row(channel, company_id=company.id, **values)

    def test_event_ids_are_unique_per_provider_not_per_kind(self):
        row_1 = self.row_of(self.company_1, state="sent", provider_ref="gw-1")
        row_2 = self.row_of(self.company_2, state="sent", provider_ref="gw-1")
        payload = {
            "events": [
                {
                    "id": "evt-1",
                    "type": "status",
                    "message_id": "gw-1",
                    "status": "delivered",
                }
            ]
        }
        first = self.post_generic(payload)
        second = self.post_generic(payload, secret=self.GENERIC_SECRET_2)
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertIn("1 applied", second.text)
        self.assertEqual((row_1.state, row_2.state), ("delivered", "delivered"))
        events = self.events()
        self.assertEqual(events.provider_id, self.generic | self.generic_2)
        self.assertEqual(events.message_id, row_1 | row_2)
        # each provider's replay is still one
        replay = self.post_generic(payload, secret=self.GENERIC_SECRET_2)
        self.assertIn("0 applied, 1 already received", replay.text)
        self.assertEqual(len(self.events()), 2)

    def test_receipt_only_moves_rows_of_its_provider(self):
        row_1 = self.row_of(self.company_1, state="sent", provider_ref="gw-7")
        row_2 = self.row_of(self.company_2, state="sent", provider_ref="gw-8")
        events = [
            # company 1's provider id and reference, signed by company 2
            {"id": "a", "type": "status", "message_id": "gw-7", "status": "read"},
            {
                "id": "b",
                "type": "status",
                "reference": row_1.idempotency_key,
                "status": "read",
            },
        ]
        response = self.post_generic({"events": events}, secret=self.GENERIC_SECRET_2)
        self.assertEqual(response.status_code, 200)
        self.assertEqual((row_1.state, row_2.state), ("sent", "sent"))
        self.assertEqual(set(self.events().mapped("state")), {"ignored"})
        # company 2's own reference moves its own row
        self.post_generic(
            {
                "events": [
                    {
                        "id": "c",
                        "type": "status",
                        "reference": row_2.idempotency_key,
                        "status": "read",
                    }
                ]
            },
            secret=self.GENERIC_SECRET_2,
        )
        self.assertEqual(row_2.state, "read")

    def test_receipt_never_moves_a_planned_or_review_row(self):
        planned = self.row_of(self.company_1)
        review = self.row_of(self.company_1, state="review")
        events = [
            {"id": f"r-{row.id}", "type": "status", "reference": key, "status": status}
            for row in (planned, review)
            for key in [row.idempotency_key]
            for status in ("read", "delivered", "failed")
        ]
        self.assertEqual(self.post_generic({"events": events}).status_code, 200)
        self.assertEqual((planned.state, review.state), ("planned", "review"))

    def test_whatsapp_is_routed_by_phone_number_id(self):
        row_1 = self.row_of(
            self.company_1, "whatsapp", state="sent", provider_ref="wamid.ONE"
        )
        row_2 = self.row_of(
            self.company_2, "whatsapp", state="sent", provider_ref="wamid.TWO"
        )
        payload = self.whatsapp_payload(
            [self.wa_status("wamid.TWO", "read")],
            [self.wa_text("hola", sender="5215588880001", wamid="wamid.IN2")],
            number_id=WA_NUMBER_ID_2,
        )
        response = self.post_whatsapp(payload)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((row_1.state, row_2.state), ("sent", "read"))
        inbound = self.events().filtered(lambda e: e.kind == "message")
        self.assertEqual(inbound.provider_id, self.whatsapp_2)
        self.assertEqual(inbound.company_id, self.company_2)
        # Mexico's WhatsApp id (521...) is company 2's customer's +52 number
        self.assertEqual(inbound.partner_id, self.local_2)
        self.assertIn("hola", self.local_2.message_ids[0].body)
        self.assertNotIn("hola", self.local_1.message_ids[:1].body or "")

    def test_unknown_phone_number_id_is_refused(self):
        payload = self.whatsapp_payload(
            messages=[self.wa_text("hola")], number_id="999"
        )
        response = self.post_whatsapp(payload)
        self.assertEqual(response.status_code, 400)
        self.assertIn("no WhatsApp provider has the phone number ID 999", response.text)
        self.assertFalse(self.events())

    def test_reply_pauses_only_that_companys_journey(self):
        row_1 = self.row_of(
            self.company_1, "whatsapp", state="delivered", provider_ref="wamid.R1"
        )
        row_2 = self.row_of(
            self.company_2, "whatsapp", state="delivered", provider_ref="wamid.R2"
        )
        payload = self.whatsapp_payload(messages=[self.wa_text("pago mañana")])
        self.assertEqual(self.post_whatsapp(payload).status_code, 200)
        self.assertEqual((row_1.state, row_2.state), ("replied", "delivered"))
        self.assertTrue(self.debtor_1.reply_pending)
        self.assertFalse(self.debtor_2.reply_pending)

    def test_whatsapp_ids_of_mexico_and_argentina_match_stored_numbers(self):
        argentina = self.env.ref("base.ar")
        buenos_aires = self.env["res.partner"].create(
            {"name": "Sofía", "mobile": "+54 11 1234 5678", "country_id": argentina.id}
        )
        rosario = self.env["res.partner"].create(
            {"name": "Mateo", "mobile": "0341 15 555 1234", "country_id": argentina.id}
        )
        self.assertEqual(
            (
                self.customer.collection_phone_e164,
                buenos_aires.collection_phone_e164,
                rosario.collection_phone_e164,
            ),
            ("+525512345678", "+541112345678", "+5493415551234"),
        )
        messages = [
            self.wa_text("hola", sender="5215512345678", wamid="wamid.MX"),
            self.wa_text("hola", sender="5491112345678", wamid="wamid.AR1"),
            self.wa_text("hola", sender="5493415551234", wamid="wamid.AR2"),
        ]
        self.post_whatsapp(self.whatsapp_payload(messages=messages))
        found = {e.event_key: e.partner_id for e in self.events()}
        self.assertEqual(
            found,
            {
                "wamid.MX": self.customer,
                "wamid.AR1": buenos_aires,
                "wamid.AR2": rosario,
            },
        )

    def test_failed_receipt_after_sent_fails_the_row_with_the_reason(self):
        row = self.row_of(self.company_1, state="sent", provider_ref="gw-f")
        leak = f"handset unreachable (key {self.GENERIC_SECRET})"
        event = {
            "id": "f1",
            "type": "status",
            "message_id": "gw-f",
            "status": "undelivered",
            "error": leak,
        }
        self.assertEqual(self.post_generic({"events": [event]}).status_code, 200)
        self.assertEqual(row.state, "failed")
        self.assertIn("handset unreachable", row.error)
        self.assertNotIn(self.GENERIC_SECRET, row.error)
        note = self.customer.message_ids[0].body
        self.assertIn("failed", note)
        self.assertIn("handset unreachable", note)
        # a late "delivered" proves it arrived after all
        late = dict(event, id="f2", status="delivered", error=None)
        self.post_generic({"events": [late]})
        self.assertEqual((row.state, row.error), ("delivered", False))

    def test_twilio_undelivered_after_sent_fails_the_row(self):
        self.twilio.use_for_sms = True  # it sent the row
        row = self.row_of(self.company_1, state="sent", provider_ref=SMS_SID)
        params = self.twilio_sms_status("undelivered", ErrorCode="30003")
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertEqual(row.state, "failed")
        self.assertIn("unreachable destination handset", row.error)

    def test_webhook_url_of_several_and_of_a_new_provider(self):
        providers = self.generic | self.whatsapp_2
        urls = providers.mapped("webhook_url")
        self.assertTrue(urls[0].endswith("/collections/webhook/generic"))
        self.assertTrue(urls[1].endswith("/collections/webhook/whatsapp"))
        self.assertFalse(self.Provider.new({}).webhook_url)
        self.assertTrue(
            self.Provider.new({"kind": "twilio"}).webhook_url.endswith("/twilio")
        )

    def test_a_whatsapp_number_belongs_to_one_provider(self):
        with self.assertRaises(ValidationError):
            self.Provider.create(
                {
                    "name": "Copy",
                    "kind": "whatsapp",
                    "whatsapp_phone_number_id": WA_NUMBER_ID_2,
                }
            )


@tagged("post_install", "-at_install")
class TestWebhookInput(WebhookClient, ProvidersCommon, HttpCase):
    """Bad input gets a 4xx with a plain sentence, never a 500 nor a
    traceback; in a batch, the bad event is refused alone."""

    def setUp(self):
        super().setUp()
        self.row = self.make_row("sms", state="sent", provider_ref="gw-ok")

    def assert_plain(self, response, status):
        self.assertEqual(response.status_code, status, response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertNotIn("<html", response.text.lower())

    def test_a_bad_event_in_a_batch_is_refused_alone(self):
        good = {"id": "good", "type": "status", "message_id": "gw-ok"}
        events = [
            dict(good, status="delivered"),
            {"id": "nul", "type": "message", "from": NUMBER, "text": "a\x00b"},
            dict(good, id="far", status="read", timestamp=10**20),
            dict(good, id="iso", status="read", timestamp="9999-12-31T23:59-23:59"),
            dict(good, id=12.5, status="read"),
            {"id": "deep", "type": "message", "from": NUMBER, "text": {"a": [1]}},
        ]
        response = self.post_generic({"events": events})
        self.assert_plain(response, 200)
        self.assertIn("1 applied", response.text)
        self.assertIn("5 refused", response.text)
        for name in ("'nul'", "'far'", "'iso'", "#5", "'deep'"):
            self.assertIn(name, response.text)
        self.assertEqual(self.row.state, "delivered")
        self.assertEqual(self.events().mapped("event_key"), ["good"])
        # a batch of bad events only is refused whole
        only_bad = self.post_generic({"events": events[1:]})
        self.assert_plain(only_bad, 400)

    def test_whatsapp_batch_with_a_bad_status_keeps_the_good_ones(self):
        self.make_row("whatsapp", state="sent", provider_ref="wamid.GOOD")
        payload = self.whatsapp_payload(
            [
                self.wa_status("wamid.GOOD", "delivered"),
                dict(self.wa_status("wamid.FAR", "read"), timestamp=10**20),
                dict(self.wa_status("wamid.NUM", "read"), id=5),
            ]
        )
        value = payload["entry"][0]["changes"][0]["value"]
        value["metadata"]["display_phone_number"] = 15550001111  # a number
        response = self.post_whatsapp(payload)
        self.assert_plain(response, 200)
        self.assertIn("1 applied", response.text)
        self.assertIn("2 refused", response.text)
        self.assertEqual(self.events().event_key, "wamid.GOOD:delivered")

    def test_a_body_sent_as_a_form_is_told_to_be_json(self):
        raw = json.dumps({"events": [{"id": "f1", "type": "status"}]}).encode()
        stamp = int(time.time())
        digest = hmac.new(
            self.GENERIC_SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256
        ).hexdigest()
        for path, headers in (
            (
                "/collections/webhook/generic",
                {"X-Collections-Signature": f"t={stamp},v1={digest}"},
            ),
            ("/collections/webhook/whatsapp", {"X-Hub-Signature-256": "sha256=0"}),
        ):
            response = self.url_open(
                path,
                data=raw,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    **headers,
                },
            )
            # not "invalid signature": the signature was right, the type wrong
            self.assert_plain(response, 415)
            self.assertIn("Content-Type: application/json", response.text)
        self.assertFalse(self.events())

    def test_malformed_bodies_get_a_plain_4xx(self):
        self.assert_plain(self.post_generic(None, raw=b"[" * 200_000), 400)
        self.assert_plain(self.post_generic(None, raw=b"\xff\xfe{"), 400)
        self.assert_plain(self.post_generic(None, raw=b"1" * 5000), 400)
        self.assert_plain(self.post_generic(None, raw=b'{"events": [NaN]}'), 400)
        self.assert_plain(self.post_whatsapp(None, raw=b"[" * 200_000), 400)
        too_big = b'{"events": [], "pad": "' + b"x" * 1_100_000 + b'"}'
        self.assert_plain(self.post_generic(None, raw=too_big), 413)
        self.assert_plain(self.post_generic({"events": [], "channel": 5}), 400)

    def test_signature_headers_of_any_text_are_refused_plainly(self):
        raw = b'{"events": []}'
        for header in ("t=1,v1=\u00e9\u00e9", f"t={'9' * 400},v1={'a' * 64}", "\u00ff"):
            response = self.url_open(
                "/collections/webhook/generic",
                data=raw,
                headers={"X-Collections-Signature": header},
            )
            self.assert_plain(response, 403)
        response = self.url_open(
            "/collections/webhook/whatsapp",
            data=raw,
            headers={"X-Hub-Signature-256": "sha256=\u00e9"},
        )
        self.assert_plain(response, 403)
        response = self.url_open(
            "/collections/webhook/twilio",
            data={"MessageSid": SMS_SID},
            headers={"X-Twilio-Signature": "\u00e9\u00e9"},
        )
        self.assert_plain(response, 403)

    def test_twilio_nul_and_huge_values_are_refused(self):
        base_params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "MessageSid": SMS_IN_SID,
            "From": NUMBER,
            "To": "+15005550006",
        }
        for extra in (
            {"Body": "hola\x00"},
            {"Body": "x" * 20_000},
            {"MessageSid": "SM\x00"},
        ):
            response = self.post_twilio(dict(base_params, **extra))
            self.assert_plain(response, 400)
        self.assertFalse(self.events())

    def test_voice_routes_refuse_any_odd_request_plainly(self):
        call = self.make_row("voice", state="sent", provider_ref=CALL_SID, body="Hola")
        params = {"AccountSid": self.twilio.twilio_account_sid, "CallSid": CALL_SID}
        for path in (
            f"/collections/voice/{10**20}?token=1.a",
            f"/collections/voice/{call.id}?token=%C3%A9",
            f"/collections/voice/{call.id}?token={'9' * 300}.x",
            f"/collections/voice/{call.id}",
            f"/collections/voice/{call.id}/gather?token=%00",
        ):
            self.assert_plain(self.post_twilio(params, path=path), 403)
        token = call._voice_token()
        gather = f"/collections/voice/{call.id}/gather?token={token}"
        # odd words the recogniser heard are answered in words, on the call
        # (test_voice_calls.py); a malformed key or counter is refused
        for odd in ({"Digits": "1\x00"}, {"Confidence": "2"}):
            self.assert_plain(self.post_twilio(dict(params, **odd), path=gather), 400)
        self.assert_plain(self.post_twilio(params, path=f"{gather}&n=x"), 400)


@tagged("post_install", "-at_install")
class TestVoiceToken(WebhookClient, ProvidersCommon, HttpCase):
    """The call flow's token serves its own call, for a while."""

    def call_params(self, call_sid):
        return {"AccountSid": self.twilio.twilio_account_sid, "CallSid": call_sid}

    def test_gather_token_is_bound_to_its_call(self):
        # the call is being started: Twilio's SID is not recorded yet
        call = self.make_row("voice", state="sending", body="Debe 800.")
        other = "CA" + "f" * 32
        opening = self.post_twilio(self.call_params(CALL_SID), path=call._voice_path())
        self.assertEqual(opening.status_code, 200)
        gather = re.search(r'action="([^"]+)"', opening.text).group(1)
        gather = gather.replace("&amp;", "&").removeprefix(self.base_url())
        self.assertEqual(
            self.post_twilio(self.call_params(other), path=gather).status_code, 403
        )
        answer = self.post_twilio(
            dict(self.call_params(CALL_SID), Digits="9"), path=gather
        )
        self.assertEqual(answer.status_code, 200)

    def test_token_of_another_call_or_expired_or_after_the_call_is_refused(self):
        call = self.make_row("voice", state="sent", provider_ref=CALL_SID, body="Hola")
        path = call._voice_path()
        other = "CA" + "f" * 32
        self.assertEqual(
            self.post_twilio(self.call_params(other), path=path).status_code, 403
        )
        self.assertEqual(
            self.post_twilio(self.call_params(CALL_SID), path=path).status_code, 200
        )
        with freeze_time(datetime.now() + timedelta(hours=2)):
            late = self.post_twilio(self.call_params(CALL_SID), path=path)
        self.assertEqual(late.status_code, 403)
        completed = dict(self.call_params(CALL_SID), CallStatus="completed", To=NUMBER)
        self.assertEqual(self.post_twilio(completed).status_code, 200)
        self.assertEqual(
            self.post_twilio(self.call_params(CALL_SID), path=path).status_code, 403
        )


@tagged("post_install", "-at_install")
class TestEscalationAfterFailure(WebhookClient, ProvidersCommon, HttpCase):
    """A provider's failure after "sent" fails the row, and the journey's
    next step, planned day by day, starts on the next channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template_whatsapp.whatsapp_template_ids = [
            (0, 0, {"whatsapp_name": "payment_reminder", "whatsapp_lang": "en_US"})
        ]
        journey = cls.env["collection.journey"].create({"name": "WhatsApp first"})
        for sequence, offset in ((10, 3), (20, 5)):
            cls.env["collection.journey.step"].create(
                {
                    "journey_id": journey.id,
                    "name": f"Reminder {sequence}",
                    "sequence": sequence,
                    "offset_days": offset,
                    "channel": "whatsapp",
                    "fallback_channels": "sms",
                    "response_hours": 240,  # unanswered does not escalate here
                    "template_ids": [
                        (6, 0, (cls.template_whatsapp | cls.template_sms).ids)
                    ],
                }
            )
        cls.env["collection.segment"].create(
            {
                "name": "Everyone, WhatsApp first",
                "sequence": 1,
                "journey_id": journey.id,
            }
        )
        journey.action_start()
        cls.make_invoice(cls.customer, 800, due_in=-3)
        cls.start = datetime.combine(cls.today, datetime.min.time()) + timedelta(
            hours=16  # 10:00 in Mexico City
        )

    def plan(self, day):
        now = self.start + timedelta(days=day)
        self.env["collection.debtor"]._refresh(
            now.date(), company_ids=self.env.company.ids
        )
        self.Message._plan(now=now, company_ids=self.env.company.ids)
        return now

    def journey_rows(self):
        return self.Message.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "journey")],
            order="id",
        )

    def second_step_channel(self, receipt):
        self.plan(0)
        first = self.journey_rows()
        self.assertEqual((first.channel, first.state), ("whatsapp", "planned"))
        self.Message._dispatch(now=first.scheduled_at)
        self.assertEqual(first.state, "sent", first.error)
        status = self.wa_status(first.provider_ref, receipt)
        if receipt == "failed":
            status["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
        self.assertEqual(
            self.post_whatsapp(self.whatsapp_payload([status])).status_code, 200
        )
        for day in (1, 2):  # day by day until the second step is due
            self.plan(day)
        rows = self.journey_rows()
        self.assertEqual(len(rows), 2, rows.mapped("state"))
        return first, rows[1]

    def test_failed_delivery_moves_the_next_step_to_the_next_channel(self):
        first, second = self.second_step_channel("failed")
        self.assertEqual(first.state, "failed")
        self.assertIn("message undeliverable", first.error)
        self.assertIn("WhatsApp error 131026", first.error)
        self.assertTrue(
            any(
                "failed" in body and "131026" in body
                for body in self.customer.message_ids.mapped("body")
            )
        )
        self.assertEqual(second.channel, "sms")
        self.assertIn("went last", second.channel_notes)

    def test_delivered_keeps_the_channel(self):
        first, second = self.second_step_channel("delivered")
        self.assertEqual(first.state, "delivered")
        self.assertEqual(second.channel, "whatsapp")


# --- Hypothesis: any payload, correctly signed so that it reaches the parsing
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
#: (field, value) no event may carry: each makes its event refused.
POISON = st.tuples(
    st.sampled_from(["id", "text", "timestamp", "status", "reference"]),
    st.sampled_from(
        ["a\x00b", 10**20, 1e308, {"nested": ["x"]}, ["list"], "x" * 12_000]
    ),
) | st.tuples(
    st.just("timestamp"),
    st.sampled_from(["9999-12-31T23:59:59-23:59", "yesterday", -5, float("inf")]),
)
CLEAN_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@tagged("post_install", "-at_install")
class TestWebhookProperties(WebhookClient, ProvidersCommon, HttpCase):
    """Whatever a signed webhook carries: never a 5xx, never a traceback,
    and the good events of a batch are stored."""

    def setUp(self):
        super().setUp()
        self.row = self.make_row("sms", state="sent", provider_ref="gw-prop")

    def assert_no_server_error(self, response):
        self.assertLess(response.status_code, 500, response.text)
        self.assertNotIn("Traceback", response.text)

    def stored(self, provider, keys):
        return set(
            self.env["collection.webhook.event"]
            .search([("provider_id", "=", provider.id), ("event_key", "in", keys)])
            .mapped("event_key")
        )

    @SETTINGS
    @given(
        good=st.lists(
            st.fixed_dictionaries(
                {
                    "status": st.sampled_from(
                        ["sent", "delivered", "read", "failed", "undelivered", "queued"]
                    ),
                    "timestamp": st.none()
                    | st.integers(min_value=946684800, max_value=4102444799)
                    | st.just("2026-11-25T16:00:05Z"),
                    "error": st.none() | CLEAN_TEXT,
                }
            ),
            max_size=4,
        ),
        bad=st.lists(POISON, max_size=3),
        extra=st.dictionaries(
            st.sampled_from(["to", "channel", "x"]), JSON, max_size=2
        ),
        order=st.randoms(use_true_random=False),
    )
    def test_generic_batches(self, good, bad, extra, order):
        tag = uuid.uuid4().hex[:8]
        good_events = [
            {
                "id": f"good-{tag}-{index}",
                "type": "status",
                "message_id": "gw-prop",
                **{k: v for k, v in values.items() if v is not None},
            }
            for index, values in enumerate(good)
        ]
        bad_events = [
            {
                "id": f"bad-{tag}-{index}",
                **(
                    {"type": "message", "from": NUMBER}
                    if field == "text"
                    else {"type": "status", "message_id": "gw-prop", "status": "read"}
                ),
                field: value,
            }
            for index, (field, value) in enumerate(bad)
        ]
        events = good_events + bad_events
        order.shuffle(events)
        response = self.post_generic({"events": events, **extra})
        self.assert_no_server_error(response)
        if response.status_code == 200:
            keys = [e["id"] for e in good_events]
            self.assertEqual(self.stored(self.generic, keys), set(keys))
        poisoned = [
            e["id"]
            for e in bad_events
            if isinstance(e["id"], str) and "\x00" not in e["id"]
        ]
        self.assertFalse(self.stored(self.generic, poisoned))

    @SETTINGS
    @given(body=JSON)
    def test_generic_any_json(self, body):
        self.assert_no_server_error(self.post_generic(body))

    @SETTINGS
    @given(
        statuses=st.lists(
            st.fixed_dictionaries(
                {"status": st.sampled_from(["sent", "delivered", "read", "failed"])},
                optional={
                    "recipient_id": JSON,
                    "errors": JSON,
                    "biz_opaque_callback_data": JSON,
                    "timestamp": JSON,
                    "id": JSON,
                },
            ),
            max_size=3,
        ),
        messages=st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "from": JSON | st.just("5215512345678"),
                    "type": JSON | st.just("text"),
                    "text": JSON,
                    "timestamp": JSON,
                    "id": JSON,
                    "context": JSON,
                },
            ),
            max_size=2,
        ),
        metadata=st.dictionaries(
            st.sampled_from(["display_phone_number", "phone_number_id"]),
            JSON,
            max_size=2,
        ),
        good=st.integers(min_value=0, max_value=2),
    )
    def test_whatsapp_notifications(self, statuses, messages, metadata, good):
        tag = uuid.uuid4().hex[:8]
        wamids = [f"wamid.{tag}.{index}" for index in range(good)]
        for wamid in wamids:
            self.make_row("whatsapp", state="sent", provider_ref=wamid)
        payload = self.whatsapp_payload(
            [self.wa_status(wamid, "delivered") for wamid in wamids] + statuses,
            messages,
        )
        payload["entry"].append(
            {"changes": [{"field": "messages", "value": {"metadata": metadata}}]}
        )
        response = self.post_whatsapp(payload)
        self.assert_no_server_error(response)
        if wamids:
            self.assertEqual(response.status_code, 200, response.text)
            keys = [f"{wamid}:delivered" for wamid in wamids]
            self.assertEqual(self.stored(self.whatsapp, keys), set(keys))

    @SETTINGS
    @given(
        form=st.dictionaries(
            st.sampled_from(
                [
                    "MessageSid",
                    "SmsSid",
                    "CallSid",
                    "MessageStatus",
                    "CallStatus",
                    "Body",
                    "From",
                    "To",
                    "ErrorCode",
                    "Timestamp",
                    "CallDuration",
                    "AnsweredBy",
                    "NumMedia",
                    "ref",
                ]
            ),
            st.text(max_size=40) | st.sampled_from([SMS_SID, CALL_SID, "x\x00"]),
            max_size=6,
        )
    )
    def test_twilio_callbacks(self, form):
        params = dict(form, AccountSid=self.twilio.twilio_account_sid)
        self.assert_no_server_error(self.post_twilio(params))

    @SETTINGS
    @given(
        token=st.text(max_size=80),
        call_sid=st.text(max_size=40) | st.just(CALL_SID),
        digits=st.text(max_size=5),
        speech=st.text(max_size=60),
    )
    def test_voice_routes(self, token, call_sid, digits, speech):
        call = self.make_row("voice", state="sent", provider_ref=CALL_SID, body="Hola")
        params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "CallSid": call_sid,
            "Digits": digits,
            "SpeechResult": speech,
        }
        for path in (
            f"/collections/voice/{call.id}?{urlencode({'token': token})}",
            f"/collections/voice/{call.id}/gather?token={call._voice_token()}",
        ):
            self.assert_no_server_error(self.post_twilio(params, path=path))
