import uuid
from datetime import datetime, time, timedelta

import pytz

from odoo.tests import tagged

from .common_providers import ProvidersCommon

NEW_YORK = pytz.timezone("America/New_York")


def utc(local_zone, day, hour, minute=0):
    """Naive UTC of a local wall-clock time, as Odoo stores datetimes."""
    moment = local_zone.localize(datetime.combine(day, time(hour, minute)))
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestContactGate(ProvidersCommon):
    """The one contact gate, driven through the dispatcher day by day: the
    history it reads (calls where the customer spoke, texts), the law of the
    customer's state, the company's own policies, blacklists, and what a
    person reads on a deferred row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        states = cls.env["res.country.state"]
        us = cls.env.ref("base.us")
        cls.massachusetts = states.search(
            [("country_id", "=", us.id), ("code", "=", "MA")]
        )
        cls.us_customer = cls.env["res.partner"].create(
            {
                "name": "Mary Walsh",
                "mobile": "+1 617 253 1000",
                "email": "mary@example.com",
                "country_id": us.id,
                "state_id": cls.massachusetts.id,
                "tz": "America/New_York",
                "lang": "en_US",
                "collection_consent_sms": True,
                "collection_consent_voice": True,
            }
        )
        cls.twilio.use_for_sms = False
        # a Tuesday at 14:00 in Boston
        day = cls.today + timedelta(days=(1 - cls.today.weekday()) % 7 or 7)
        cls.day0 = day

    def row(self, channel, state="planned", at=None, partner=None, **values):
        template = self.template_whatsapp if channel == "whatsapp" else None
        template = template or self.template_sms
        if channel == "email":
            template = self.env.ref("collections_automation.template_overdue_email")
        return self.Message.create(
            {
                "partner_id": (partner or self.us_customer).id,
                "company_id": self.env.company.id,
                "channel": channel,
                "template_id": template.id,
                "state": state,
                "scheduled_at": at,
                "sent_at": at if state != "planned" else False,
                "idempotency_key": f"gate-{uuid.uuid4().hex}",
                **values,
            }
        )

    def at(self, days, hour=14):
        return utc(NEW_YORK, self.day0 + timedelta(days=days), hour)

    # --- Regulation F: no call for 7 days after a conversation
    def test_no_call_for_seven_days_after_the_customer_spoke_on_a_call(self):
        self.us_customer.state_id = False  # federal rules only
        call = self.row("voice", state="sent", at=self.at(0), provider_ref="CA1")
        self.Message._register_reply(
            self.us_customer, "voice", "I can pay on Friday", at=self.at(0)
        )
        self.assertEqual(call.state, "replied")
        # the next day the journey's call waits a week; a text still goes
        next_call = self.row("voice", at=self.at(1))
        text = self.row("sms", at=self.at(1))
        self.assertEqual(self.Message._dispatch(now=self.at(1)), 2)
        self.assertEqual(text.state, "sent")
        self.assertEqual(next_call.state, "planned")
        self.assertEqual(next_call.deferral_rule, "call_cooldown")
        self.assertIn("conversation", next_call.deferral_reason)
        self.assertIn("Deferred until", next_call.deferral_reason)
        self.assertGreaterEqual(next_call.scheduled_at, self.at(7))
        self.assertLess(next_call.scheduled_at, self.at(7, hour=15))
        # nothing goes before then, day after day; then the call is made
        for days in range(2, 7):
            self.assertEqual(self.Message._dispatch(now=self.at(days)), 0)
        self.assertEqual(self.Message._dispatch(now=next_call.scheduled_at), 1)
        self.assertEqual(next_call.state, "sent")
        calls = [r for r in self.loopback.requests if r["path"].endswith("Calls.json")]
        self.assertEqual(len(calls), 1)

    def test_an_unanswered_call_is_an_attempt_but_no_conversation(self):
        self.us_customer.state_id = False
        self.row("voice", state="failed", at=self.at(0), error="no-answer")
        gate = self.env["collection.contact.gate"]
        verdict = gate._decide(self.us_customer, "voice", "journey", self.at(1))
        self.assertTrue(verdict.allowed)
        facts = gate._facts(self.us_customer, self.at(1))
        (event,) = facts["history"][self.us_customer.id]
        self.assertEqual((event.channel, event.conversation), ("voice", False))

    # --- Massachusetts: calls and texts, two in seven days
    def test_massachusetts_two_texts_defer_a_third_text_and_a_call(self):
        first, second = self.row("sms", at=self.at(0)), self.row("sms", at=self.at(2))
        self.assertEqual(self.Message._dispatch(now=self.at(0)), 1)
        self.assertEqual(self.Message._dispatch(now=self.at(2)), 1)
        self.assertEqual((first.state, second.state), ("sent", "sent"))
        third = self.row("sms", at=self.at(3))
        call = self.row("voice", at=self.at(3))
        email = self.row("email", at=self.at(3))
        self.assertEqual(self.Message._dispatch(now=self.at(3)), 3)
        self.assertEqual(email.state, "sent", email.error)
        for row in third | call:
            self.assertEqual(row.state, "planned")
            self.assertEqual(row.deferral_rule, "attempts_7d")
            # the first text leaves the rolling week on day 7
            self.assertGreaterEqual(row.scheduled_at, self.at(7))

    # --- a company's own policy wins over the shared one
    def test_company_policy_wins_over_the_shared_policy(self):
        Policy = self.env["collection.contact.policy"]
        shared = self.env.ref("collections_automation.policy_co")
        self.assertFalse(shared.company_id)
        Policy.create(
            {
                "name": "Our Colombia",
                "company_id": self.env.company.id,
                "country_id": self.env.ref("base.co").id,
                "preset": "CO",
                "sun_start": 9,
                "sun_end": 12,
            }
        )
        us_own = Policy.create(
            {
                "name": "Our United States",
                "company_id": self.env.company.id,
                "country_id": self.env.ref("base.us").id,
                "preset": "US",
                "call_attempts_7d": 3,
            }
        )
        resolve = Policy._rules_resolver(self.env.company)
        self.assertIsNotNone(resolve("CO", None).windows[6], "Sundays allowed")
        self.assertEqual(resolve("US", None).call_attempts_7d, 3)
        self.assertEqual(resolve("US", "TX").call_attempts_7d, 3)
        other = self.env["res.company"].create({"name": "Other Co"})
        resolve_other = Policy._rules_resolver(other)
        self.assertIsNone(resolve_other("CO", None).windows[6])
        self.assertEqual(resolve_other("US", None).call_attempts_7d, 7)
        # and the gate applies it: three calls in a week, the fourth waits
        self.us_customer.state_id = False
        for days in (0, 1, 2):
            self.row("voice", state="failed", at=self.at(days), error="busy")
        verdict = self.env["collection.contact.gate"]._decide(
            self.us_customer, "voice", "journey", self.at(3)
        )
        self.assertEqual(
            (verdict.state, verdict.rule), ("deferred", "call_attempts_7d")
        )
        us_own.call_attempts_7d = 0  # no limit of its own: the fourth call goes
        verdict = self.env["collection.contact.gate"]._decide(
            self.us_customer, "voice", "journey", self.at(3)
        )
        self.assertTrue(verdict.allowed)

    # --- blacklists
    def test_blacklisted_address_and_number_are_refused_with_the_rule(self):
        self.env["mail.blacklist"]._add(self.us_customer.email)
        self.env["phone.blacklist"].add(self.us_customer.collection_phone_e164)
        email, text = self.row("email", at=self.at(0)), self.row("sms", at=self.at(0))
        self.assertEqual(self.Message._dispatch(now=self.at(0)), 2)
        for row in email | text:
            self.assertEqual((row.state, row.refusal_rule), ("refused", "blacklisted"))
            self.assertIn("blacklisted", row.refusal_reason)
        notes = self.us_customer.message_ids.mapped("body")
        self.assertTrue(any("blacklisted" in (note or "") for note in notes))
        self.assertFalse(self.loopback.requests, "nothing went out")

    # --- a render failure on a provider's path is on the customer's chatter
    def test_render_failure_on_a_provider_path_is_on_the_chatter(self):
        broken = self.env["collection.template"].create(
            {
                "name": "Broken",
                "channel": "sms",
                # a placeholder that is saved but fails when filled: the
                # currency is missing
                "body": "Hello {{ format_amount(object.amount_due) }}",
            }
        )
        row = self.row("sms", at=self.at(0), template_id=broken.id)
        self.assertEqual(self.Message._dispatch(now=self.at(0)), 1)
        self.assertEqual(row.state, "failed")
        self.assertIn("could not be rendered", row.error)
        last = self.us_customer.message_ids[:1]
        self.assertIn("failed", last.body)
        self.assertIn("could not be rendered", last.body)
        self.assertFalse(self.loopback.requests)

    # --- "Send Now" at night says why and until when
    def test_send_now_at_night_says_why_and_until_when(self):
        now = datetime.now(pytz.utc)
        # a zone where it is three in the morning now
        offset = (3 - now.hour) % 24
        offset = offset - 24 if offset > 12 else offset
        zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        # no country: a zone that is none of the country's is not trusted
        # alone (see test_contact_hours), and this one is nobody's
        self.us_customer.write({"tz": zone, "state_id": False, "country_id": False})
        row = self.row("sms", at=self.at(-30))
        action = row.action_send_now()
        self.assertEqual(row.state, "planned")
        self.assertEqual(row.deferral_rule, "outside_hours")
        self.assertIn("Deferred until", row.deferral_reason)
        self.assertIn(row.deferral_reason, action["params"]["message"])
        local = pytz.utc.localize(row.scheduled_at).astimezone(pytz.timezone(zone))
        self.assertEqual(local.time(), time(8), "the next morning at eight")
        self.assertFalse(self.loopback.requests)

    # --- every deferral the planner makes carries its rule
    def test_planned_rows_deferred_by_the_policy_carry_rule_and_time(self):
        self.make_invoice(self.us_customer, 500, due_in=-3)
        self.us_customer.state_id = False
        night = utc(NEW_YORK, self.today, 23)
        self.env["collection.debtor"]._refresh(
            self.today, company_ids=self.env.company.ids
        )
        self.Message._plan(night, company_ids=self.env.company.ids)
        rows = self.Message.search(
            [("partner_id", "=", self.us_customer.id), ("state", "=", "planned")]
        )
        self.assertTrue(rows)
        for row in rows:
            self.assertEqual(row.deferral_rule, "outside_hours")
            self.assertIn("Deferred until", row.deferral_reason)
            self.assertGreater(row.scheduled_at, night)

    # --- the addresses a reminder goes to are the ones the gate checks
    def test_the_gate_checks_the_addresses_the_reminder_goes_to(self):
        self.us_customer.write({"email": False, "state_id": False})
        gate = self.env["collection.contact.gate"]
        verdict = gate._decide(self.us_customer, "email", "journey", self.at(0))
        self.assertEqual(verdict.rule, "no_email")
        billing = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "type": "invoice",
                "email": "ap@example.com",
                "parent_id": self.us_customer.id,
            }
        )
        self.assertTrue(
            gate._decide(self.us_customer, "email", "journey", self.at(0)).allowed
        )
        row = self.row("email", at=self.at(0))
        self.assertEqual(self.Message._dispatch(now=self.at(0)), 1)
        self.assertEqual(row.state, "sent", row.error)
        self.env["mail.blacklist"]._add(billing.email)
        verdict = gate._decide(self.us_customer, "email", "journey", self.at(1))
        self.assertEqual(verdict.rule, "blacklisted")
