import json

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestSaleHold(CollectionsCommon, HttpCase):
    """Sales held from the legal bucket on: a salesperson is refused in words
    (over JSON-RPC, as the web client calls), a manager confirms and it is
    logged, a customer in an earlier bucket confirms as usual."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collection_sale_hold_bucket_id = cls.buckets["legal"]
        cls.salesperson = new_test_user(
            cls.env,
            "sam_sales",
            "sales_team.group_sale_salesman",
            password="sam_sales-pass-1",
            company_id=cls.env.company.id,
            name="Sam Sales",
        )
        cls.sales_manager = new_test_user(
            cls.env,
            "mia_manager",
            "sales_team.group_sale_manager",
            password="mia_manager-pass-1",
            company_id=cls.env.company.id,
            name="Mia Manager",
        )
        cls.legal = cls.env["res.partner"].create({"name": "Legal Ltd"})
        cls.make_invoice(cls.legal, 700, due_in=-130)
        cls.mid = cls.env["res.partner"].create({"name": "Mid Ltd"})
        cls.make_invoice(cls.mid, 700, due_in=-20)
        cls.env["collection.debtor"]._refresh(partner_ids=(cls.legal | cls.mid).ids)
        cls.product = cls.env["product.product"].create(
            {"name": "Widget", "list_price": 100, "taxes_id": [Command.clear()]}
        )

    def order(self, partner, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.salesperson)
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.product.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
            .with_user(self.env.user)
        )

    def rpc_as(self, user, model, method, *args, **kwargs):
        """Call as the web client does; returns (result, error message)."""
        self.authenticate(user.login, f"{user.login}-pass-1")
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": list(args),
                        "kwargs": kwargs,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        error = response.get("error")
        self.env.invalidate_all()
        return response.get("result"), error and error["data"]

    def test_salesperson_is_told_why_and_who_may_confirm(self):
        order = self.order(self.legal)
        self.assertTrue(order.collection_hold)
        self.assertIn("Legal", order.collection_hold_reason)
        _result, error = self.rpc_as(
            self.salesperson, "sale.order", "action_confirm", order.ids
        )
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        message = error["message"]
        self.assertIn(f"{order.name} cannot be confirmed by you", message)
        self.assertIn("Legal Ltd is on a sales hold", message)
        self.assertIn("130 days past due", message)
        self.assertIn(
            "Only a Sales Administrator or a Collection Manager may confirm it", message
        )
        self.assertIn("Mia Manager", message)
        self.assertEqual(order.state, "draft")
        with self.assertRaises(UserError):
            order.with_user(self.salesperson).action_confirm()

    def test_sales_manager_confirms_and_it_is_logged(self):
        order = self.order(self.legal)
        _result, error = self.rpc_as(
            self.sales_manager, "sale.order", "action_confirm", order.ids
        )
        self.assertFalse(error)
        self.assertEqual(order.state, "sale")
        note = order.message_ids.filtered(
            lambda m: "despite the sales hold" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("Mia Manager", note.body)
        self.assertIn("Legal Ltd is on a sales hold", note.body)

    def test_customer_in_an_earlier_bucket_confirms_normally(self):
        order = self.order(self.mid)
        self.assertFalse(order.collection_hold)
        _result, error = self.rpc_as(
            self.salesperson, "sale.order", "action_confirm", order.ids
        )
        self.assertFalse(error)
        self.assertEqual(order.state, "sale")
        self.assertFalse(
            order.message_ids.filtered(lambda m: "sales hold" in (m.body or ""))
        )

    def test_no_bucket_chosen_means_no_hold(self):
        self.env.company.collection_sale_hold_bucket_id = False
        order = self.order(self.legal)
        self.assertFalse(order.collection_hold)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_banner_on_the_order_form(self):
        order = self.order(self.legal)
        result, error = self.rpc_as(
            self.salesperson,
            "sale.order",
            "web_read",
            order.ids,
            specification={"collection_hold": {}, "collection_hold_reason": {}},
        )
        self.assertFalse(error)
        self.assertTrue(result[0]["collection_hold"])
        self.assertIn(
            "Legal Ltd is on a sales hold", result[0]["collection_hold_reason"]
        )
        arch = self.env["sale.order"].get_view(view_type="form")["arch"]
        self.assertIn("o_collection_sale_hold", arch)
