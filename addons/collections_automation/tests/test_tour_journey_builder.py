"""The journey builder in Chromium, as an administrator uses it
(``static/tests/tours/journey_builder_tour.js``)."""

from odoo.tests import HttpCase, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestTourJourneyBuilder(CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        # the administrator works in the company of the test's invoices
        admin = cls.env.ref("base.user_admin")
        admin.write(
            {
                "company_ids": [(4, cls.env.company.id)],
                "company_id": cls.env.company.id,
            }
        )
        cls.standard = cls.env.ref("collections_automation.journey_standard")
        customers = cls.env["res.partner"]
        for name, email, lang in (
            ("Lucía Prieto", "lucia@example.com", "es_ES"),
            ("Ramiro Sinmail", False, "es_MX"),
        ):
            customer = cls.env["res.partner"].create(
                {
                    "name": name,
                    "email": email,
                    "lang": lang,
                    "country_id": cls.env.ref("base.mx").id,
                    "tz": "America/Mexico_City",
                }
            )
            customers |= customer
        cls.lucia, cls.ramiro = customers
        cls.make_invoice(cls.lucia, 1180, due_in=-12)
        cls.make_invoice(cls.ramiro, 900, due_in=-8)
        cls.env["collection.debtor"]._refresh(partner_ids=customers.ids)

    def test_an_admin_builds_previews_and_simulates(self):
        debtors = self.env["collection.debtor"].search(
            [("partner_id", "in", (self.lucia | self.ramiro).ids)]
        )
        self.assertEqual(debtors.journey_id, self.standard)
        outbox = self.env["collection.message"].search_count([])
        self.start_tour(
            "/odoo/action-collections_automation.collection_journey_action",
            "collections_journey_builder",
            login="admin",
        )
        journey = self.env["collection.journey"].search([("name", "=", "Tour journey")])
        self.assertEqual(journey.state, "draft")
        step = journey.step_ids
        self.assertEqual(step.name, "Friendly reminder")
        # the fallbacks as picked, in that order, as the planner reads them
        self.assertEqual(step.fallback_channels, "sms,whatsapp")
        self.assertEqual(step._channel_order(), ("email", "sms", "whatsapp"))
        self.assertEqual(step.template_ids.channel, "email")
        # previews and simulations wrote nothing to the outbox
        self.assertEqual(self.env["collection.message"].search_count([]), outbox)
