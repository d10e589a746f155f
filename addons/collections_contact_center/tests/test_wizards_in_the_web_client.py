"""The case's wizards opened as the web client opens them, by the collector
who works the case: an ``onchange`` on the unsaved form with the case
form's button context (``default_case_id`` and the case as active record),
then ``web_save`` and ``/web/dataset/call_button``. See
``collections_automation/tests/test_wizards_in_the_web_client.py``."""

from odoo.tests import tagged

from odoo.addons.collections_automation.tests.test_by_hand import ByHandCommon
from odoo.addons.collections_automation.tests.test_wizards_in_the_web_client import (
    WizardProbe,
    from_form,
    linked,
)

COLLECTOR = "collections_automation.group_collection_user"


@tagged("post_install", "-at_install")
class TestCaseWizardsInTheWebClient(WizardProbe, ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cora = cls.role_user(cls.env, "cora_collector", COLLECTOR)
        cls.manager = cls.role_user(
            cls.env, "mona_manager", "collections_automation.group_collection_manager"
        )
        cls.dana = cls.customer("Dana Silva")
        cls.eli = cls.customer("Eli Moreau")
        cls.dana_1 = cls.make_invoice(cls.dana, 1000, due_in=-20)
        cls.dana_2 = cls.make_invoice(cls.dana, 500, due_in=-5)
        cls.make_invoice(cls.eli, 300, due_in=-10)
        customers = cls.dana | cls.eli
        cls.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        cls.assign_case(customers, cls.cora)
        Case = cls.env["collection.case"]
        cls.case = Case.search([("partner_id", "=", cls.dana.id)])
        cls.case_eli = Case.search([("partner_id", "=", cls.eli.id)])
        cls.currency = cls.env.company.currency_id

    def from_case(self, case):
        """The context of a case form's header button."""
        return from_form("collection.case", case, default_case_id=case.id)

    # === Log a Call === #
    def test_log_a_promise(self):
        self.login(self.cora)
        model = "collection.case.log.call"
        context = self.from_case(self.case)
        value = self.open_wizard(model, context)
        self.assertEqual(value["case_id"]["id"], self.case.id)
        self.assertEqual(value["currency_id"]["id"], self.currency.id)
        self.assertFalse(value["disposition_id"])
        promise = self.env.ref("collections_contact_center.disposition_promise")
        value = self.change(model, value, "disposition_id", promise.id, context)
        self.assertEqual(value["outcome"], "promise")
        self.assertEqual(value["promise_amount"], 1500, "what is overdue")
        when = str(self.days(7))
        result = self.press(model, value, "action_log", context, promise_date=when)
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        self.assertRecordValues(
            self.env["collection.promise"].search([("partner_id", "=", self.dana.id)]),
            [{"amount": 1500, "promise_date": self.days(7), "source": "collector"}],
        )
        self.assertEqual(
            self.case.stage_id, self.env.ref("collections_contact_center.stage_promise")
        )

    def test_log_a_callback(self):
        self.login(self.cora)
        model = "collection.case.log.call"
        context = self.from_case(self.case_eli)
        value = self.open_wizard(model, context)
        callback = self.env.ref("collections_contact_center.disposition_callback")
        value = self.change(model, value, "disposition_id", callback.id, context)
        self.assertEqual(value["outcome"], "callback")
        self.assertFalse(value["promise_amount"])
        when = str(self.days(2))
        self.press(
            model, value, "action_log", context, callback_date=when, note="At 5pm"
        )
        self.assertEqual(self.case_eli.next_action_date, self.days(2))
        self.assertEqual(self.case_eli.call_ids.disposition_id, callback)

    # === Promise or Plan === #
    def test_agree_on_a_promise(self):
        self.login(self.cora)
        model = "collection.case.agreement"
        context = self.from_case(self.case)
        value = self.open_wizard(model, context)
        self.assertEqual(value["case_id"]["id"], self.case.id)
        self.assertEqual(value["kind"], "promise")
        self.assertEqual(value["currency_id"]["id"], self.currency.id)
        self.assertEqual(linked(value["debt_currency_ids"]), {self.currency.id})
        self.assertEqual(value["amount"], 1500)
        self.assertFalse(value["policy_problems"])
        value = self.change(model, value, "promise_date", str(self.days(7)), context)
        self.assertFalse(value["policy_problems"])
        result = self.press(model, value, "action_record", context)
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.dana.id)]
        )
        self.assertRecordValues(
            promise,
            [{"amount": 1500, "currency_id": self.currency.id, "source": "collector"}],
        )
        self.assertEqual(promise.invoice_ids, self.dana_1 | self.dana_2)

    def test_agree_on_a_plan(self):
        self.login(self.cora)
        model = "collection.case.agreement"
        context = self.from_case(self.case)
        value = self.open_wizard(model, context)
        value = self.change(model, value, "kind", "plan", context)
        value = self.change(model, value, "promise_date", str(self.days(7)), context)
        self.assertEqual(value["installments"], 3)
        self.assertFalse(value["policy_problems"])
        self.press(model, value, "action_record", context)
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.dana.id)]
        )
        self.assertEqual(len(plan.promise_ids), 3)
        self.assertEqual(sum(plan.promise_ids.mapped("amount")), 1500)
        self.assertEqual(min(plan.promise_ids.mapped("promise_date")), self.days(7))

    def test_agree_outside_the_policy(self):
        """A promise of a tenth of the debt a year away: the form says what
        the policy refuses before anything is recorded; a collector cannot
        override it, a collection manager can, with a reason."""
        model = "collection.case.agreement"
        context = self.from_case(self.case)
        override = {"override": True, "override_reason": "Agreed with the CFO"}
        for user in (self.cora, self.manager):
            with self.subTest(user=user.login):
                self.login(user)
                value = self.open_wizard(model, context)
                value = self.change(model, value, "amount", 150, context)
                value = self.change(
                    model, value, "promise_date", str(self.days(365)), context
                )
                self.assertTrue(value["policy_problems"])
                if user == self.cora:
                    message = self.press_refused(
                        model, value, "action_record", context, **override
                    )
                    self.assertIn("Only a collection manager", message)
                else:
                    self.press(model, value, "action_record", context, **override)
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.dana.id)]
        )
        self.assertRecordValues(
            promise,
            [{"amount": 150, "policy_override_reason": "Agreed with the CFO"}],
        )
        self.assertIn(
            "Agreed with the CFO", "".join(self.case.message_ids.mapped("body"))
        )

    def test_agree_on_a_debt_in_another_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        fern = self.customer("Fern Adams")
        self.make_invoice(fern, 2000, due_in=-15, currency=eur)
        self.make_invoice(fern, 100, due_in=-15)
        self.env["collection.debtor"]._refresh(partner_ids=fern.ids)
        self.assign_case(fern, self.cora)
        case = self.env["collection.case"].search([("partner_id", "=", fern.id)])
        self.login(self.cora)
        model = "collection.case.agreement"
        context = self.from_case(case)
        value = self.open_wizard(model, context)
        self.assertEqual(value["currency_id"]["id"], eur.id, "the largest debt's")
        self.assertEqual(linked(value["debt_currency_ids"]), {eur.id, self.currency.id})
        self.assertEqual(value["amount"], 2000)
        value = self.change(model, value, "currency_id", self.currency.id, context)
        self.assertEqual(value["amount"], 100)

    # === Send a Payment Link === #
    def test_send_the_payment_link(self):
        self.login(self.cora)
        model = "collection.case.send.link"
        context = self.from_case(self.case)
        value = self.open_wizard(model, context)
        self.assertEqual(value["case_id"]["id"], self.case.id)
        self.assertEqual(value["channel"], "email")
        self.assertEqual(value["payment_url"], self.case._payment_link())
        self.assertIn(self.dana_1.get_portal_url().split("?")[0], value["payment_url"])
        result = self.press(model, value, "action_send", context)
        self.assertEqual(result["type"], "ir.actions.act_window_close")
        message = self.env["collection.message"].search(
            [("partner_id", "=", self.dana.id), ("kind", "=", "payment_link")]
        )
        self.assertRecordValues(
            message, [{"channel": "email", "payment_url": value["payment_url"]}]
        )

    # === Dunning Letter, from the case === #
    def test_letter_from_the_case(self):
        self.login(self.cora)
        model = "collection.print.letter"
        context = from_form("collection.case", self.case)
        value = self.open_wizard(model, context)
        self.assertEqual(linked(value["partner_ids"]), {self.dana.id})
        letter = self.env["collection.letter"]._for_partner(self.dana)
        self.assertTrue(letter)
        self.assertEqual(value["letter_id"]["id"], letter.id)
        result = self.press(model, value, "action_print", context)
        self.assertEqual(result["type"], "ir.actions.report")
        self.assertEqual(result["context"]["active_ids"], self.dana.ids)

    def test_customer_wizards_for_the_customers_of_my_cases(self):
        """A contact-center collector opens the customer's wizards for the
        customers of their cases, one or several."""
        self.login(self.cora)
        customers = self.dana | self.eli
        for model in (
            "collection.send.reminder",
            "collection.send.statement",
            "collection.print.letter",
        ):
            for selection in (self.dana, customers):
                with self.subTest(model=model, count=len(selection)):
                    value = self.open_wizard(model, from_form("res.partner", selection))
                    self.assertEqual(linked(value["partner_ids"]), set(selection.ids))
                    if "customer_count" in value:
                        self.assertEqual(value["customer_count"], len(selection))
                        self.assertEqual(value["allowed_count"], len(selection))
        value = self.open_wizard(
            "collection.record.promise", from_form("res.partner", self.eli)
        )
        self.assertEqual(value["partner_id"]["id"], self.eli.id)
        self.assertEqual(value["amount"], 300)
