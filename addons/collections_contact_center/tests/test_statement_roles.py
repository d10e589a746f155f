"""The customer statement as a collector and an accountant see it, over HTTP
and JSON-RPC as the web client calls it: a collector prints and downloads the
statement of their case's customer, never another team's."""

import io

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.collections_automation.tests.common import CollectionsCommon
from odoo.addons.collections_automation.tests.common_rpc import WebClientMixin

COLLECTOR = "collections_automation.group_collection_user"
REPORT = "collections_automation.report_customer_statement"


@tagged("post_install", "-at_install")
class TestStatementRoles(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ana = new_test_user(cls.env, "st_ana", COLLECTOR, password="st_ana-pass-1")
        cls.beto = new_test_user(
            cls.env, "st_beto", COLLECTOR, password="st_beto-pass-1"
        )
        cls.bill = new_test_user(
            cls.env,
            "st_bill",
            "account.group_account_invoice",
            password="st_bill-pass-1",
        )
        Team = cls.env["collection.team"]
        north = Team.create(
            {"name": "North", "member_ids": [(0, 0, {"user_id": cls.ana.id})]}
        )
        south = Team.create(
            {"name": "South", "member_ids": [(0, 0, {"user_id": cls.beto.id})]}
        )
        cls.north_customer = cls.customer("Norte Statement", 700, north)
        cls.south_customer = cls.customer("Sur Statement", 900, south)

    @classmethod
    def customer(cls, name, amount, team):
        partner = cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "tz": "UTC",
            }
        )
        cls.make_invoice(partner, amount, due_in=-20)
        cls.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        case = cls.env["collection.case"].create({"partner_id": partner.id})
        case.write({"team_id": team.id, "user_id": False})
        return partner

    def open(self, url):
        with mute_logger("odoo.http", "odoo.addons.base.models.ir_rule"):
            return self.url_open(url, timeout=60)

    def test_collector_prints_their_customer_statement_only(self):
        import openpyxl  # noqa: PLC0415 (a test dependency only)

        self.login(self.ana)
        mine, theirs = self.north_customer, self.south_customer
        # the PDF report (HTML in tests) and the workbook of her case's customer
        page = self.open(f"/report/html/{REPORT}/{mine.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Norte Statement", page.text)
        self.assertIn("o_statement_due", page.text)
        book = self.open(f"/collections/statement/{mine.id}/xlsx")
        self.assertEqual(book.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
        totals = [
            row[5].value for row in sheet.iter_rows() if row[4].value == "Total due"
        ]
        self.assertEqual(totals, [700])
        # the statement wizard from the customer form, over JSON-RPC
        wizard = self.rpc(
            "collection.send.statement",
            "web_save",
            [],
            {},
            specification={"customer_count": {}},
            context={"active_model": "res.partner", "active_ids": mine.ids},
        )[0]
        self.assertEqual(wizard["customer_count"], 1)
        action = self.rpc("collection.send.statement", "action_xlsx", [wizard["id"]])
        self.assertEqual(action["url"], f"/collections/statement/{mine.id}/xlsx")
        # another team's customer: refused everywhere
        page = self.open(f"/report/html/{REPORT}/{theirs.id}")
        self.assertEqual(page.status_code, 403)
        self.assertNotIn("o_statement_due", page.text)
        self.assertIn("You may not see every open item", page.text)
        book = self.open(f"/collections/statement/{theirs.id}/xlsx")
        self.assertEqual(book.status_code, 403)
        wizard = self.rpc(
            "collection.send.statement",
            "web_save",
            [],
            {},
            specification={"id": {}},
            context={"active_model": "res.partner", "active_ids": theirs.ids},
        )[0]
        self.refused("collection.send.statement", "action_print", [wizard["id"]])
        self.refused("collection.send.statement", "action_send", [wizard["id"]])

    def test_accountant_prints_any_customer_statement(self):
        self.login(self.bill)
        for partner in (self.north_customer, self.south_customer):
            page = self.open(f"/report/html/{REPORT}/{partner.id}")
            self.assertEqual(page.status_code, 200)
            self.assertIn(partner.name, page.text)
