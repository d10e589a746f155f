from datetime import datetime, time
from unittest.mock import patch

from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPlanRenderOnce(CollectionsCommon):
    """The planning renders a row before inserting it, so that each row is
    written once with its text, and never renders a row already planned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ana Ruiz",
                "email": "ana@example.com",
                "mobile": "+34 612 345 679",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_consent_sms": True,
            }
        )
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.invoice = cls.make_invoice(cls.customer, 800, due_in=-3)

    def plan(self):
        self.env["collection.debtor"]._refresh(
            self.now.date(), company_ids=self.env.company.ids
        )
        return self.Message._plan(self.now, company_ids=self.env.company.ids)

    def planned(self):
        return self.Message.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "planned")]
        )

    def test_row_inserted_with_its_text_and_not_written_again(self):
        Render = type(self.Message)
        written, rendered = [], []
        write_columns, render_unsaved = Render._write_columns, Render._render_unsaved

        def spy_write(records, columns):
            written.extend(records.ids)
            return write_columns(records, columns)

        def spy_render(records, oldest):
            rendered.extend(records.ids)
            return render_unsaved(records, oldest)

        with (
            patch.object(Render, "_write_columns", spy_write),
            patch.object(Render, "_render_unsaved", spy_render),
        ):
            self.assertEqual(self.plan(), 1)
            message = self.planned()
            self.assertEqual(rendered, message.ids)
            self.assertNotIn(message.id, written, "inserted with its text")
            self.env.invalidate_all()
            self.assertIn("is overdue", message.body)
            self.assertIn(self.invoice.access_token, message.payment_url)
            self.assertEqual(message.invoice_ids, self.invoice)
            # the same day again: already planned, neither inserted nor rendered
            rendered.clear()
            self.assertEqual(self.plan(), 0)
            self.assertEqual(rendered, [])
            self.assertEqual(self.planned(), message)

    def test_a_failing_template_still_fails_its_row_once_inserted(self):
        template = self.env.ref("collections_automation.template_overdue_sms")
        template.body = "{{ object.no_such_field }}"
        template.flush_recordset()
        self.assertEqual(self.plan(), 1)
        row = self.Message.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(row.state, "failed")
        self.assertIn("could not be rendered", row.error)
        self.assertFalse(row.body)

    def _plan_with_failing(self, failing_xmlid):
        """Ana gets an SMS, Bruno (no mobile) an email; ``failing_xmlid``'s
        template fails. Whichever renders first, the other row is rendered."""
        bruno = self.env["res.partner"].create(
            {
                "name": "Bruno Díaz",
                "email": "bruno@example.com",
                "country_id": self.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
            }
        )
        self.make_invoice(bruno, 500, due_in=-3)
        template = self.env.ref(failing_xmlid)
        template.body = "{{ object.no_such_field }}"
        template.flush_recordset()
        self.assertEqual(self.plan(), 2)
        rows = self.Message.search([("partner_id", "in", (self.customer | bruno).ids)])
        return {row.channel: row for row in rows}

    def test_a_failing_sms_template_leaves_the_email_rendered(self):
        rows = self._plan_with_failing("collections_automation.template_overdue_sms")
        self.assertEqual(rows["sms"].state, "failed")
        self.assertEqual(rows["email"].state, "planned")
        self.assertTrue(rows["email"].payment_url)
        self.assertIn(rows["email"].payment_url, rows["email"].body)

    def test_a_failing_email_template_leaves_the_sms_rendered(self):
        rows = self._plan_with_failing("collections_automation.template_overdue_email")
        self.assertEqual(rows["email"].state, "failed")
        self.assertEqual(rows["sms"].state, "planned")
        self.assertTrue(rows["sms"].payment_url)
        self.assertIn(rows["sms"].payment_url, rows["sms"].body)
