"""Payment links in a second company, from the customer's seat.

Company A (the test company, in USD) and company B (in EUR), each with its
own Demo payment provider, and a customer they share: Pia owes A in USD
(``TestPaymentLinks``' invoices) and B in EUR and in USD. Each company's
link asks for and takes its own company's debt, in its currency, and
leaves the other company's untouched, even where ids, currencies and the
customer are the same.
"""

import json

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.payment_link import short_link
from .test_payment_links import PaymentLinksCommon


@tagged("post_install", "-at_install")
class TestPaymentLinksCompanies(PaymentLinksCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.9)])
        cls.company_a = cls.company
        cls.company_a.name = "Alpha Collections Inc"
        cls.company_b = cls.setup_other_company(
            name="Beta Cobros SL", currency_id=cls.eur.id
        )["company"]
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.providers.search([("company_id", "=", cls.company_b.id)]).state = "disabled"
        cls.provider_b = demo.copy(
            {
                "company_id": cls.company_b.id,
                "state": "test",
                "is_published": True,
                "payment_method_ids": demo.payment_method_ids.ids,
            }
        )
        # company B: 700 + 450 EUR overdue, 200 EUR not yet due, and 250 USD
        # overdue (the currency A's debt is in)
        cls.b_old = cls.make_invoice(cls.pia, 700, due_in=-30, company=cls.company_b)
        cls.b_new = cls.make_invoice(cls.pia, 450, due_in=-5, company=cls.company_b)
        cls.b_later = cls.make_invoice(cls.pia, 200, due_in=20, company=cls.company_b)
        cls.b_usd = cls.make_invoice(
            cls.pia, 250, due_in=-7, company=cls.company_b, currency=cls.usd
        )
        cls.a_invoices = cls.older | cls.newer | cls.later
        cls.b_invoices = cls.b_old | cls.b_new | cls.b_later | cls.b_usd
        cls.debtor_a = cls.debtor
        cls.refresh()

    # === Helpers === #
    @classmethod
    def refresh(cls):
        Debtor = cls.env["collection.debtor"]
        Debtor._refresh(cls.today, partner_ids=cls.pia.ids)
        cls.debtor_b = Debtor.search(
            [("partner_id", "=", cls.pia.id), ("company_id", "=", cls.company_b.id)]
        )

    def register_payment(self, invoice, amount):
        """A payment registered by hand in the invoice's company."""
        wizard = (
            self.env["account.payment.register"]
            .with_company(invoice.company_id)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": self.today})
        )
        return wizard._create_payments()

    def residuals(self, invoices):
        return [invoice.amount_residual for invoice in invoices]

    def assert_a_untouched(self):
        self.assertEqual(self.residuals(self.a_invoices), [400.0, 600.0, 500.0])
        self.assertEqual(self.amount_of(self.debtor_a._payment_link()), 1000.0)
        self.assertEqual(
            [
                (currency, amount)
                for currency, amount, _url in self.debtor_a._payment_links_by_currency()
            ],
            [(self.usd, 1000.0)],
            "A asks its own debt only",
        )

    def b_link(self, currency=None):
        return self.debtor_b._payment_link(currency=currency or self.eur)

    def offered_providers(self, form):
        return {
            int(option.get("data-provider-id"))
            for option in form.xpath("//input[@name='o_payment_radio']")
        }

    def transaction_payload(self, form, provider, amount=None):
        return {
            "provider_id": provider.id,
            "payment_method_id": self.method.id,
            "token_id": None,
            "amount": float(amount or form.get("data-amount")),
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": form.get("data-landing-route"),
            "is_validation": False,
            "access_token": form.get("data-access-token"),
        }

    def refused(self, route, params):
        """Call the transaction route as the page's JavaScript does, refused:
        the error's message the page shows."""
        payload = {"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
        with mute_logger("odoo.http"):
            response = self.url_open(
                route,
                json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        answer = response.json()
        self.assertIn("error", answer, "refused")
        self.assertNotIn("Traceback", answer["error"]["data"]["message"])
        return answer["error"]["data"]["message"]

    def transactions(self):
        return self.env["payment.transaction"].search(
            [("partner_id", "=", self.pia.id)]
        )

    # === Tests === #
    def test_b_link_pays_b_invoices_in_its_currency(self):
        self.assertEqual(
            [
                (currency, amount)
                for currency, amount, _url in self.debtor_b._payment_links_by_currency()
            ],
            [(self.eur, 1150.0), (self.usd, 250.0)],
        )
        link = self.b_link()
        self.assertEqual(self.amount_of(link), 1150.0, "700 + 450 overdue")
        page, tree, form = self.open_link(link)
        self.assertEqual(float(form.get("data-amount")), 1150.0)
        self.assertEqual(int(form.get("data-currency-id")), self.eur.id)
        self.assertEqual(int(form.get("data-partner-id")), self.pia.id)
        self.assertIn("Logo of Beta Cobros SL", page.text)
        self.assertNotIn("Alpha Collections", page.text)
        self.assertIn("€", tree.xpath("string(//*[@id='o_payment_summary_amount'])"))
        self.assertEqual(
            self.offered_providers(form), {self.provider_b.id}, "B's provider only"
        )
        tx = self.pay(link, provider=self.provider_b)
        self.assertEqual(tx.amount, 1150.0)
        self.assertEqual(tx.currency_id, self.eur)
        self.assertEqual(tx.company_id, self.company_b)
        self.assertEqual(tx.invoice_ids, self.b_old | self.b_new)
        self.assertEqual(tx.payment_id.company_id, self.company_b)
        self.assertEqual(tx.payment_id.currency_id, self.eur)
        self.assertEqual(self.residuals(self.b_invoices), [0.0, 0.0, 200.0, 250.0])
        self.assert_a_untouched()
        # used: the link asks nothing more
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form)
        paid, _processing = self.notes(tree)
        self.assertIn("This link is paid", paid)

    def test_the_same_currency_in_both_companies_stays_apart(self):
        """USD in A and in B for the same customer: each company's USD link
        takes its own invoices only."""
        link_a = self.debtor_a._payment_link()
        link_b = self.b_link(self.usd)
        self.assertEqual(self.amount_of(link_b), 250.0)
        page, _tree, form = self.open_link(link_a)
        self.assertEqual(float(form.get("data-amount")), 1000.0)
        self.assertIn("Logo of Alpha Collections Inc", page.text)
        self.assertNotIn("Beta Cobros", page.text)
        self.assertEqual(self.offered_providers(form), {self.provider.id})
        tx = self.pay(link_a)
        self.assertEqual(tx.company_id, self.company_a)
        self.assertEqual(tx.invoice_ids, self.older | self.newer)
        self.assertEqual(self.residuals(self.b_invoices), [700.0, 450.0, 200.0, 250.0])
        # B's USD link is whole, and pays B's USD invoice alone
        page, _tree, form = self.open_link(link_b)
        self.assertEqual(float(form.get("data-amount")), 250.0)
        self.assertIn("Logo of Beta Cobros SL", page.text)
        tx = self.pay(link_b, provider=self.provider_b)
        self.assertEqual(tx.invoice_ids, self.b_usd)
        self.assertEqual(tx.payment_id.company_id, self.company_b)
        self.assertEqual(self.residuals(self.b_invoices), [700.0, 450.0, 200.0, 0.0])
        self.assertEqual(self.residuals(self.a_invoices), [0.0, 0.0, 500.0])

    def test_a_payment_under_way_in_one_company_is_not_taken_off_the_other(self):
        tx = self.pay(self.debtor_a._payment_link(), simulated_state="pending")
        self.assertEqual(tx.state, "pending")
        _page, tree, form = self.open_link(self.b_link(self.usd))
        self.assertEqual(float(form.get("data-amount")), 250.0)
        self.assertEqual(self.notes(tree), ("", ""))

    def test_a_link_refuses_the_other_company_provider(self):
        """The transaction route takes the link's company's providers only: a
        request naming A's provider on B's link is refused, nothing paid."""
        _page, _tree, form = self.open_link(self.b_link())
        message = self.refused(
            form.get("data-transaction-route"),
            self.transaction_payload(form, self.provider),
        )
        self.assertIn("cannot be used to pay this link", message)
        self.assertFalse(self.transactions(), "no payment booked in A")
        # B's own provider pays B
        tx = self.pay(self.b_link(), provider=self.provider_b)
        self.assertEqual(tx.payment_id.company_id, self.company_b)
        self.assertEqual(self.residuals(self.b_invoices), [0.0, 0.0, 200.0, 250.0])

    def test_a_company_without_payment_provider_says_so(self):
        self.provider_b.state = "disabled"
        page, tree, form = self.open_link(self.b_link())
        self.assertNotIn("Traceback", page.text)
        self.assertIn("No payment method available", page.text)
        self.assertFalse(form is not None and self.offered_providers(form))
        # A still pays with its own
        _page, _tree, form = self.open_link(self.debtor_a._payment_link())
        self.assertEqual(self.offered_providers(form), {self.provider.id})

    def test_changed_links_are_refused_in_words(self):
        link = self.b_link()
        swaps = {
            "the company": (
                f"company_id={self.company_b.id}",
                f"company_id={self.company_a.id}",
            ),
            "the amount": ("amount=1150.0", "amount=11.5"),
            "the invoices": (
                f"-{self.b_new.id}&",
                f"-{self.b_new.id}-{self.b_later.id}&",
            ),
            "the account": (
                f"collection_debtor_id={self.debtor_b.id}",
                f"collection_debtor_id={self.debtor_a.id}",
            ),
        }
        for what, (old, new) in swaps.items():
            with self.subTest(what):
                self.assertIn(old, link)
                changed = link.replace(old, new)
                page = self.url_open(changed)
                self.assertEqual(page.status_code, 404, what)
                self.assertIn("This payment link is not valid", page.text, what)
                self.assertNotIn("Traceback", page.text)
        self.assertFalse(self.transactions())
        # a printed letter's short link mistyped
        url = short_link(self.debtor_b, self.eur)
        page = self.url_open(url[:-1] + ("0" if url[-1] != "0" else "1"))
        self.assertEqual(page.status_code, 404)
        self.assertIn("This payment link is not valid", page.text)

    def test_partial_payment_credit_note_and_installment_in_b(self):
        split = self.make_invoice(
            self.pia,
            800,
            due_in=-10,
            term=self.two_installments,
            company=self.company_b,
        )
        self.refresh()
        # 700 + 450 + the first half of 800
        self.assertEqual(self.amount_of(self.b_link()), 1550.0)
        self.register_payment(self.b_old, 200)
        self.make_invoice(
            self.pia, 100, due_in=-1, company=self.company_b, move_type="out_refund"
        )
        # A credit note in A takes nothing off B
        self.make_invoice(self.pia, 50, due_in=-1, move_type="out_refund")
        self.refresh()
        link = self.b_link()
        self.assertEqual(self.amount_of(link), 1250.0, "1550 - 200 paid - 100 credit")
        _page, _tree, form = self.open_link(link)
        self.assertEqual(float(form.get("data-amount")), 1250.0)
        tx = self.pay(link, provider=self.provider_b)
        self.assertEqual(tx.amount, 1250.0)
        self.assertEqual(tx.invoice_ids, self.b_old | self.b_new | split)
        # oldest due first: 500 left of b_old, the first half of the split
        # invoice, then 350 of b_new's 450 (its last 100 the credit note nets)
        self.assertEqual(self.b_old.amount_residual, 0.0)
        self.assertEqual(self.b_new.amount_residual, 100.0)
        self.assertEqual(split.amount_residual, 400.0, "the half not yet due")
        self.assertEqual(self.b_later.amount_residual, 200.0, "not yet due")
        self.debtor_b.invalidate_recordset()
        self.assertEqual(self.debtor_b._figures_in(self.eur)["overdue"], 0.0)
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form)
        self.assertIn("This link is paid", self.notes(tree)[0])
        self.assertEqual(self.residuals(self.a_invoices), [400.0, 600.0, 500.0])
        self.assertEqual(self.amount_of(self.debtor_a._payment_link()), 950.0)

    def test_invoice_page_of_b_pays_through_b_link(self):
        figures = self.b_old._collection_account_figures()
        self.assertEqual(figures["currency"], self.eur)
        self.assertEqual(figures["pay_amount"], 1150.0)
        self.assertEqual(figures["pay_url"], self.b_link())
        figures = self.b_usd._collection_account_figures()
        self.assertEqual(figures["pay_amount"], 250.0, "B's USD, not A's")
        self.assertEqual(self.older._collection_account_figures()["pay_amount"], 1000.0)

    def test_invoices_paid_meanwhile_ask_nothing(self):
        link = self.b_link()
        for invoice in self.b_old | self.b_new:
            self.register_payment(invoice, invoice.amount_residual)
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form)
        self.assertIn("This link is paid", self.notes(tree)[0])
        self.assertEqual(self.residuals(self.a_invoices), [400.0, 600.0, 500.0])

    def test_short_link_of_b_opens_b_link(self):
        url = short_link(self.debtor_b, self.eur)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Logo of Beta Cobros SL", page.text)
        self.assertIn(f"company_id={self.company_b.id}", page.url)
        self.assertEqual(self.amount_of(page.url), 1150.0)
        for invoice in self.b_old | self.b_new | self.b_later:
            self.register_payment(invoice, invoice.amount_residual)
        page = self.url_open(url)
        self.assertIn("Nothing is left to pay", page.text)
        self.assertIn("Contact Beta Cobros SL", " ".join(page.text.split()))
        self.assertIn("Logo of Beta Cobros SL", page.text, "B's logo, not another's")

    def test_promise_in_b_pays_b(self):
        promise = self.env["collection.promise"].create(
            {
                "partner_id": self.pia.id,
                "company_id": self.company_b.id,
                "amount": 300,
                "promise_date": self.days(3),
                "invoice_ids": [Command.set(self.b_new.ids)],
                "policy_override_reason": "Agreed on the phone",
            }
        )
        self.assertEqual(promise.currency_id, self.eur)
        link = promise._payment_link()
        page, _tree, form = self.open_link(link)
        self.assertIn("Logo of Beta Cobros SL", page.text)
        self.assertEqual(float(form.get("data-amount")), 300.0)
        tx = self.pay(link, provider=self.provider_b)
        self.assertEqual(tx.company_id, self.company_b)
        self.assertEqual(tx.invoice_ids, self.b_new)
        self.assertEqual(self.b_new.amount_residual, 150.0)
        self.assertEqual(promise.state, "kept")
        self.assert_a_untouched()
