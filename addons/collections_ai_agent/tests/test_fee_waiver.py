from odoo import Command
from odoo.tests import tagged

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestFeeWaiver(AgentCommon):
    """A negotiation policy may waive late fees: when the customer agrees a
    plan or a promise under it, the fee invoice is cancelled (draft) or
    reversed (posted), with a note on the invoice, the customer and the
    agreement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env.ref("collections_ai_agent.agent_policy_default")
        cls.step = cls.env.ref("collections_automation.step_standard_second")
        cls.step.write({"late_fee_fixed": 15})
        cls.env.company.collection_fee_account_id = cls.company_data[
            "default_account_revenue"
        ]
        cls.debtor = cls.env["collection.debtor"].search(
            [("partner_id", "=", cls.customer.id)]
        )

    def charge(self):
        """The journey's step runs for the customer and charges its fee."""
        message = self.env["collection.message"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "debtor_id": self.debtor.id,
                "journey_id": self.step.journey_id.id,
                "step_id": self.step.id,
                "kind": "journey",
                "channel": "email",
                "state": "planned",
                "anchor_date": self.invoice.invoice_date_due,
                "idempotency_key": "fee-waiver",
                "invoice_ids": [Command.set(self.invoice.ids)],
            }
        )
        fee = self.env["collection.fee"]._charge_for_messages(message)
        self.assertEqual(len(fee), 1)
        self.assertAlmostEqual(fee.move_id.amount_total, 15)
        return fee

    def test_a_plan_agreed_with_the_agent_reverses_a_posted_fee(self):
        self.env.company.collection_fee_state = "posted"
        self.policy.waive_late_fees = True
        fee = self.charge()
        self.assertEqual(fee.move_id.state, "posted")
        self.whatsapp_in("quiero pagarlo en 3 cuotas", "wamid.FW1")
        self.whatsapp_in("sí", "wamid.FW2")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(plan), 1, self.conversation().turn_ids.mapped("reply"))
        self.assertEqual(fee.state, "waived")
        self.assertEqual(fee.move_id.payment_state, "reversed")
        self.assertIn(plan.display_name, fee.waived_reason)
        self.assertIn(self.policy.name, fee.waived_reason)
        self.assertIn(
            "Late fee waived", "".join(fee.move_id.message_ids.mapped("body"))
        )
        self.assertIn("Late fees waived", "".join(plan.message_ids.mapped("body")))
        self.assertIn(
            "Late fee waived", "".join(self.customer.message_ids.mapped("body"))
        )

    def test_a_paid_fee_is_left_and_its_invoice_says_why(self):
        self.env.company.collection_fee_state = "posted"
        self.policy.waive_late_fees = True
        fee = self.charge()
        self.pay(fee.move_id, 5)  # in part
        self.whatsapp_in("quiero pagarlo en 3 cuotas", "wamid.FW5")
        self.whatsapp_in("sí", "wamid.FW6")
        self.assertEqual(fee.state, "charged")
        self.assertEqual(fee.move_id.payment_state, "partial")
        notes = "".join(fee.move_id.message_ids.mapped("body"))
        # the reason the manager's Waive gives, not a bare "paid"
        self.assertIn("Late fee not waived", notes)
        self.assertIn("This late fee is paid already, in full or in part", notes)

    def test_a_promise_cancels_a_draft_fee(self):
        self.policy.waive_late_fees = True
        fee = self.charge()
        self.assertEqual(fee.move_id.state, "draft")
        self.Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "amount": 1000,
                "promise_date": self.today,
                "invoice_ids": [Command.set(self.invoice.ids)],
            }
        )
        self.assertEqual(fee.state, "waived")
        self.assertEqual(fee.move_id.state, "cancel")

    def test_no_waiver_unless_the_policy_says_so(self):
        self.assertFalse(self.policy.waive_late_fees)
        fee = self.charge()
        self.Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "amount": 1000,
                "promise_date": self.today,
                "invoice_ids": [Command.set(self.invoice.ids)],
            }
        )
        self.assertEqual(fee.state, "charged")
        self.assertEqual(fee.move_id.state, "draft")

    def test_the_policy_reaches_the_engine(self):
        self.policy.waive_late_fees = True
        values = self.env["collection.agent.policy"]._for_debtor(self.debtor)
        self.assertIs(values["waive_late_fees"], True)
