from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestSecurity(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.setup_other_company()["company"]
        cls.make_invoice(cls.partner_a, 100, due_in=-10)
        cls.make_invoice(cls.partner_a, 700, due_in=-40, company=cls.other_company)
        cls.env["collection.debtor"]._refresh(cls.today)
        cls.collector = new_test_user(
            cls.env,
            "collector",
            "collections_automation.group_collection_user",
            company_id=cls.env.company.id,
        )
        cls.accountant = new_test_user(
            cls.env,
            "billing",
            "account.group_account_invoice",
            company_id=cls.env.company.id,
        )

    def test_company_isolation(self):
        debtors = self.env["collection.debtor"].with_user(self.accountant).search([])
        self.assertEqual(debtors.company_id, self.env.company)
        self.assertEqual(
            self.env["collection.debtor"]
            .sudo()
            .search([("partner_id", "=", self.partner_a.id)])
            .company_id,
            self.env.company | self.other_company,
        )

    def test_accountant_reads_but_does_not_configure(self):
        debtors = self.env["collection.debtor"].with_user(self.accountant).search([])
        self.assertTrue(debtors)
        with self.assertRaises(AccessError):
            debtors.with_user(self.accountant).write({"total_due": 1})
        with self.assertRaises(AccessError):
            self.env["collection.bucket"].with_user(self.collector).create(
                {"name": "X", "code": "x", "min_days": 500}
            )

    def test_outbox_and_promises_stay_in_their_company(self):
        Promise = self.env["collection.promise"].sudo()
        here = Promise.create(
            {
                "partner_id": self.partner_a.id,
                "amount": 50,
                "promise_date": self.days(3),
            }
        )
        there = Promise.with_company(self.other_company).create(
            {
                "partner_id": self.partner_a.id,
                "amount": 70,
                "promise_date": self.days(3),
                "company_id": self.other_company.id,
            }
        )
        visible = Promise.with_user(self.accountant).search([])
        self.assertIn(here, visible)
        self.assertNotIn(there, visible)
        with self.assertRaises(AccessError):
            there.with_user(self.accountant).read(["amount"])
        # accountants read promises but do not make them
        self.assertTrue(Promise.with_user(self.accountant).search([]))
        with self.assertRaises(AccessError):
            Promise.with_user(self.accountant).create(
                {
                    "partner_id": self.partner_a.id,
                    "amount": 1,
                    "promise_date": self.days(1),
                }
            )

    def test_collector_works_messages_but_not_journeys(self):
        journey = self.env.ref("collections_automation.journey_standard")
        self.assertTrue(journey.with_user(self.collector).name)
        with self.assertRaises(AccessError):
            journey.with_user(self.collector).write({"review_first": True})
        with self.assertRaises(AccessError):
            self.env["collection.message"].with_user(self.accountant).create(
                {
                    "partner_id": self.partner_a.id,
                    "company_id": self.env.company.id,
                    "idempotency_key": "forged",
                }
            )
