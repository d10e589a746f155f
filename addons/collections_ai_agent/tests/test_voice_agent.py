"""The agent on the phone: what the caller says reaches the dialogue once,
and what it decides (a person, an opt-out) is done on the call itself."""

import xml.etree.ElementTree as ET

from odoo.tests import HttpCase, tagged

from odoo.addons.collections_automation.tests.test_webhooks import (
    CALL_SID,
    NUMBER,
    WebhookClient,
)

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestVoiceAgent(WebhookClient, AgentCommon, HttpCase):
    def setUp(self):
        super().setUp()
        self.call = self.make_row(
            "voice", state="sent", provider_ref=CALL_SID, body="Debe $ 1,000.00."
        )
        self.path = self.gather_path(self.post(self.call._voice_path()))

    def post(self, path, **extra):
        params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "CallSid": CALL_SID,
            "From": "+15005550006",
            "To": NUMBER,
            "CallStatus": "in-progress",
            **extra,
        }
        response = self.post_twilio(params, path=path)
        self.assertEqual(response.status_code, 200, response.text)
        return ET.fromstring(response.text.encode())

    def gather_path(self, root):
        return root.find("Gather").get("action").removeprefix(self.base_url())

    def say(self, words):
        """The caller says ``words``; the next answer's root, and the path
        Twilio posts to after it."""
        root = self.post(self.path, SpeechResult=words, Confidence="0.92")
        if root.find("Gather") is not None:
            self.path = self.gather_path(root)
        return root

    def verified(self):
        self.say("puedo pagar el viernes")
        self.say("los últimos cuatro son 6789")
        self.assertTrue(self.conversation().dialogue_state["verified"])

    def test_a_retried_request_is_one_turn_and_one_promise(self):
        self.verified()
        self.say("te pago el viernes")
        path = self.path
        first = self.say("sí")
        turns = len(self.conversation().turn_ids)
        again = self.post(path, SpeechResult="sí", Confidence="0.92")
        self.assertEqual(ET.tostring(again), ET.tostring(first))
        self.assertEqual(len(self.conversation().turn_ids), turns)
        promises = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(promises), 1)

    def test_asking_for_a_person_transfers_the_call(self):
        self.verified()
        root = self.say("quiero hablar con una persona")
        dial = root.find("Dial")
        self.assertIsNotNone(dial, "the configured number takes the call")
        self.assertEqual(dial.find("Number").text, "+525511110000")
        self.assertEqual(self.conversation().escalation_reason, "request_human")

    def test_stop_calling_me_ends_the_call_and_the_calls(self):
        self.verified()
        root = self.say("ya no me llamen")
        self.assertIsNone(root.find("Gather"), "no more questions after a no")
        self.assertIsNotNone(root.find("Hangup"))
        said = " ".join(say.text for say in root.iter("Say"))
        self.assertNotIn("press 2", said)
        self.assertTrue(self.customer.collection_optout_voice)
        verdict = self.env["collection.contact.gate"]._decide(self.customer, "voice")
        self.assertFalse(verdict.allowed)
