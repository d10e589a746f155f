"""Leftovers of the dunning features: an agreement under a policy that
waives late fees no longer counts the fee it waives."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from . import test_fee_waiver


@tagged("post_install", "-at_install")
# at midday: the test pays on its user's "today", the agent dates the
# installments on the customer's; run just after midnight UTC (00:06), the
# two days differed and the first installment counted as paid late
@freeze_time("2026-12-06 12:00:00")
class TestAgreementWithoutTheWaivedFee(test_fee_waiver.TestFeeWaiver):
    """Lucía owes 1,000 and a late fee of 15 posted five days ago and
    unpaid: 1,015 overdue, the balance she is told and negotiates on. The
    policy waives late fees: what she agrees comes down to 1,000, and paying
    1,000 keeps it."""

    # the common tests run in TestFeeWaiver itself
    test_a_plan_agreed_with_the_agent_reverses_a_posted_fee = None
    test_a_promise_cancels_a_draft_fee = None
    test_no_waiver_unless_the_policy_says_so = None
    test_the_policy_reaches_the_engine = None
    test_a_paid_fee_is_left_and_its_invoice_says_why = None

    def setUp(self):
        super().setUp()
        self.policy.waive_late_fees = True
        self.fee = self.charge()
        move = self.fee.move_id
        past = self.today - timedelta(days=5)
        move.write({"invoice_date": past, "invoice_date_due": past})
        move.action_post()
        self.env["collection.debtor"]._refresh(full=True)
        currency = self.env.company.currency_id
        self.assertEqual(self.debtor._amount_to_pay(currency), 1015)

    def pay_and_settle(self, amount):
        self.pay(self.invoice, amount, date=self.today)
        promises = self.Promise.search([("partner_id", "=", self.customer.id)])
        promises._settle(today=self.today + timedelta(days=120))
        return promises

    def test_a_promise_of_the_whole_balance_drops_by_the_fee(self):
        promise = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "amount": 1015,
                "promise_date": self.today + timedelta(days=3),
                "source": "ai_agent",  # checked against the policy, as the agent's
                "invoice_ids": [Command.set((self.invoice | self.fee.move_id).ids)],
            }
        )
        self.assertEqual(self.fee.state, "waived")
        self.assertEqual(self.fee.move_id.payment_state, "reversed")
        self.assertEqual(promise.amount, 1000)
        self.assertIn(
            "Agreed amount lowered", "".join(promise.message_ids.mapped("body"))
        )
        promise._settle()
        self.assertEqual(
            (promise.state, promise.amount_paid), ("open", 0), "a waiver pays nothing"
        )
        self.pay_and_settle(1000)
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 1000))

    def test_a_promise_of_part_stands(self):
        promise = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "amount": 600,
                "promise_date": self.today + timedelta(days=3),
                "invoice_ids": [Command.set(self.invoice.ids)],
                "policy_override_reason": "Part now, the rest next month",
            }
        )
        self.assertEqual(self.fee.state, "waived")
        self.assertEqual(promise.amount, 600)

    def test_a_plan_agreed_with_the_agent_settles_without_the_fee(self):
        self.whatsapp_in("quiero pagarlo en 3 cuotas", "wamid.LF1")
        self.whatsapp_in("sí", "wamid.LF2")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(plan), 1, self.conversation().turn_ids.mapped("reply"))
        self.assertEqual(self.fee.state, "waived")
        self.assertEqual(plan.balance, 1000)
        self.assertAlmostEqual(plan.amount_total, 1000, 2)
        self.assertEqual(len(plan.promise_ids), 3)
        installments = plan.promise_ids.sorted("promise_date")
        self.assertEqual(installments.mapped("amount"), [333.33, 333.33, 333.34])
        self.pay_and_settle(1000)
        self.assertEqual(set(installments.mapped("state")), {"kept"})
        self.assertEqual(plan.state, "kept")
