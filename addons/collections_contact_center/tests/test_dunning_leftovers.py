"""Leftovers of the dunning features in the contact center: a case's
agreement is negotiated in the currency of the debt, as the AI agent does,
never on a sum over currencies. Seen by the collector of the case's team
over JSON-RPC, as the web client calls."""

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.collections_automation.tests.common_rpc import WebClientMixin
from odoo.addons.collections_automation.tests.test_currencies import (
    CurrencyPortfolio,
)
from odoo.addons.collections_automation.tests.test_dunning_leftovers import (
    command_ids,
)

COLLECTOR = "collections_automation.group_collection_user"
SPEC = {
    "case_id": {"fields": {}},
    "currency_id": {"fields": {"display_name": {}}},
    "debt_currency_ids": {"fields": {}},
    "kind": {},
    "amount": {},
    "promise_date": {},
    "installments": {},
    "spacing": {},
    "policy_problems": {},
}


@tagged("post_install", "-at_install")
class TestCaseAgreementInTheDebtCurrency(WebClientMixin, CurrencyPortfolio, HttpCase):
    """Mara owes USD 700, EUR 600 overdue (500 more not yet due) and MXN
    8,000 (USD 1,767 in all); her case is Cora's, of the North team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cora = new_test_user(
            cls.env,
            "cora_collector",
            COLLECTOR,
            password="cora_collector-pass-1",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.env["collection.team"].create(
            {"name": "North", "member_ids": [(0, 0, {"user_id": cls.cora.id})]}
        )
        cls.case = cls.env["collection.case"]._escalate(
            cls.mara, cls.company, "journey"
        )
        assert cls.case.user_id == cls.cora, cls.case.user_id

    def setUp(self):
        super().setUp()
        self.login(self.cora)

    def open_wizard(self):
        return self.rpc(
            "collection.case.agreement",
            "onchange",
            [],
            {},
            [],
            SPEC,
            context={"default_case_id": self.case.id},
        )["value"]

    def change(self, values, field):
        return self.rpc(
            "collection.case.agreement",
            "onchange",
            [],
            {"case_id": self.case.id, **values},
            [field],
            SPEC,
        )["value"]

    def record(self, **values):
        wizard_id = self.rpc(
            "collection.case.agreement", "create", {"case_id": self.case.id, **values}
        )
        return self.rpc("collection.case.agreement", "action_record", [wizard_id])

    def test_promise_for_the_eur_debt_in_eur(self):
        values = self.open_wizard()
        # the largest debt's currency and what is asked in it: USD 700, not
        # the USD 1,767 owed in three currencies
        self.assertEqual(values["currency_id"]["id"], self.usd.id)
        self.assertEqual(values["amount"], 700)
        self.assertFalse(values["policy_problems"])
        self.assertEqual(
            set(command_ids(values["debt_currency_ids"])),
            {self.usd.id, self.eur.id, self.mxn.id},
        )
        changed = self.change(
            {"currency_id": self.eur.id, "amount": 700, "kind": "promise"},
            "currency_id",
        )
        self.assertEqual(changed["amount"], 600)
        # a promise above the euro debt is outside the policy, said in words
        over = self.change(
            {
                "currency_id": self.eur.id,
                "amount": 700,
                "kind": "promise",
                "promise_date": str(self.days(5)),
            },
            "amount",
        )
        self.assertIn("more than the balance", over["policy_problems"])
        self.record(
            currency_id=self.eur.id,
            kind="promise",
            amount=600,
            promise_date=str(self.days(5)),
        )
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.mara.id)]
        )
        self.assertRecordValues(
            promise,
            [{"currency_id": self.eur.id, "amount": 600, "state": "open"}],
        )
        self.assertEqual(promise.invoice_ids, self.inv_eur | self.inv_eur_later)
        self.assertEqual(self.case.stage_code, "promise")

    def test_plan_for_the_mxn_debt_in_mxn(self):
        # the MXN debt is 8,000 (the credit note counted)
        self.assertEqual(
            self.change({"currency_id": self.mxn.id}, "currency_id")["amount"], 8000
        )
        self.record(
            currency_id=self.mxn.id,
            kind="plan",
            amount=8000,
            promise_date=str(self.days(3)),
            installments=2,
            spacing="biweekly",
        )
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.mara.id)]
        )
        self.assertRecordValues(
            plan,
            [
                {
                    "currency_id": self.mxn.id,
                    "balance": 8000,
                    "amount_total": 8000,
                    "state": "open",
                }
            ],
        )
        self.assertEqual(plan.promise_ids.currency_id, self.mxn)
        self.assertEqual(plan.promise_ids.mapped("amount"), [4000, 4000])
        self.assertEqual(plan.invoice_ids, self.inv_mxn)
