import io
from datetime import datetime, time

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import format_amount

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import MultiCurrencyCommon

REPORT = "collections_automation.action_report_customer_statement"


class StatementPortfolio(MultiCurrencyCommon):
    """Dora owes in the company's currency (USD) and in EUR:

    =========================================  ======  =====
    item                                       USD     EUR
    =========================================  ======  =====
    invoice of 1,000 due 40 days ago, 300 paid    700
    invoice of 500 due in 10 days                 500
    credit note, unapplied                       -200
    payment, unapplied                           -150
    invoice of EUR 800 due 10 days ago                    800
    invoice of EUR 400 due 20 days ago, 100 paid          300
    credit note in EUR, unapplied                         -50
    =========================================  ======  =====

    Totals: USD 850, EUR 1,050; each currency's lines add up to its total.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.other_currency("EUR", 0.5)
        cls.dora = cls.statement_customer("Dora Two", lang="en_US")
        cls.old = cls.invoice_in(cls.dora, 1000, -40, cls.usd, invoice_in=-70)
        cls.pay(cls.old, 300, date=cls.days(-20))
        cls.later = cls.invoice_in(cls.dora, 500, 10, cls.usd, invoice_in=-5)
        cls.refund = cls.invoice_in(
            cls.dora, 200, 0, cls.usd, move_type="out_refund", invoice_in=-2
        )
        cls.payment = cls.unapplied_payment(cls.dora, 150, cls.usd)
        cls.eur_one = cls.invoice_in(cls.dora, 800, -10, cls.eur, invoice_in=-40)
        cls.eur_two = cls.invoice_in(cls.dora, 400, -20, cls.eur, invoice_in=-50)
        cls.pay(cls.eur_two, 100, date=cls.days(-15))
        cls.eur_refund = cls.invoice_in(
            cls.dora, 50, 0, cls.eur, move_type="out_refund", invoice_in=-1
        )
        cls.env["collection.debtor"]._refresh(partner_ids=cls.dora.ids)

    @classmethod
    def statement_customer(cls, name, **values):
        return cls.email_customer(name, **values)

    def statement(self, partner=None):
        return self.env["collection.statement"]._data(partner or self.dora)

    def noon(self, minute=0):
        return freeze_time(datetime.combine(self.today, time(12, minute)))


@tagged("post_install", "-at_install")
class TestStatement(StatementPortfolio):
    def test_lines_add_up_to_the_totals_in_each_currency(self):
        data = self.statement()
        sections = {s["currency"].name: s for s in data["sections"]}
        self.assertEqual(set(sections), {"USD", "EUR"})
        expected = {
            "USD": (850.0, [700.0, -150.0, -200.0, 500.0]),
            "EUR": (1050.0, [300.0, 800.0, -50.0]),
        }
        for code, (total, amounts) in expected.items():
            section = sections[code]
            lines = section["lines"]
            self.assertAlmostEqual(section["total"], total, msg=code)
            self.assertAlmostEqual(sum(line["amount"] for line in lines), total)
            self.assertEqual(sorted(line["amount"] for line in lines), sorted(amounts))
            # the running balance, in the order of the documents' dates
            balance = 0.0
            for line in lines:
                balance += line["amount"]
                self.assertAlmostEqual(line["balance"], balance, msg=line["name"])
            self.assertEqual(
                [line["date"] for line in lines], sorted(line["date"] for line in lines)
            )
            # the aging adds up to the total too
            self.assertAlmostEqual(
                sum(amount for _l, amount in section["aging"]), total
            )
        usd = sections["USD"]
        kinds = {line["name"]: line["kind"] for line in usd["lines"]}
        self.assertEqual(kinds[self.refund.name], "Credit note")
        self.assertEqual(kinds[self.old.name], "Invoice")
        self.assertIn("Payment", kinds.values())
        # overdue: 700 less the 350 of credits (oldest first); EUR all overdue
        self.assertAlmostEqual(usd["overdue"], 350.0)
        self.assertAlmostEqual(sections["EUR"]["overdue"], 1050.0)
        aging = dict(usd["aging"])
        self.assertAlmostEqual(aging[self.buckets["mid"].name], 350.0)
        self.assertAlmostEqual(aging["Not yet due"], 500.0)
        old_line = next(line for line in usd["lines"] if line["name"] == self.old.name)
        self.assertEqual(old_line["days_overdue"], 40)

    def test_pdf_renders_in_the_customer_language(self):
        self.env.ref("base.lang_es").active = True
        self.dora.lang = "es_ES"
        html = self.env["ir.actions.report"]._render_qweb_html(REPORT, self.dora.ids)[0]
        tree = lxml_html.fromstring(html)
        text = " ".join(tree.text_content().split())
        self.assertNotIn(self.today.isoformat(), text, "never ISO")
        self.assertIn(self.statement()["date_text"], text)
        self.assertIn(" de ", self.statement()["date_text"])
        tables = tree.xpath("//table[@data-currency]")
        self.assertEqual({t.get("data-currency") for t in tables}, {"USD", "EUR"})
        for table in tables:
            currency = self.env["res.currency"].search(
                [("name", "=", table.get("data-currency"))]
            )
            due = " ".join(
                table.xpath(".//*[contains(@class, 'o_statement_due')]")[0]
                .text_content()
                .replace("\xa0", " ")
                .split()
            )
            total = 850 if currency == self.usd else 1050
            expected = format_amount(
                self.env["res.partner"].with_context(lang="es_ES").env, total, currency
            ).replace("\xa0", " ")
            self.assertEqual(due, expected)
        # a "pay everything overdue" link per currency, for that currency
        for section in self.statement()["sections"]:
            link = section["link"]
            self.assertIn(f"currency_id={section['currency'].id}&", link)
            self.assertIn(link, html.decode().replace("&amp;", "&"))
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, self.dora.ids)[0]
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_xlsx_reads_back(self):
        import openpyxl  # noqa: PLC0415 (a test dependency only)

        content = self.env["collection.statement"]._xlsx(self.dora)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        totals = [row[5] for row in rows if row[4] == "Total due"]
        self.assertEqual(sorted(totals), [850, 1050])
        names = {row[0] for row in rows}
        for move in (self.old, self.later, self.refund, self.eur_one, self.eur_two):
            self.assertIn(move.name, names)

    def test_send_by_hand_through_the_gate_once(self):
        Statement = self.env["collection.statement"]
        with self.noon():
            sending = Statement._send_by_hand(self.dora)
            self.assertEqual(sending.purpose, "by_hand")
            message = sending.message_id
            self.assertEqual(message.author_id, self.env.company.partner_id)
            self.assertTrue(message.attachment_ids.name.endswith(".pdf"))
            self.assertIn(self.dora, message.partner_ids)
            # a double click in the same minute sends nothing more
            self.assertFalse(Statement._send_by_hand(self.dora))
        self.dora.collection_do_not_contact = True
        with self.noon(5), self.assertRaisesRegex(UserError, "does not allow"):
            Statement._send_by_hand(self.dora)
        nothing = self.statement_customer("Nadia Nothing")
        with self.noon(), self.assertRaisesRegex(UserError, "nothing open"):
            Statement._send_by_hand(nothing)

    def test_bulk_over_a_selection_enqueues_jobs(self):
        others = self.env["res.partner"]
        for index in range(3):
            other = self.statement_customer(f"Bulk{index} Customer")
            self.invoice_in(other, 100 + index, -5, self.usd)
            others |= other
        selection = others | self.dora
        wizard = (
            self.env["collection.send.statement"]
            .with_context(active_model="res.partner", active_ids=selection.ids)
            .create({})
        )
        self.assertEqual(wizard.customer_count, 4)
        with self.noon(), trap_jobs() as trap:
            result = wizard.action_send()
            trap.assert_jobs_count(
                1, only=self.env["collection.statement"]._job_send_statements
            )
            self.assertEqual(result["params"]["type"], "info")
            trap.perform_enqueued_jobs()
        sendings = self.env["collection.statement.sending"].search(
            [("partner_id", "in", selection.ids)]
        )
        self.assertEqual(sendings.partner_id, selection)

    def test_bulk_refuses_the_first_customer_the_user_may_not_fully_read(self):
        """The selection is refused before any job, naming the same customer
        as checking each in turn: one the user may not read, or one with an
        open item (its own, or a sub-company's) the user may not read."""
        Statement = self.env["collection.statement"]
        bill = new_test_user(self.env, "st_bulk_bill", "account.group_account_invoice")
        seen = self.statement_customer("Vera Visible")
        self.invoice_in(seen, 100, -5, self.usd)
        parent = self.statement_customer("Paula Parent", is_company=True)
        self.invoice_in(parent, 120, -5, self.usd)
        branch = self.statement_customer(
            "Bruno Branch", is_company=True, parent_id=parent.id
        )
        self.invoice_in(branch, 80, -5, self.usd)
        secret = self.statement_customer("Sergio Secret", is_company=True)
        self.invoice_in(secret, 90, -5, self.usd)
        # a contact the user may read, of a customer they may not
        contact = self.statement_customer("Clara Contact", parent_id=secret.id)
        Rule = self.env["ir.rule"]
        Rule.create(
            {
                "name": "test: no lines of the branch",
                "model_id": self.env.ref("account.model_account_move_line").id,
                "domain_force": f"[('partner_id', '!=', {branch.id})]",
            }
        )
        Rule.create(
            {
                "name": "test: not the secret customer",
                "model_id": self.env.ref("base.model_res_partner").id,
                "domain_force": f"[('id', '!=', {secret.id})]",
                "perm_write": False,
                "perm_create": False,
                "perm_unlink": False,
            }
        )
        AsBill = Statement.with_user(bill)
        company = self.env.company
        with trap_jobs() as trap:
            self.assertEqual(AsBill._enqueue_bulk(seen | self.dora, company), 1)
            trap.assert_jobs_count(1)
            # the parent's statement would show its branch's items
            with self.assertRaisesRegex(AccessError, "every open item of Paula Parent"):
                AsBill._enqueue_bulk(seen | parent | contact, company)
            with self.assertRaisesRegex(AccessError, "Contact") as caught:
                AsBill._enqueue_bulk(seen | contact | parent, company)
            self.assertNotIn("every open item", str(caught.exception))
            # the branch on its own is its own customer, refused too
            with self.assertRaisesRegex(AccessError, "every open item of Bruno"):
                AsBill._enqueue_bulk(self.dora | branch, company)
            trap.assert_jobs_count(1)

    def test_monthly_to_opted_in_customers_through_the_gate(self):
        Statement = self.env["collection.statement"]
        Sending = self.env["collection.statement.sending"]
        self.dora.collection_statement_monthly = True
        silent = self.statement_customer("Silvia Silent")
        self.invoice_in(silent, 300, -5, self.usd)
        tag = self.env["res.partner.category"].create({"name": "Monthly statement"})
        segment_customer = self.statement_customer(
            "Sergio Segment", category_id=[Command.set(tag.ids)]
        )
        self.invoice_in(segment_customer, 200, -5, self.usd)
        refused = self.statement_customer(
            "Rita Refused", collection_do_not_contact=True
        )
        refused.collection_statement_monthly = True
        self.invoice_in(refused, 400, -5, self.usd)
        self.env["collection.debtor"]._refresh(
            partner_ids=(silent | segment_customer | refused).ids
        )
        # creating the segment places its customers in it (a full refresh)
        segment = self.env["collection.segment"].create(
            {
                "name": "Monthly statements",
                "sequence": 1,
                "category_ids": [Command.set(tag.ids)],
                "statement_monthly": True,
            }
        )
        self.assertEqual(
            self.env["collection.debtor"]
            .search([("segment_id", "=", segment.id)])
            .partner_id,
            segment_customer,
        )
        now = datetime.combine(self.today, time(12, 0))
        with self.noon():
            result = Statement._cron_send_monthly(now, self.env.company.ids)
        sent = Sending.search([("purpose", "=", "requested")])
        self.assertEqual(sent.partner_id, self.dora | segment_customer)
        self.assertEqual(result["sent"], 2)
        self.assertIn(refused.display_name, result["not_sent"])
        self.assertNotIn(silent, sent.partner_id)
        # a second run in the month sends nothing more
        with self.noon():
            again = Statement._cron_send_monthly(now, self.env.company.ids)
        self.assertEqual(again["sent"], 0)
        self.assertEqual(Sending.search_count([("purpose", "=", "requested")]), 2)
