"""The invoice page's chat in Chromium, as a Spanish-speaking customer
uses it (``static/tests/tours/portal_chat_tour.js``), through to paying
with Odoo's Demo payment provider (module ``payment_demo``, installed in the
test database beside the suite, as for ``test_payment_links``)."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestTourPortalChat(AgentCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        if demo.code != "demo":
            raise AssertionError(
                "Odoo's module payment_demo must be installed in the test "
                "database (python3 scripts/dev.py test installs it)."
            )
        providers = cls.env["payment.provider"].sudo()
        providers.search([("company_id", "=", cls.env.company.id)]).state = "disabled"
        cls.provider = demo.copy(
            {
                "company_id": cls.env.company.id,
                "state": "test",
                "is_published": True,
                "payment_method_ids": demo.payment_method_ids.ids,
            }
        )
        demo.payment_method_ids.active = True
        cls.portal_user = new_test_user(
            cls.env,
            "lucia_portal",
            "base.group_portal",
            partner_id=cls.customer.id,
            company_id=cls.env.company.id,
        )
        cls.invoice._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.env.cr.execute("DELETE FROM collection_agent_usage")

    def test_a_spanish_customer_chats_reloads_and_pays(self):
        self.assertEqual(self.portal_user.lang, "es_ES")
        self.start_tour(
            f"/my/invoices/{self.invoice.id}",
            "collections_portal_chat",
            login="lucia_portal",
        )
        conversation = self.conversation()
        said = conversation.turn_ids.mapped("customer_text")
        self.assertEqual(said, ["hola cuánto debo", "mándame el link para pagar"])
        self.assertEqual(conversation.lang[:2], "es")
        # paid through the Demo provider, for the whole invoice
        self.invoice.invalidate_recordset()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        transaction = self.invoice.transaction_ids
        self.assertEqual(transaction.provider_id, self.provider)
        self.assertEqual(transaction.state, "done")
        self.assertEqual(transaction.amount, 1000)
