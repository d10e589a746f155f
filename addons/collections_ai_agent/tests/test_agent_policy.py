from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestAgentPolicy(AgentCommon):
    def test_the_most_specific_policy_applies(self):
        debtor = self.env["collection.debtor"].search(
            [("partner_id", "=", self.customer.id)]
        )
        Policy = self.env["collection.agent.policy"]
        other_bucket = self.env["collection.bucket"].search(
            [("id", "!=", debtor.worst_bucket_id.id)], limit=1
        )
        Policy.create(
            {
                "name": "Other bucket",
                "sequence": 1,
                "max_installments": 2,
                "bucket_ids": [(6, 0, other_bucket.ids)],
            }
        )
        Policy.create(
            {
                "name": "This bucket",
                "sequence": 2,
                "max_installments": 3,
                "bucket_ids": [(6, 0, debtor.worst_bucket_id.ids)],
            }
        )
        self.assertEqual(Policy._for_debtor(debtor)["max_installments"], 3)
        # the agent negotiates within it: 6 installments asked, 3 offered
        self.whatsapp_in("quiero pagar en 6 cuotas", "wamid.X1")
        self.whatsapp_in("sí", "wamid.X2")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(plan.installment_count, 3)

    def test_impossible_limits_are_refused(self):
        with self.assertRaises(ValidationError):
            self.env["collection.agent.policy"].create(
                {"name": "Bad", "max_installments": 0}
            )
        with self.assertRaises(ValidationError):
            self.env["collection.agent.policy"].create(
                {"name": "Bad", "max_discount_pct": 100}
            )

    def test_a_plan_for_the_stated_balance_passes_with_an_invoice_on_hold(self):
        """The agent negotiates on what the customer is told (invoices on hold
        left out); the server's check uses that same figure."""
        held = self.make_invoice(self.customer, 500, due_in=-20)
        held.collection_hold = "dispute"
        debtor = self.env["collection.debtor"].search(
            [("partner_id", "=", self.customer.id)]
        )
        debtor._refresh(partner_ids=self.customer.ids)
        self.assertEqual(debtor.total_overdue, 1500)
        self.assertEqual(debtor._amount_to_pay(), 1000)
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "source": "ai_agent",
                "balance": 1000,
                "invoice_ids": self.invoice.ids,
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": self.customer.id,
                            "company_id": self.env.company.id,
                            "amount": 500,
                            "promise_date": self.days(7 * n),
                            "source": "ai_agent",
                        },
                    )
                    for n in (1, 2)
                ],
            }
        )
        self.assertEqual(len(plan.promise_ids), 2)
