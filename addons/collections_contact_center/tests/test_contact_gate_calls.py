import uuid
from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common_providers import ProvidersCommon


@tagged("post_install", "-at_install")
class TestContactGateCalls(ProvidersCommon):
    """Calls collectors log on cases are in the contact gate's history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.us_customer = cls.env["res.partner"].create(
            {
                "name": "John Carter",
                "mobile": "+1 512 555 0100",
                "phone": "+1 512 463 4630",
                "country_id": cls.env.ref("base.us").id,
                "tz": "America/Chicago",
                "lang": "en_US",
                "collection_consent_voice": True,
                "collection_consent_sms": True,
            }
        )
        cls.make_invoice(cls.us_customer, 900, due_in=-20)
        cls.env["collection.debtor"]._refresh(partner_ids=cls.us_customer.ids)
        cls.case = cls.env["collection.case"].create({"partner_id": cls.us_customer.id})

    def log_call(self, disposition):
        wizard = self.env["collection.case.log.call"].create(
            {
                "case_id": self.case.id,
                "disposition_id": self.env.ref(
                    f"collections_contact_center.disposition_{disposition}"
                ).id,
                "note": "Spoke about the invoice",
            }
        )
        wizard.action_log()
        return self.case.call_ids[:1] if "call_ids" in self.case._fields else None

    @staticmethod
    def tomorrow_afternoon():
        """14:00 in Austin the day after tomorrow (naive UTC): within hours."""
        zone = pytz.timezone("America/Chicago")
        day = datetime.now(zone).date() + timedelta(days=2)
        moment = zone.localize(datetime.combine(day, time(14)))
        return moment.astimezone(pytz.utc).replace(tzinfo=None)

    def journey_call(self, at):
        return self.Message.create(
            {
                "partner_id": self.us_customer.id,
                "company_id": self.env.company.id,
                "channel": "voice",
                "template_id": self.template_sms.id,
                "scheduled_at": at,
                "idempotency_key": f"cc-gate-{uuid.uuid4().hex}",
            }
        )

    def test_a_right_party_call_logged_by_a_collector_holds_calls_for_a_week(self):
        self.log_call("right_party")
        now = fields.Datetime.now()
        later = self.tomorrow_afternoon()
        row = self.journey_call(later)
        self.Message._dispatch(now=later)
        self.assertEqual(row.state, "planned")
        self.assertEqual(row.deferral_rule, "call_cooldown")
        self.assertIn("conversation", row.deferral_reason)
        self.assertGreaterEqual(row.scheduled_at, now + timedelta(days=7))
        self.assertFalse(
            [r for r in self.loopback.requests if r["path"].endswith("Calls.json")]
        )
        # a text is no call: it goes
        gate = self.env["collection.contact.gate"]
        verdict = gate._decide(self.us_customer, "sms", "journey", later)
        self.assertTrue(verdict.allowed, verdict.reason)

    def test_an_unanswered_logged_call_is_an_attempt_not_a_conversation(self):
        self.log_call("no_answer")
        later = self.tomorrow_afternoon()
        gate = self.env["collection.contact.gate"]
        facts = gate._facts(self.us_customer, later)
        events = facts["history"][self.us_customer.id]
        self.assertEqual(len(events), 1)
        self.assertEqual((events[0].channel, events[0].conversation), ("voice", False))
        verdict = gate._decide(self.us_customer, "voice", "journey", later, facts=facts)
        self.assertTrue(verdict.allowed, verdict.reason)
