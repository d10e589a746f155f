from datetime import datetime, time

from lxml import html as lxml_html

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import format_amount

from .common import CollectionsCommon


class AmountsPortfolio(CollectionsCommon):
    """Customers with partial payments, an installment not yet due, unapplied
    credit notes and an unapplied payment, whose figures every place that
    states an amount must agree on.

    Ana owes, 12 days after her oldest due date:

    =====================================  ========  =========
    item                                   open      overdue
    =====================================  ========  =========
    invoice of 1,000 due 12 days ago,      700       700
    300 paid
    invoice of 1,200 in two installments:  600       600
    600 due 5 days ago
    ... and 600 due in 25 days             600       (not due)
    invoice of 500 due in 5 days           500       (not due)
    credit note, unapplied (due in 30 d.)  -240
    payment, unapplied (today)             -100
    =====================================  ========  =========

    Total due 2,060; overdue 1,300 - 340 = 960 (the credits settle the oldest
    item first: 360 of the 700 stay overdue). Summing the open invoices gives
    2,400, the overdue items alone 1,300: the amounts customers were told.
    """

    TOTAL_DUE = 2060.0
    OVERDUE = 960.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.ana = cls.customer_named("Ana Amounts")
        cls.oldest = cls.make_invoice(cls.ana, 1000, due_in=-12)
        cls.pay(cls.oldest, 300, date=cls.days(-3))
        cls.split = cls.make_invoice(
            cls.ana, 1200, invoice_in=-5, term=cls.two_installments
        )
        cls.not_due = cls.make_invoice(cls.ana, 500, due_in=5)
        cls.make_refund(cls.ana, 240, due_in=30)
        cls.make_payment(cls.ana, 100)
        # Beto's credit note covers everything he owes
        cls.beto = cls.customer_named("Beto Covered")
        cls.beto_invoice = cls.make_invoice(cls.beto, 500, due_in=-12)
        cls.make_refund(cls.beto, 600, due_in=30)
        # Carla's credit covers what is overdue, not what falls due later
        cls.carla = cls.customer_named("Carla Ahead")
        cls.make_invoice(cls.carla, 400, due_in=-12)
        cls.make_invoice(cls.carla, 300, due_in=10)
        cls.make_refund(cls.carla, 400, due_in=30)

    @classmethod
    def customer_named(cls, name):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_consent_email": True,
            }
        )

    @classmethod
    def make_refund(cls, partner, amount, due_in=0):
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "invoice_date": cls.today,
                "invoice_date_due": cls.days(due_in),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Credit",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        return refund

    @classmethod
    def make_payment(cls, partner, amount):
        """A customer payment received and left unapplied."""
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": cls.today,
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def refresh(self):
        return self.env["collection.debtor"]._refresh(
            self.today, company_ids=self.env.company.ids
        )

    def money(self, amount):
        """An amount as the customer reads it (Odoo's own formatting)."""
        return format_amount(self.env, amount, self.env.company.currency_id)

    def assert_states_figures(self, text, where):
        """``text`` states Ana's overdue amount and total due, and none of the
        amounts she used to be told."""
        text = " ".join(text.replace("\xa0", " ").split())
        money = lambda amount: self.money(amount).replace("\xa0", " ")  # noqa: E731
        self.assertIn(money(self.OVERDUE), text, where)
        for wrong in (2400, 1300, 1700, 700, 360):
            self.assertNotIn(money(wrong), text, where)

    def debtor(self, partner):
        return self.env["collection.debtor"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        )

    def reminder(self):
        """Plan and send today's reminders; Ana's sent row."""
        Message = self.env["collection.message"]
        Message._plan(self.now, company_ids=self.env.company.ids)
        Message._dispatch(now=self.now)
        return Message.search(
            [("partner_id", "=", self.ana.id), ("state", "=", "sent")]
        )

    @staticmethod
    def by_class(tree, name):
        return tree.xpath(
            f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        )

    @staticmethod
    def text_of(node):
        return " ".join(node.text_content().replace("\xa0", " ").split())

    def page_text(self, response, name):
        found = self.by_class(lxml_html.fromstring(response.content), name)
        self.assertTrue(found, f"{name} on {response.url}")
        return self.text_of(found[0])


@tagged("post_install", "-at_install")
class TestAmounts(AmountsPortfolio, HttpCase):
    def test_customer_and_invoice_figures(self):
        self.refresh()
        ana = self.debtor(self.ana)
        self.assertAlmostEqual(ana.total_due, self.TOTAL_DUE)
        self.assertAlmostEqual(ana.total_overdue, self.OVERDUE)
        self.assertEqual(ana.oldest_due_date, self.days(-12))
        self.assertEqual(ana.open_invoice_count, 3)
        # the aging applies the credits to the oldest invoice
        self.assertAlmostEqual(self.oldest.collection_amount_overdue, 700 - 340)
        self.assertAlmostEqual(self.split.collection_amount_overdue, 600)
        self.assertEqual(self.split.collection_due_date, self.days(-5))
        self.assertEqual(self.not_due.collection_amount_overdue, 0)
        invoices = self.env["collection.invoice"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.assertAlmostEqual(sum(invoices.mapped("amount_overdue")), self.OVERDUE)

        beto = self.debtor(self.beto)
        self.assertAlmostEqual(beto.total_due, -100)
        self.assertEqual(beto.total_overdue, 0)
        self.assertFalse(beto.oldest_due_date)
        self.assertFalse(beto.worst_bucket_id)
        self.assertEqual(self.beto_invoice.collection_amount_overdue, 0)
        self.assertFalse(self.beto_invoice.collection_bucket_id, "not in the aging")

        carla = self.debtor(self.carla)
        self.assertAlmostEqual(carla.total_due, 300)
        self.assertEqual(carla.total_overdue, 0)
        self.assertEqual(carla.oldest_due_date, self.days(10))
        # a full refresh finds nothing to fix after the instant ones
        self.assertEqual(self.refresh()["debtors"], 0)

    def test_applying_the_credit_changes_nothing(self):
        """Reconciling the credit note with the oldest invoice is what the
        figures already assumed."""
        self.refresh()
        before = self.debtor(self.ana).read(["total_due", "total_overdue"])[0]
        refund = self.env["account.move"].search(
            [("partner_id", "=", self.ana.id), ("move_type", "=", "out_refund")]
        )
        lines = (self.oldest | refund).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        lines.reconcile()
        self.assertAlmostEqual(self.oldest.amount_residual, 700 - 240)
        after = self.debtor(self.ana).read(["total_due", "total_overdue"])[0]
        self.assertEqual(before, after)

    def test_journey_keeps_overdue_after_credits_and_drops_the_covered(self):
        self.refresh()
        sent = self.reminder()
        self.assertEqual(len(sent), 1)
        Message = self.env["collection.message"]
        self.assertFalse(Message.search([("partner_id", "=", self.beto.id)]))
        self.assertFalse(
            Message.search([("partner_id", "=", self.carla.id)]),
            "nothing overdue after credits, nothing falling due in 3 days",
        )

    def test_reminder_and_payment_page_state_the_same_amounts(self):
        self.refresh()
        sent = self.reminder()
        self.assertEqual(sent.step_id.offset_days, 10)
        self.assertEqual(sent.channel, "email")
        # the reminder as the customer reads it
        self.assert_states_figures(sent.body, "reminder")
        body = " ".join(sent.body.replace("\xa0", " ").split())
        self.assertIn(
            f"We have not yet received {self.money(self.OVERDUE)}, which is now "
            f"overdue (your whole balance, including amounts not yet due, is "
            f"{self.money(self.TOTAL_DUE)})".replace("\xa0", " "),
            body,
        )
        self.assertAlmostEqual(sent.amount_due, self.OVERDUE)
        # the link of the reminder, opened as the customer opens it
        self.assertTrue(sent.payment_url)
        self.assertIn(sent.payment_url, sent.body)
        page = self.url_open(sent.payment_url)
        self.assertEqual(page.status_code, 200)
        overdue = self.page_text(page, "o_collections_overdue")
        due = self.page_text(page, "o_collections_due")
        self.assertEqual(overdue, self.money(self.OVERDUE).replace("\xa0", " "))
        self.assertEqual(due, self.money(self.TOTAL_DUE).replace("\xa0", " "))
        pay = self.by_class(lxml_html.fromstring(page.content), "o_collections_pay")
        self.assertIn(
            self.money(self.OVERDUE).replace("\xa0", " "), self.text_of(pay[0])
        )
        # the payment form asks for the overdue amount, no other
        form = self.url_open(pay[0].get("href"))
        self.assertEqual(form.status_code, 200)
        tree = lxml_html.fromstring(form.content)
        amounts = {
            self.text_of(node) for node in self.by_class(tree, "oe_currency_value")
        }
        self.assertEqual(amounts, {"960.00"})

    def test_payment_link_refuses_a_changed_amount(self):
        self.refresh()
        link = self.debtor(self.ana)._payment_link()
        self.assertEqual(self.url_open(link).status_code, 200)
        tampered = link.replace("amount=960.0", "amount=9.6")
        self.assertNotEqual(tampered, link)
        self.assertEqual(self.url_open(tampered).status_code, 404)

    def test_invoice_on_hold_is_left_out_of_what_is_asked(self):
        self.refresh()
        self.split.collection_hold = "dispute"
        ana = self.debtor(self.ana)
        ana.invalidate_recordset(["stated_overdue", "stated_due"])
        self.assertAlmostEqual(ana.stated_overdue, self.OVERDUE - 600)
        self.assertAlmostEqual(ana.stated_due, self.TOTAL_DUE - 1200)
        self.assertAlmostEqual(ana.total_overdue, self.OVERDUE, "still owed")
