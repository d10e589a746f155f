from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestJourneyBuilder(CollectionsCommon):
    """A journey says what will happen before it runs: problems in words,
    no start while it could never send, and a simulation of today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Journey = cls.env["collection.journey"]
        cls.standard = cls.env.ref("collections_automation.journey_standard")
        cls.email_template = cls.env.ref(
            "collections_automation.template_overdue_email"
        )

    def draft(self, **values):
        return self.Journey.with_context(default_state="draft").create(
            {"name": "New journey", **values}
        )

    def test_a_journey_in_no_segment_warns_and_cannot_start(self):
        journey = self.draft(
            step_ids=[
                (
                    0,
                    0,
                    {
                        "name": "Reminder",
                        "channel": "email",
                        "fallback_channels": False,
                        "template_ids": [(6, 0, self.email_template.ids)],
                    },
                )
            ]
        )
        self.assertEqual(journey.state, "draft")
        self.assertIn("No segment follows this journey", journey.blocking_problems)
        with self.assertRaisesRegex(UserError, "cannot start"):
            journey.action_start()
        self.assertEqual(journey.state, "draft")
        self.env["collection.segment"].create(
            {"name": "Small", "journey_id": journey.id, "sequence": 1}
        )
        self.assertFalse(journey.blocking_problems)
        journey.action_start()
        self.assertEqual(journey.state, "running")

    def test_a_running_journey_keeps_what_it_needs_to_send(self):
        """The Standard journey runs: taking its last segment away, or every
        channel from a step, is refused in words (it would stop silently);
        paused, it may be changed so."""
        step = self.standard.step_ids.filtered(lambda s: s.action == "message")[:1]
        other = self.draft()
        segments = self.standard.segment_ids
        # each refused as a request is: rolled back
        with self.assertRaisesRegex(UserError, "is running"), self.cr.savepoint():
            segments.write({"journey_id": other.id})
        with self.assertRaisesRegex(UserError, "is running"), self.cr.savepoint():
            step.write(
                {
                    "channel": "whatsapp",
                    "fallback_channels": False,
                    "template_ids": [(5,)],
                }
            )
        self.env.invalidate_all()  # as after the refused request
        self.assertEqual(self.standard.segment_ids, segments)
        self.standard.action_pause()
        segments.write({"journey_id": other.id})
        self.assertEqual(other.segment_ids, segments)

    def test_a_step_goes_into_a_journey_of_a_company_one_works_in(self):
        other = self.setup_other_company()["company"]
        elsewhere = self.Journey.sudo().create(
            {"name": "Elsewhere", "company_id": other.id}
        )
        manager = new_test_user(
            self.env,
            "journey_manager",
            "collections_automation.group_collection_manager",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        step = self.standard.step_ids[:1].with_user(manager)
        with self.assertRaises(AccessError):
            step.write({"journey_id": elsewhere.id})
        self.assertEqual(step.journey_id, self.standard)

    def test_channels_without_provider_or_template_are_named(self):
        whatsapp = self.env["collection.provider"].search(
            [("use_for_whatsapp", "=", True)]
        )
        whatsapp.active = False
        journey = self.draft(
            segment_ids=[(0, 0, {"name": "Some", "sequence": 1})],
            step_ids=[
                (
                    0,
                    0,
                    {
                        "name": "First",
                        "channel": "whatsapp",
                        "fallback_channels": "voice",
                        "template_ids": [(6, 0, self.email_template.ids)],
                    },
                ),
                (
                    0,
                    0,
                    {
                        "name": "Second",
                        "channel": "email",
                        "fallback_channels": False,
                        "template_ids": [
                            (
                                6,
                                0,
                                (self.email_template | self.email_template.copy()).ids,
                            )
                        ],
                    },
                ),
            ],
        )
        self.assertIn("First: WhatsApp has no provider", journey.warnings)
        self.assertIn("Step First has no channel", journey.blocking_problems)
        self.assertIn("Second has 2 Email templates: only", journey.warnings)
        self.assertNotIn("Second", journey.blocking_problems)
        with self.assertRaisesRegex(UserError, "can never send anything"):
            journey.action_start()

    def test_a_draft_journey_is_not_planned(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Eva",
                "email": "eva@example.com",
                "country_id": self.env.ref("base.mx").id,
                "tz": "America/Mexico_City",
            }
        )
        self.make_invoice(customer, 700, due_in=-5)
        Debtor, Message = self.env["collection.debtor"], self.env["collection.message"]
        Debtor._refresh(partner_ids=customer.ids)
        self.assertEqual(
            Debtor.search([("partner_id", "=", customer.id)]).journey_id, self.standard
        )
        self.standard.action_pause()
        Message._plan(company_ids=self.env.company.ids)
        self.assertFalse(Message.search([("partner_id", "=", customer.id)]))
        self.standard.action_start()
        Message._plan(company_ids=self.env.company.ids)
        self.assertTrue(Message.search([("partner_id", "=", customer.id)]))

    def test_simulation_says_what_would_happen_and_writes_nothing(self):
        customers = self.env["res.partner"]
        for name, email in (("Ana", "ana@example.com"), ("Beto", False)):
            customer = self.env["res.partner"].create(
                {
                    "name": name,
                    "email": email,
                    "country_id": self.env.ref("base.mx").id,
                    "tz": "America/Mexico_City",
                }
            )
            self.make_invoice(customer, 900, due_in=-8)
            customers |= customer
        self.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        outbox = self.env["collection.message"].search_count([])
        action = self.standard.action_simulate()
        simulation = self.env[action["res_model"]].browse(action["res_id"])
        lines = simulation.line_ids.filtered(lambda line: line.partner_id in customers)
        self.assertEqual(len(lines), 2)
        for line in lines:
            self.assertTrue(line.outcome)
            self.assertTrue(line.explanation or line.outcome == "send", line.outcome)
        beto = lines.filtered(lambda line: line.partner_id.name == "Beto")
        self.assertEqual(beto.outcome, "refused")
        self.assertIn("No email address", beto.explanation)
        self.assertEqual(self.env["collection.message"].search_count([]), outbox)

    def test_settings_count_journeys_and_policies(self):
        settings = self.env["res.config.settings"]
        # as the settings form asks for them (its view holds company_id)
        spec = {
            "company_id": {},
            "collection_journey_count": {},
            "collection_policy_count": {},
        }
        values = settings.onchange({}, [], spec)["value"]
        self.assertEqual(
            values["collection_journey_count"], self.Journey.search_count([])
        )
        self.assertGreater(values["collection_policy_count"], 0)
