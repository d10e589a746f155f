from datetime import datetime, time, timedelta

from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestReminderContent(CollectionsCommon):
    """What an email reminder says, to whom and from whom: the invoices it is
    about, their PDFs, the customer's invoicing contact, the company as
    author; rendered when planned, rendered again when the figures moved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.company = cls.env.company
        cls.company.email = "billing@company.example.com"
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Nordwind Traders",
                "is_company": True,
                "email": "info@nordwind.example.com",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_preferred_channel": "email",
            }
        )
        cls.accounts = cls.env["res.partner"].create(
            {
                "name": "Nordwind Accounts Payable",
                "type": "invoice",
                "parent_id": cls.customer.id,
                "email": "ap@nordwind.example.com",
            }
        )
        # 10:00 UTC, inside the default contact hours in Madrid
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.late = cls.make_invoice(cls.customer, 450, due_in=-10)
        cls.recent = cls.make_invoice(cls.customer, 800, due_in=-3)
        cls.journey = cls.env.ref("collections_automation.journey_standard")
        cls._init_mail_gateway()  # a catchall address, as in production

    def plan(self, now=None):
        now = now or self.now
        self.env["collection.debtor"]._refresh(now.date(), company_ids=self.company.ids)
        self.Message._plan(now, company_ids=self.company.ids)
        return self.Message.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "planned")]
        )

    def sent_email(self):
        """The one email that left through the mail gateway."""
        self.assertEqual(len(self._mails), 1, [m["email_to"] for m in self._mails])
        return self._mails[0]

    def test_planned_row_reads_as_it_will_be_sent(self):
        row = self.plan()
        self.assertEqual((len(row), row.channel), (1, "email"))
        self.assertIn("1,250.00", row.body, "the overdue figure, right after planning")
        self.assertIn(self.late.get_portal_url(), row.body)
        preview = str(row.email_preview)
        for invoice in self.late | self.recent:
            self.assertIn(invoice.name, preview)
        self.assertIn("Your open invoices", preview)
        self.assertFalse(self._mails, "nothing sent at planning")

    def test_a_name_with_quotes_and_backslashes_reads_as_written(self):
        # the rendered texts go to the rows in one statement (an array
        # literal, tools/pg_array.py): what a person reads is the name
        name = 'Nordwind "Traders" O\'Brien \\ {Ñandú, 中文} NULL'
        self.customer.name = name
        row = self.plan()
        self.assertEqual(len(row), 1)
        self.assertTrue(row.body.startswith(f"Hello {name},"), row.body[:80])

    def test_review_rows_are_rendered_too(self):
        self.env.ref("collections_automation.journey_standard").review_first = True
        self.plan()
        row = self.Message.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "review")]
        )
        self.assertTrue(row.body)
        self.assertIn(self.late.name, str(row.email_preview))

    def test_email_lists_the_invoices_and_carries_their_pdfs(self):
        self.journey.step_ids.attach_invoices = True
        row = self.plan()
        self.Message._dispatch(now=self.now)
        self.assertEqual(row.state, "sent", row.error)
        email = self.sent_email()
        body = email["body"]
        for invoice in self.late | self.recent:
            self.assertIn(invoice.name, body)
        # amount, amount left and the totals, as the customer reads them
        self.assertIn("450.00", body)
        self.assertIn("800.00", body)
        self.assertIn("1,250.00", body)
        self.assertIn("10", body)
        self.assertIn(row.payment_url, body)
        names = sorted(name for name, _content, _mime in email["attachments"])
        self.assertEqual(
            names,
            sorted(m._get_invoice_report_filename() for m in self.late | self.recent),
        )
        self.assertIn("The invoices are attached", body)
        self.assertEqual(row.email_html, row.email_preview)

    def test_no_pdf_unless_the_step_asks(self):
        self.plan()
        self.Message._dispatch(now=self.now)
        self.assertFalse(self.sent_email()["attachments"])

    def test_invoicing_contact_receives_it_from_the_company(self):
        row = self.plan()
        self.Message._dispatch(now=self.now)
        email = self.sent_email()
        self.assertEqual(
            email["email_to"], ['"Nordwind Accounts Payable" <ap@nordwind.example.com>']
        )
        self.assertEqual(row.recipient, "ap@nordwind.example.com")
        self.assertIn("billing@company.example.com", email["email_from"])
        message = self.env["mail.message"].browse(int(row.provider_ref))
        self.assertEqual(message.author_id, self.company.partner_id)
        self.assertNotEqual(message.author_id, self.env.ref("base.partner_root"))
        self.assertEqual(
            (message.model, message.res_id), ("res.partner", self.customer.id)
        )
        # answers come back to the customer's chatter, through the catchall
        catchall = f"{self.alias_catchall}@{self.alias_domain}"
        self.assertIn(catchall, message.reply_to)
        self.assertEqual(email["reply_to"], message.reply_to)
        reply = (
            "From: Nordwind Accounts Payable <ap@nordwind.example.com>\r\n"
            f"To: {catchall}\r\n"
            f"Subject: Re: {row.subject}\r\n"
            "Message-ID: <which-invoices@nordwind.example.com>\r\n"
            f"In-Reply-To: {message.message_id}\r\n"
            f"References: {message.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "We paid the 450 last week, please check.\r\n"
        )
        self.env["mail.thread"].message_process(None, reply)
        answer = self.customer.message_ids.filtered(
            lambda m: "We paid the 450 last week" in m.body
        )
        self.assertEqual(answer.author_id, self.accounts)
        self.assertEqual(row.state, "replied")

    def test_followers_of_the_customer_get_no_copy(self):
        """The salesperson follows the customer and gets the chatter's
        discussions by email: the reminder goes to the invoicing contact
        only, and stays in the chatter for the salesperson to read."""
        salesperson = new_test_user(
            self.env,
            "sales_follower",
            "base.group_user",
            email="sales@company.example.com",
        )
        salesperson.notification_type = "email"
        self.customer.message_subscribe(partner_ids=salesperson.partner_id.ids)
        row = self.plan()
        self.Message._dispatch(now=self.now)
        email = self.sent_email()
        self.assertEqual(
            email["email_to"], ['"Nordwind Accounts Payable" <ap@nordwind.example.com>']
        )
        message = self.env["mail.message"].browse(int(row.provider_ref))
        self.assertIn(message, self.customer.message_ids)
        self.assertNotIn(
            salesperson.partner_id, message.notification_ids.res_partner_id
        )
        # other discussions on the customer still reach the follower
        self.customer.message_post(
            body="Call me", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertIn(
            "sales@company.example.com",
            " ".join(str(m["email_to"]) for m in self._mails),
        )

    def test_collections_contact_overrides(self):
        person = self.env["res.partner"].create(
            {
                "name": "Ana Ruiz",
                "parent_id": self.customer.id,
                "email": "ana.ruiz@nordwind.example.com",
            }
        )
        self.customer.collection_contact_id = person
        row = self.plan()
        self.Message._dispatch(now=self.now)
        self.assertEqual(row.recipient, "ana.ruiz@nordwind.example.com")
        self.assertIn("ana.ruiz@nordwind.example.com", self.sent_email()["email_to"][0])

    def test_customer_itself_without_invoicing_contact(self):
        self.accounts.active = False
        row = self.plan()
        self.Message._dispatch(now=self.now)
        self.assertEqual(row.recipient, "info@nordwind.example.com")

    def test_moved_figures_are_rendered_again_at_sending(self):
        row = self.plan()
        self.assertIn("1,250.00", row.body)
        self.pay(self.late, 450)
        self.Message._dispatch(now=self.now + timedelta(minutes=5))
        self.assertEqual(row.state, "sent", row.error)
        self.assertAlmostEqual(row.amount_due, 800)
        self.assertNotIn("1,250.00", row.body)
        self.assertIn("800.00", row.body)
        body = self.sent_email()["body"]
        self.assertNotIn(self.late.name, body, "paid: no longer listed")
        self.assertIn(self.recent.name, body)

    def test_unmoved_row_keeps_what_the_reviewer_read(self):
        row = self.plan()
        row.body = row.body + "\nWe are here to help."
        self.Message._dispatch(now=self.now)
        self.assertIn("We are here to help.", self.sent_email()["body"])
