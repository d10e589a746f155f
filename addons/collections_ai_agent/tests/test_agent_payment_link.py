from odoo.tests import HttpCase, tagged

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestAgentPaymentLink(AgentCommon, HttpCase):
    """The link the agent sends pays the promise or installment due."""

    def link_sent(self, text, wamid):
        self.whatsapp_in(text, wamid)
        return self.env["collection.message"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("kind", "=", "agent_reply"),
                ("payment_url", "!=", False),
            ]
        )

    def test_link_pays_the_promise_due_for_its_amount(self):
        promise = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "amount": 400,
                "promise_date": self.days(5),
                "invoice_ids": [(6, 0, self.invoice.ids)],
                "policy_override_reason": "Agreed on the phone",
            }
        )
        row = self.link_sent("mándame el link para pagar", "wamid.PL1")
        self.assertEqual(len(row), 1)
        self.assertEqual(row.payment_url, promise._payment_link())
        self.assertIn("amount=400.0", row.payment_url)
        self.assertIn(f"collection_promise_id={promise.id}", row.payment_url)
        page = self.url_open(row.payment_url)
        self.assertEqual(page.status_code, 200)

    def test_without_a_promise_the_link_is_the_invoice_page(self):
        row = self.link_sent("mándame el link para pagar", "wamid.PL2")
        self.assertIn(self.invoice.get_portal_url().split("?")[0], row.payment_url)
