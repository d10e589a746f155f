import base64
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged

from .common_providers import ProvidersCommon

NUMBER = "+525512345678"
SMS_SID = "SM" + "0" * 31 + "1"
SMS_IN_SID = "SM" + "9" * 32
REPLY_SID = "SM" + "0" * 31 + "2"
CALL_SID = "CA" + "0" * 31 + "1"


@tagged("post_install", "-at_install")
class TestWebhooks(ProvidersCommon, HttpCase):
    """Every webhook: valid, forged, unsigned, replayed, malformed, unknown
    message, unknown number; signatures computed here independently."""

    def setUp(self):
        super().setUp()
        self.row = self.make_row(
            "whatsapp", key="c1-s1-2026-11-25", state="sent", provider_ref="wamid.ABC"
        )

    # --- signing, as each provider does it
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

    def post_generic(self, payload, timestamp=None, secret=None):
        raw = json.dumps(payload).encode()
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
    def whatsapp_payload(statuses=(), messages=()):
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
                                    "phone_number_id": "109876543210",
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
        self.assertEqual(self.post_whatsapp(payload).status_code, 200)
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
        planner = self.env["collection.planner"]
        context = planner._policy_context(self.customer, self.row.create_date)
        decision = planner._check(
            context, self.customer, "whatsapp", self.row.create_date
        )
        self.assertFalse(decision.allowed)

    # --- Twilio
    def test_twilio_status_callback(self):
        row = self.make_row("sms", state="sent", provider_ref=SMS_SID)
        params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "MessageSid": SMS_SID,
            "MessageStatus": "delivered",
            "To": NUMBER,
            "From": "+15005550006",
        }
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertEqual(row.state, "delivered")
        failed = dict(params, MessageStatus="undelivered", ErrorCode="30003")
        forged = self.post_twilio(failed, token="wrong-token")
        self.assertEqual(forged.status_code, 403)
        self.assertEqual(row.state, "delivered")

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
        self.assertIn("You owe 800 pesos.", machine.text)
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
