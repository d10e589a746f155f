import json

from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged

from odoo.addons.collections_automation.tests.test_amounts import AmountsPortfolio


@tagged("post_install", "-at_install")
class TestAmountsEverywhere(AmountsPortfolio, HttpCase):
    """The reminder, the payment page, the AI agent, the case and the
    statement state the same overdue amount and total due for a customer
    with partial payments, an installment not yet due, an unapplied credit
    note and an unapplied payment."""

    def chat(self, invoice, message):
        """A message to the AI agent on the invoice's portal page, over HTTP
        with the invoice's access token, as the page's chat sends it."""
        invoice._portal_ensure_token()
        response = self.url_open(
            f"/collections/agent/chat/{invoice.id}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "message": message,
                        "access_token": invoice.access_token,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        return response.json()["result"]

    def test_one_amount_for_one_debt(self):
        self.refresh()
        overdue = self.money(self.OVERDUE).replace("\xa0", " ")
        total = self.money(self.TOTAL_DUE).replace("\xa0", " ")

        # the reminder
        sent = self.reminder()
        self.assert_states_figures(sent.body, "reminder")
        self.assertIn(total, " ".join(sent.body.replace("\xa0", " ").split()))

        # the page its link opens
        page = self.url_open(sent.payment_url)
        self.assertEqual(self.page_text(page, "o_collections_overdue"), overdue)
        self.assertEqual(self.page_text(page, "o_collections_due"), total)

        # the AI agent, asked on that page
        answer = self.chat(self.oldest, "How much do I owe?")
        self.assertIn("$960.00", answer["reply"])
        for wrong in ("2,400.00", "1,300.00", "2,060.00", "700.00"):
            self.assertNotIn(wrong, answer["reply"])

        # the case a collector works
        case = self.env["collection.case"].create({"partner_id": self.ana.id})
        self.assertAlmostEqual(case.amount_overdue, self.OVERDUE)
        self.assertAlmostEqual(case.amount_due, self.TOTAL_DUE)

        # the statement sent to the customer: its lines add up to the total
        lines = case._statement_lines()
        self.assertAlmostEqual(sum(line["amount"] for line in lines), self.TOTAL_DUE)
        # by date, each with the running balance
        self.assertEqual(
            [line["amount"] for line in lines], [700.0, 1200.0, -240.0, -100.0, 500.0]
        )
        self.assertEqual(
            [line["balance"] for line in lines], [700.0, 1900.0, 1660.0, 1560.0, 2060.0]
        )
        self.assertEqual(lines[1]["due_date"], self.days(-5), "oldest installment")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "collections_contact_center.action_report_collection_statement", case.ids
        )[0]
        tree = lxml_html.fromstring(html)
        self.assertEqual(
            self.text_of(self.by_class(tree, "o_statement_overdue")[0]), overdue
        )
        self.assertEqual(self.text_of(self.by_class(tree, "o_statement_due")[0]), total)
        self.assertIn(self.oldest.name, html.decode())
