import re

from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged

from ..models.payment_link import short_link
from .test_statement import StatementPortfolio

REPORT = "collections_automation.action_report_dunning_letter"


@tagged("post_install", "-at_install")
class TestLetter(StatementPortfolio):
    """A printable dunning letter per journey step, in the customer's
    language; the journey's last step's is the final notice before legal
    action, and is attached to that step's email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second = cls.env.ref("collections_automation.letter_standard_second")
        cls.final = cls.env.ref("collections_automation.letter_standard_final")

    def render(self, letter, partner=None):
        html = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, (partner or self.dora).ids, data={"letter_id": letter.id}
        )[0]
        return lxml_html.fromstring(html)

    @staticmethod
    def text(tree):
        return " ".join(tree.text_content().replace("\xa0", " ").split())

    def test_letter_renders_the_step_text_and_the_overdue_invoices(self):
        self.second.body = "<p>Please settle the invoices below, Dora.</p>"
        tree = self.render(self.second)
        text = self.text(tree)
        self.assertIn("Please settle the invoices below, Dora.", text)
        self.assertIn(self.second.name, text)
        self.assertNotIn("Final notice before legal action", text)
        # the overdue invoices, per currency; not the one not yet due
        self.assertIn(self.old.name, text)
        self.assertIn(self.eur_one.name, text)
        self.assertNotRegex(text, rf"\b{re.escape(self.later.name)}\b")
        tables = tree.xpath("//table[@data-currency]")
        self.assertEqual({t.get("data-currency") for t in tables}, {"USD", "EUR"})
        self.assertIn(self.statement()["date_text"], text)
        self.assertNotIn(self.today.isoformat(), text)

    def test_the_letter_table_adds_up_to_what_is_overdue(self):
        """USD: the invoice of 700 past due, less the credit note (200) and
        the payment (150) that settle it: the table lists the three and
        adds up to the 350 overdue; an invoice in two halves, one not yet
        due, counts its half past due only."""
        halves = self.make_invoice(
            self.dora, 1000, invoice_in=-10, term=self.two_installments
        )
        values = self.env["collection.letter"]._values(self.second, self.dora)
        sections = {s["currency"].name: s for s in values["statement"]["sections"]}
        for name, section in sections.items():
            with self.subTest(currency=name):
                self.assertAlmostEqual(
                    sum(line["past_due"] for line in section["overdue_lines"]),
                    section["overdue"],
                    2,
                )
        usd = {
            line["move"]: line["past_due"] for line in sections["USD"]["overdue_lines"]
        }
        self.assertEqual(
            usd,
            {
                self.old: 700,
                halves: 500,
                self.refund: -200,
                self.payment.move_id: -150,
            },
        )
        self.assertEqual(sections["USD"]["overdue"], 850)
        text = self.text(self.render(self.second))
        self.assertIn(self.refund.name, text)
        self.assertIn("Credit note", text)

    def test_last_step_is_the_final_notice(self):
        self.assertTrue(self.final.final_notice)
        self.assertFalse(self.second.final_notice)
        tree = self.render(self.final)
        self.assertTrue(tree.xpath("//*[contains(@class, 'o_letter_final')]"))
        self.assertIn("Final notice before legal action", self.text(tree))

    def test_letter_in_the_customer_language(self):
        self.env.ref("base.lang_es").active = True
        self.second.with_context(lang="es_ES").body = "<p>Estimado cliente, pague.</p>"
        self.dora.lang = "es_ES"
        text = self.text(self.render(self.second))
        self.assertIn("Estimado cliente, pague.", text)
        self.assertIn(" de ", self.statement()["date_text"])

    def test_printed_from_the_customer(self):
        wizard = (
            self.env["collection.print.letter"]
            .with_context(active_model="res.partner", active_ids=self.dora.ids)
            .create({"letter_id": self.final.id})
        )
        action = wizard.action_print()
        self.assertEqual(
            action["report_name"], "collections_automation.report_dunning_letter"
        )
        self.assertEqual(action["data"]["letter_id"], self.final.id)
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, self.dora.ids, data={"letter_id": self.final.id})[
                0
            ]
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_attached_to_the_step_email_when_the_letter_says_so(self):
        step = self.final.step_id
        message = self.env["collection.message"].create(
            {
                "partner_id": self.dora.id,
                "company_id": self.env.company.id,
                "kind": "journey",
                "step_id": step.id,
                "channel": "email",
                "state": "queued",
                "idempotency_key": "letter-test",
                "body": "Please pay.",
            }
        )
        Letter = self.env["collection.letter"]
        [(name, content)] = Letter._attachments_for(message)
        self.assertIn(self.final.name, name)
        self.assertIn(b"Final notice before legal action", content)
        message._send_email()
        sent = self.dora.message_ids.filtered(
            lambda m: self.final.name in " ".join(m.attachment_ids.mapped("name"))
        )
        self.assertEqual(len(sent), 1)
        # a letter that does not ask for it stays out of the email
        self.final.attach_to_email = False
        self.assertEqual(Letter._attachments_for(message), [])


@tagged("post_install", "-at_install")
class TestLetterOnPaper(StatementPortfolio, HttpCase):
    """A letter is read on paper: it greets the customer by name and prints
    a link short enough to type, with its QR code, that opens the payment
    page of what is overdue the day it is opened."""

    def letter_values(self):
        letter = self.env.ref("collections_automation.letter_standard_second")
        values = self.env["collection.letter"]._values(letter, self.dora)
        return letter, {s["currency"].name: s for s in values["statement"]["sections"]}

    def test_greets_by_name_and_prints_a_short_link_with_its_qr_code(self):
        letter, sections = self.letter_values()
        html = self.env["ir.actions.report"]._render_qweb_html(
            REPORT, self.dora.ids, data={"letter_id": letter.id}
        )[0]
        tree = lxml_html.fromstring(html)
        text = " ".join(tree.text_content().replace("\xa0", " ").split())
        self.assertIn("Dear Dora Two,", text)
        self.assertNotIn("Dear customer", text)
        for name in ("USD", "EUR"):
            short = sections[name]["short_link"]
            self.assertIn(short, text)
            self.assertNotIn("access_token", short)
            self.assertLess(len(short.removeprefix(self.base_url())), 50)
            self.assertNotIn(sections[name]["link"], text)
        codes = tree.xpath("//*[contains(@class, 'o_letter_link')]//img/@src")
        self.assertEqual(len(codes), 2)
        self.assertTrue(all(src.startswith("data:image/png;base64,") for src in codes))

    def test_the_short_link_opens_today_payment_page_for_anybody(self):
        _letter, sections = self.letter_values()
        path = sections["EUR"]["short_link"].removeprefix(self.base_url())
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        debtor = self.env["collection.statement"]._debtor(self.dora, self.env.company)
        [eur_link] = [
            url
            for currency, _amount, url in debtor._payment_links_by_currency()
            if currency == self.eur
        ]
        self.assertEqual(response.headers["Location"], eur_link)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("/payment/pay", page.url)
        # a forged or altered link opens nothing
        forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
        self.assertEqual(self.url_open(forged).status_code, 404)
        other = path.replace(f"/{debtor.id}/", f"/{debtor.id + 1}/")
        self.assertEqual(self.url_open(other).status_code, 404)

    def test_the_short_link_of_a_currency_paid_thanks_the_customer(self):
        debtor = self.env["collection.statement"]._debtor(self.dora, self.env.company)
        mxn = self.setup_other_currency("MXN", rates=[("2000-01-01", 20.0)])
        path = short_link(debtor, mxn).removeprefix(self.base_url())
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Nothing is left to pay on this account", page.text)
        self.assertNotIn("Traceback", page.text)

    def test_the_short_link_of_another_company_pays_that_company_only(self):
        """Dora owes in a second company too (an invoice of 640 there): the
        letter of that company's customer record opens that company's
        payment page for its 640, never what she owes the first company,
        and its link does not open the other record's page."""
        other = self.setup_other_company(name="Collections Second Co")["company"]
        invoice = self.make_invoice(self.dora, 640, -30, company=other)
        Debtor = self.env["collection.debtor"]
        Debtor._refresh(partner_ids=self.dora.ids, company_ids=other.ids)
        debtor = Debtor.search(
            [("partner_id", "=", self.dora.id), ("company_id", "=", other.id)]
        )
        first = self.env["collection.statement"]._debtor(self.dora, self.env.company)
        self.assertTrue(debtor)
        self.assertNotEqual(debtor, first)
        path = short_link(debtor, invoice.currency_id).removeprefix(self.base_url())
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        self.assertIn("/payment/pay", location)
        self.assertIn(f"company_id={other.id}", location)
        self.assertIn("amount=640.0", location)
        self.assertIn(f"collection_debtor_id={debtor.id}", location)
        # the first company's record, with the second one's token: nothing
        swapped = path.replace(f"/{debtor.id}/", f"/{first.id}/")
        self.assertEqual(self.url_open(swapped).status_code, 404)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("640.00", page.text)
        self.assertNotIn("Traceback", page.text)
