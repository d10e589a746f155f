"""A reminder call as the caller hears it and as Twilio drives it: signed
requests with Twilio's own parameter names, answers in the customer's
language, something clear to hear whatever comes (silence, a key, words the
recogniser garbled), each request applied once."""

import re
import xml.etree.ElementTree as ET

from odoo.tests import HttpCase, tagged

from .common_providers import ProvidersCommon
from .test_webhooks import CALL_SID, NUMBER, WebhookClient

URL = re.compile(r"https?://|www\.", re.IGNORECASE)


@tagged("post_install", "-at_install")
class TestVoiceCalls(WebhookClient, ProvidersCommon, HttpCase):
    def call(self, lang="es_MX", body="Debe $ 1,180.00.", **values):
        self.env["res.lang"]._activate_lang(lang)
        self.customer.lang = lang
        return self.make_row(
            "voice", state="sent", provider_ref=CALL_SID, body=body, **values
        )

    def params(self, **extra):
        return {
            "AccountSid": self.twilio.twilio_account_sid,
            "CallSid": CALL_SID,
            "From": "+15005550006",
            "To": NUMBER,
            "CallStatus": "in-progress",
            **extra,
        }

    def post(self, path, **extra):
        response = self.post_twilio(self.params(**extra), path=path)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.text.startswith("<?xml"), response.text)
        return ET.fromstring(response.text.encode())

    def opening(self, call, **extra):
        return self.post(call._voice_path(), **extra)

    def answer(self, call, **extra):
        """Twilio posting the opening's Gather to its action, as given."""
        root = self.opening(call)
        return self.post(self.action(root), **extra)

    def action(self, root):
        action = root.find("Gather").get("action")
        return action.removeprefix(self.base_url())

    @staticmethod
    def spoken(root):
        return " ".join(say.text or "" for say in root.iter("Say"))

    def assert_speaks(self, root, lang):
        says = list(root.iter("Say"))
        self.assertTrue(says, "something is said")
        for say in says:
            self.assertEqual(say.get("language"), lang)
            self.assertTrue(say.get("voice", "").startswith("Polly."))
            self.assertTrue((say.text or "").strip())

    def test_what_is_said_after_the_greeting_is_in_the_customers_language(self):
        for lang, locale, english in (
            ("es_MX", "es-MX", "I understood"),
            ("pt_BR", "pt-BR", "I understood"),
        ):
            call = self.call(lang)
            unsure = self.answer(call, SpeechResult="el viernes", Confidence="0.2")
            self.assert_speaks(unsure, locale)
            self.assertIn("el viernes", self.spoken(unsure))
            for phrase in (english, "Is that right", "press 2", "Goodbye"):
                self.assertNotIn(phrase, self.spoken(unsure), lang)
            call.provider_ref = False
            call.write({"state": "failed"})

    def test_the_greeting_says_who_calls_and_reads_no_link_or_markup(self):
        call = self.call(
            "es_MX",
            body="Su saldo de $ 1,180.00 está vencido. Pague aquí: "
            "https://pay.example.com/p/abc?x=1 o <b>responda</b>.",
        )
        root = self.opening(call)
        self.assert_speaks(root, "es-MX")
        said = self.spoken(root)
        self.assertIn(self.env.company.name, said)
        self.assertIn("$ 1,180.00", said)
        self.assertNotRegex(said, URL)
        self.assertNotIn("<b>", said)
        machine = self.opening(call, AnsweredBy="machine_end_beep")
        self.assertNotRegex(self.spoken(machine), URL)

    def test_silence_or_an_unknown_key_asks_again_then_says_goodbye(self):
        call = self.call("es_MX")
        opening = self.opening(call)
        # the Gather timed out: Twilio follows what comes after it
        self.assertIsNotNone(opening.find("Redirect"), "silence is answered")
        path = self.action(opening)
        for extra in ({}, {"SpeechResult": ""}, {"Digits": "9"}):
            again = self.post(path, **extra)
            self.assert_speaks(again, "es-MX")
            self.assertIsNotNone(again.find("Gather"), extra)
        # bounded: silence after silence ends the call politely
        root = opening
        for _attempt in range(5):
            root = self.post(root.find("Redirect").text.removeprefix(self.base_url()))
            if root.find("Hangup") is not None:
                break
        self.assertIsNotNone(root.find("Hangup"), "the call ends after a few tries")
        self.assert_speaks(root, "es-MX")

    def test_odd_speech_is_answered_in_words(self):
        call = self.call("es_MX")
        for speech in ("x\x00y", "hola " * 1000):
            root = self.answer(call, SpeechResult=speech, Confidence="0.9")
            self.assert_speaks(root, "es-MX")
            self.assertIsNotNone(root.find("Gather"))

    def test_a_person_without_a_transfer_number_is_promised_a_call_back(self):
        self.twilio.voice_transfer_number = False
        call = self.call("es_MX")
        path = self.action(self.opening(call))
        root = self.post(path, Digits="2")
        self.assertIsNone(root.find("Dial"))
        self.assert_speaks(root, "es-MX")
        self.assertNotIn("Goodbye", self.spoken(root))
        activities = self.activities_about(self.customer)
        self.assertEqual(len(activities), 1, "a collector calls them back")
        # Twilio retrying the same request: one activity, the same answer
        again = self.post(path, Digits="2")
        self.assertEqual(self.spoken(again), self.spoken(root))
        self.assertEqual(len(self.activities_about(self.customer)), 1)

    def test_answering_machine_and_call_outcomes_are_said_in_words(self):
        call = self.call("es_MX")
        early = self.opening(call, AnsweredBy="machine_start")
        self.assertIsNone(early.find("Gather"), "no conversation with a machine")
        voicemail = self.opening(call, AnsweredBy="machine_end_beep")
        self.assertIsNone(voicemail.find("Gather"))
        self.assertIsNotNone(voicemail.find("Hangup"))
        # anyone may hear a voicemail: who it is for, who calls, a number to
        # call back, nothing of the debt (Regulation F's limited content)
        said = self.spoken(voicemail)
        self.assertIn(self.customer.name, said)
        self.assertIn(self.env.company.name, said)
        self.assertIn("5 2, 5 5, 1 1 1 1, 0 0 0 0", said)
        self.assertNotIn("1,180", said)
        self.assertNotIn("Debe", said)
        self.assertIn("voicemail", (call.channel_notes or "").lower())
        for status, words, sid in (
            ("no-answer", "not answered", "CA" + "d" * 32),
            ("busy", "busy", "CA" + "b" * 32),
        ):
            row = self.make_row("voice", state="sent", provider_ref=sid, body="x")
            self.post_twilio(self.params(CallSid=sid, CallStatus=status))
            self.assertEqual(row.state, "failed")
            self.assertIn(words, row.error)
