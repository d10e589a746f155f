"""The dunning letter's Send by Post, opened and pressed as the web client
does (``onchange`` on the unsaved form, ``web_save``, ``call_button``), by a
collector, on one customer and on several; billing users print but do not
post. See ``collections_automation/tests/test_wizards_in_the_web_client.py``."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.test_by_hand import ByHandCommon
from odoo.addons.collections_automation.tests.test_wizards_in_the_web_client import (
    WizardProbe,
    from_form,
    linked,
)

MODEL = "collection.print.letter"


@tagged("post_install", "-at_install")
class TestPostInTheWebClient(WizardProbe, ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cora = cls.role_user(
            cls.env, "cora_collector", "collections_automation.group_collection_user"
        )
        address = {"street": "Main Street 1", "city": "Springfield", "zip": "12345"}
        cls.env.company.partner_id.write(
            {**address, "country_id": cls.env.ref("base.us").id}
        )
        cls.gil = cls.customer("Gil Post", **address)
        cls.hana = cls.customer("Hana Post", **address)
        customers = cls.gil | cls.hana
        for customer in customers:
            cls.make_invoice(customer, 400, due_in=-30)
        cls.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        cls.assign_case(customers, cls.cora)
        cls.letter = cls.env["collection.letter"]._for_partner(cls.gil)
        cls.other_letter = cls.env["collection.letter"].search(
            [("id", "!=", cls.letter.id)], limit=1
        )

    def test_send_by_post_from_customers(self):
        gate = self.env["collection.contact.gate"]
        for customer in self.gil | self.hana:
            verdict = gate._decide(
                customer, "post", "by_hand", fields.Datetime.now(), self.env.company
            )
            self.assertTrue(verdict.allowed, verdict.reason)
        self.login(self.cora)
        arch = self.rpc(MODEL, "get_views", views=[[False, "form"]])["views"]["form"]
        self.assertIn("action_send_post", arch["arch"])
        Message = self.env["collection.message"]
        for customers in (self.gil, self.gil | self.hana):
            with self.subTest(count=len(customers)):
                context = from_form("res.partner", customers)
                value = self.open_wizard(MODEL, context)
                self.assertEqual(linked(value["partner_ids"]), set(customers.ids))
                self.assertEqual(value["letter_id"]["id"], self.letter.id)
                if len(customers) > 1:
                    # the one customer was posted a moment ago: another letter
                    value = self.change(
                        MODEL,
                        value,
                        "letter_id",
                        self.other_letter.id,
                        context,
                    )
                # the PDF is not rendered (wkhtmltopdf would ask this very
                # test server for its assets while it serves the button)
                result = self.press(MODEL, value, "action_send_post", context)
                self.assertEqual(result["params"]["type"], "success")
                self.assertIn(
                    f"{len(customers)} letter(s) queued", result["params"]["message"]
                )
        rows = Message.search(
            [("partner_id", "in", (self.gil | self.hana).ids), ("channel", "=", "post")]
        )
        self.assertEqual(len(rows), 3)
        self.assertEqual(set(rows.mapped("state")), {"sent"})
        self.assertEqual(rows.snailmail_letter_id.partner_id, self.gil | self.hana)

    def test_billing_users_print_but_do_not_post(self):
        self.login(self.billing)
        arch = self.rpc(MODEL, "get_views", views=[[False, "form"]])["views"]["form"]
        self.assertNotIn("action_send_post", arch["arch"])
        value = self.open_wizard(MODEL, from_form("res.partner", self.gil))
        self.assertEqual(value["letter_id"]["id"], self.letter.id)
