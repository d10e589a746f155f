from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestCycle(CollectionsCommon):
    """Refresh, plan and dispatch over real invoices and the shipped journeys."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.Debtor = cls.env["collection.debtor"]
        cls.spain = cls.env.ref("base.es")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Lucía Gómez",
                "email": "lucia@example.com",
                "mobile": "+34 612 345 678",
                "country_id": cls.spain.id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_consent_sms": True,
            }
        )
        # 10:00 UTC (11:00 in Madrid: inside the default 08-20 hours any day),
        # 3 days after the due date
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.invoice = cls.make_invoice(cls.customer, 800, due_in=-3)

    def cycle(self, now=None):
        now = now or self.now
        self.Debtor._refresh(now.date(), company_ids=self.env.company.ids)
        return self.Message._plan(now, company_ids=self.env.company.ids)

    def messages(self, partner=None):
        return self.Message.search([("partner_id", "=", (partner or self.customer).id)])

    def test_refresh_assigns_segment_journey_and_score(self):
        self.cycle()
        debtor = self.customer.collection_debtor_id
        self.assertEqual(
            debtor.segment_id, self.env.ref("collections_automation.segment_everyone")
        )
        self.assertEqual(
            debtor.journey_id, self.env.ref("collections_automation.journey_standard")
        )
        self.assertEqual(debtor.score, 50, "no history: neutral score")
        self.assertAlmostEqual(debtor.priority, 800 * 50 / 100)

    def test_first_reminder_falls_back_from_whatsapp_to_sms(self):
        self.assertEqual(self.cycle(), 1, "the first reminder only")
        message = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(
            message.step_id, self.env.ref("collections_automation.step_standard_first")
        )
        self.assertEqual(message.channel, "sms")
        self.assertIn("WhatsApp: No provider for WhatsApp.", message.channel_notes)
        self.assertEqual(message.invoice_ids, self.invoice)
        self.assertAlmostEqual(message.amount_due, 800)
        self.assertIn(
            "Before the due date (a later step was due)", message.channel_notes
        )

        self.assertEqual(self.Message._dispatch(now=self.now), 1)
        self.assertEqual(message.state, "sent", message.error)
        self.assertEqual(message.recipient, "+34612345678")
        self.assertIn(self.invoice.get_portal_url(), message.body)
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("is overdue", sms.body)
        self.assertIn("is overdue", self.customer.message_ids[0].body)
        self.assertEqual(self.customer.message_ids[0].message_type, "sms")
        self.assertTrue(
            any(
                "Collection reminder sent" in body
                for body in self.invoice.message_ids.mapped("body")
            )
        )

    def test_rerun_after_crash_sends_nothing_twice(self):
        self.assertEqual(self.cycle(), 1)
        # the worker "crashed" after planning: a second run plans nothing new
        self.assertEqual(self.cycle(), 0)
        self.assertEqual(self.Message._dispatch(now=self.now), 1)
        # and a dispatch rerun finds nothing left to send
        self.assertEqual(self.Message._dispatch(now=self.now), 0)
        self.assertEqual(self.cycle(self.now + timedelta(hours=2)), 0)
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(sms), 1)

    def test_one_step_a_day_and_next_step_later(self):
        self.cycle()
        self.Message._dispatch(now=self.now)
        self.assertEqual(self.cycle(self.now + timedelta(days=1)), 0, "not due yet")
        planned = self.cycle(self.now + timedelta(days=7))
        self.assertEqual(planned, 1)
        second = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(
            second.step_id, self.env.ref("collections_automation.step_standard_second")
        )
        self.assertEqual(second.channel, "email")

    def test_unanswered_channel_gives_way_on_the_next_step(self):
        self.customer.collection_preferred_channel = "sms"
        self.cycle()
        self.Message._dispatch(now=self.now)
        first = self.messages().filtered(lambda m: m.state == "sent")
        self.assertEqual(first.channel, "sms")
        # a week later, no reply: the next step starts with another channel
        self.cycle(self.now + timedelta(days=7))
        second = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(second.channel, "email")
        self.assertIn("went last", second.channel_notes)

    def test_channel_kept_while_its_reply_window_is_open(self):
        self.customer.collection_preferred_channel = "sms"
        step = self.env.ref("collections_automation.step_standard_first")
        step.response_hours = 24 * 30
        self.cycle()
        self.Message._dispatch(now=self.now)
        self.cycle(self.now + timedelta(days=7))
        second = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(second.channel, "sms")

    def test_hold_and_opt_out_are_refused_with_their_rule(self):
        self.customer.collection_hold = "dispute"
        self.cycle()
        refused = self.messages().filtered(lambda m: m.state == "refused")
        self.assertEqual(refused.refusal_rule, "hold_dispute")
        self.assertIn("not planned", self.customer.message_ids[0].body)
        # the same refusal is not recorded again on the next run
        self.assertEqual(self.cycle(self.now + timedelta(days=1)), 0)
        self.customer.collection_hold = False
        self.customer.collection_optout_sms = True
        self.cycle(self.now + timedelta(days=2))
        message = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(message.channel, "email", "SMS opted out: email instead")
        self.assertIn("opted out of SMS.", message.channel_notes)

    def test_invalid_phone_is_flagged_and_skipped(self):
        self.customer.mobile = "12"
        self.assertTrue(self.customer.collection_phone_error)
        self.assertFalse(self.customer.collection_phone_e164)
        self.cycle()
        message = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(message.channel, "email")
        self.assertIn("SMS", message.channel_notes)

    def test_template_failure_fails_one_message_not_the_batch(self):
        other = self.customer.copy({"name": "Other", "email": "other@example.com"})
        self.make_invoice(other, 500, due_in=-3)
        self.env.ref(
            "collections_automation.template_overdue_sms"
        ).body = "{{ format_amount(object.amount_due) }}"  # no currency
        self.env.ref("collections_automation.template_overdue_sms").flush_recordset()
        self.cycle()
        self.Message._dispatch(now=self.now)
        states = self.Message.search(
            [
                ("partner_id", "in", (self.customer | other).ids),
                ("state", "not in", ("cancelled",)),
            ]
        ).mapped("state")
        self.assertEqual(states, ["failed", "failed"])
        failed = self.messages().filtered(lambda m: m.state == "failed")
        self.assertIn("could not be rendered", failed.error)
        failed.action_retry()
        self.assertEqual(failed.state, "planned")

    def test_review_first_journey_waits_for_a_person(self):
        self.env.ref("collections_automation.journey_standard").review_first = True
        self.cycle()
        message = self.messages().filtered(lambda m: m.state == "review")
        self.assertIn("is overdue", message.body, "rendered for the reviewer")
        self.assertEqual(self.Message._dispatch(now=self.now), 0)
        message.body = "Edited by a person: " + message.body
        message.action_approve()
        self.assertEqual(self.Message._dispatch(now=self.now), 1)
        self.assertEqual(message.state, "sent")
        sms = self.env["sms.sms"].search([("partner_id", "=", self.customer.id)])
        self.assertTrue(sms.body.startswith("Edited by a person"))

    def test_escalation_schedules_an_activity(self):
        self.invoice.button_draft()
        self.invoice.invoice_date_due = self.days(-50)
        self.invoice.action_post()
        self.cycle()
        escalation = self.messages().filtered(lambda m: m.channel == "collector")
        self.assertEqual(escalation.state, "sent")
        self.assertTrue(self.activities_about(self.customer))

    def test_ab_variants_split_customers(self):
        step = self.env.ref("collections_automation.step_standard_first")
        step.variant_ids = [
            Command.create(
                {
                    "code": "A",
                    "weight": 50,
                    "template_ids": [
                        Command.set(
                            self.env.ref(
                                "collections_automation.template_overdue_sms"
                            ).ids
                        )
                    ],
                }
            ),
            Command.create(
                {
                    "code": "B",
                    "weight": 50,
                    "template_ids": [
                        Command.set(
                            self.env.ref(
                                "collections_automation.template_final_sms"
                            ).ids
                        )
                    ],
                }
            ),
        ]
        customers = self.customer
        for index in range(20):
            partner = self.customer.copy({"name": f"Customer {index}"})
            self.make_invoice(partner, 100, due_in=-3)
            customers |= partner
        self.cycle()
        planned = self.Message.search(
            [("partner_id", "in", customers.ids), ("state", "=", "planned")]
        )
        self.assertEqual(set(planned.variant_id.mapped("code")), {"A", "B"})
        for message in planned:
            expected = "final" if message.variant_id.code == "B" else "overdue"
            self.assertIn(
                expected, message.template_id.get_external_id()[message.template_id.id]
            )

    def test_reply_pauses_the_journey_until_handled(self):
        self.cycle()
        self.Message._dispatch(now=self.now)
        sent = self.messages().filtered(lambda m: m.state == "sent")
        # the reply comes an hour after the reminder, whatever the wall clock
        with freeze_time(self.now + timedelta(hours=1)):
            self.customer.message_post(
                body="Can I pay next Friday?",
                message_type="email",
                author_id=self.customer.id,
            )
        self.assertEqual(sent.state, "replied")
        debtor = self.customer.collection_debtor_id
        self.assertTrue(debtor.reply_pending)
        self.assertEqual(self.cycle(self.now + timedelta(days=27)), 0, "paused")
        debtor.action_mark_reply_handled()
        # the second reminder goes only to customers who did not reply: the
        # journey resumes with the final notice
        self.assertEqual(self.cycle(self.now + timedelta(days=8)), 0)
        self.assertEqual(self.cycle(self.now + timedelta(days=27)), 1)
        planned = self.messages().filtered(lambda m: m.state == "planned")
        self.assertEqual(
            planned.step_id, self.env.ref("collections_automation.step_standard_final")
        )

    def test_invoices_on_hold_are_not_chased(self):
        self.invoice.collection_hold = "dispute"
        self.cycle()
        refused = self.messages().filtered(lambda m: m.state == "refused")
        self.assertEqual(refused.refusal_rule, "hold_invoices")
        self.assertFalse(self.messages().filtered(lambda m: m.state == "planned"))

    def test_escalation_respects_holds(self):
        self.invoice.button_draft()
        self.invoice.invoice_date_due = self.days(-50)
        self.invoice.action_post()
        self.customer.collection_hold = "legal"
        self.cycle()
        escalation = self.messages().filtered(lambda m: m.channel == "collector")
        self.assertEqual(escalation.state, "refused")
        self.assertEqual(escalation.refusal_rule, "hold_legal")
        self.assertFalse(self.customer.activity_ids)

    def test_reminder_in_the_customer_language(self):
        for code in ("es_ES", "pt_BR"):
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(
            ["collections_automation"], ["es_ES", "pt_BR"], overwrite=True
        )
        brazil = self.customer.copy(
            {
                "name": "Ana Souza",
                "lang": "pt_BR",
                "mobile": "+55 11 91234-5678",
                "country_id": self.env.ref("base.br").id,
                "tz": "America/Sao_Paulo",
            }
        )
        self.make_invoice(brazil, 1234.5, due_in=-3)
        self.customer.lang = "es_ES"
        self.cycle()
        # 07:00 in São Paulo is before the default hours: sent at 08:00 there
        self.Message._dispatch(now=self.now + timedelta(hours=2))
        english = self.env.ref("collections_automation.template_overdue_sms").body
        for partner, amount in ((self.customer, "800,00"), (brazil, "1.234,50")):
            message = self.messages(partner).filtered(lambda m: m.state == "sent")
            self.assertNotIn("is overdue", message.body, partner.lang)
            self.assertIn(amount, message.body, "amount in the customer's format")
            self.assertNotEqual(message.body, english)
