from lxml import html as lxml_html

from odoo.tests import tagged

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
        self.assertNotIn(self.later.name, text)
        tables = tree.xpath("//table[@data-currency]")
        self.assertEqual({t.get("data-currency") for t in tables}, {"USD", "EUR"})
        self.assertIn(self.statement()["date_text"], text)
        self.assertNotIn(self.today.isoformat(), text)

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
