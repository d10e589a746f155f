"""Every currency: a company in USD with a customer owing in USD, EUR and
MXN (partial payments, a credit note). Reminders, links, promises and plans
are in the currency of the debt, never a sum over currencies; buckets,
scores and priorities stay in company currency.

The "pay everything overdue" link is paid as a customer pays it, through
Odoo's Demo payment provider (``payment_demo``), and cannot be paid twice.
"""

from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit

from lxml import html as lxml_html

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import MultiCurrencyCommon
from .test_payment_links import transaction_params


def plain(text):
    """Text as read: Odoo writes a no-break space between amount and symbol."""
    return str(text).replace("\xa0", " ")


class CurrencyPortfolio(MultiCurrencyCommon):
    """Mara owes USD 700, EUR 600 overdue (and 500 not yet due) and MXN 8,000
    (10,000 less a 2,000 credit note) to a company in USD."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.usd.name == "USD", cls.usd.name
        # 1 USD = 0.9 EUR = 20 MXN
        cls.eur = cls.other_currency("EUR", 0.9)
        cls.mxn = cls.other_currency("MXN", 20.0)
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.mara = cls.email_customer(
            "Mara Multi",
            lang="en_US",
            tz="Europe/Madrid",
            country_id=cls.env.ref("base.es").id,
            collection_preferred_channel="email",
        )
        # USD 1,000 overdue, 300 paid: 700 left
        cls.inv_usd = cls.invoice_in(cls.mara, 1000, -20, cls.usd, invoice_in=-20)
        cls.pay(cls.inv_usd, 300)
        # EUR 800 overdue, EUR 200 paid: 600 left; EUR 500 not yet due
        cls.inv_eur = cls.invoice_in(cls.mara, 800, -10, cls.eur, invoice_in=-10)
        cls.pay(cls.inv_eur, 200)
        cls.inv_eur_later = cls.invoice_in(cls.mara, 500, 15, cls.eur)
        # MXN 10,000 overdue less a MXN 2,000 credit note not applied: 8,000
        cls.inv_mxn = cls.invoice_in(cls.mara, 10000, -5, cls.mxn, invoice_in=-5)
        cls.refund_mxn = cls.invoice_in(
            cls.mara, 2000, -5, cls.mxn, move_type="out_refund", invoice_in=-5
        )
        # the partial payments were made before anything below
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE account_partial_reconcile"
            " SET create_date = create_date - interval '1 day'"
        )
        cls.Debtor = cls.env["collection.debtor"]
        cls.Debtor._refresh(cls.today, company_ids=cls.company.ids)
        cls.debtor = cls.Debtor.search(
            [("partner_id", "=", cls.mara.id), ("company_id", "=", cls.company.id)]
        )

    def figures(self):
        return {
            line["currency"].name: line
            for line in self.debtor._open_amounts_by_currency()
        }


@tagged("post_install", "-at_install")
class TestCurrencies(CurrencyPortfolio, HttpCase):
    # === The customer's figures === #
    def test_figures_per_currency_and_in_company_currency(self):
        figures = self.figures()
        self.assertEqual(list(figures), ["USD", "EUR", "MXN"], "the larger debt first")
        self.assertEqual((figures["USD"]["overdue"], figures["USD"]["due"]), (700, 700))
        self.assertEqual(
            (figures["EUR"]["overdue"], figures["EUR"]["due"]), (600, 1100)
        )
        self.assertEqual(figures["EUR"]["to_pay"], 600)
        self.assertEqual(
            (figures["MXN"]["overdue"], figures["MXN"]["due"]),
            (8000, 8000),
            "the credit note in MXN settles the MXN invoice",
        )
        self.assertEqual(figures["EUR"]["overdue_invoices"], self.inv_eur)
        self.assertEqual(figures["EUR"]["invoices"], self.inv_eur | self.inv_eur_later)
        # buckets, scores and priorities stay in company currency, as booked
        self.assertAlmostEqual(self.debtor.total_overdue, 700 + 600 / 0.9 + 400, 1)
        self.assertAlmostEqual(
            self.debtor.total_overdue,
            sum(line["overdue_company"] for line in figures.values()),
            1,
        )
        self.assertEqual(self.debtor.currency_id, self.usd)
        # told per currency, never a mixed sum
        self.assertEqual(
            plain(self.debtor.overdue_by_currency),
            "$ 700.00 USD and 600.00 € and $ 8,000.00 MXN",
        )
        # the invoice list shows each invoice in its currency and in USD
        row = self.env["collection.invoice"].search([("move_id", "=", self.inv_eur.id)])
        self.assertEqual(row.invoice_currency_id, self.eur)
        self.assertEqual(row.invoice_amount_residual, 600)
        self.assertAlmostEqual(row.amount_residual, 600 / 0.9, 1)

    def test_an_invoice_on_hold_leaves_its_currency_only(self):
        self.inv_eur.collection_hold = "dispute"
        figures = self.figures()
        self.assertEqual(figures["EUR"]["overdue"], 0)
        self.assertEqual(figures["EUR"]["due"], 500)
        self.assertEqual(figures["USD"]["overdue"], 700)

    # === Reminders === #
    def reminder(self, channel="email"):
        template = self.env["collection.template"].search(
            [("channel", "=", channel), ("is_promise_reminder", "=", False)], limit=1
        )
        row = self.env["collection.message"].create(
            {
                "partner_id": self.mara.id,
                "company_id": self.company.id,
                "debtor_id": self.debtor.id,
                "kind": "manual_reminder",
                "channel": channel,
                "template_id": template.id,
                "invoice_ids": [
                    Command.set(
                        (
                            self.inv_usd
                            | self.inv_eur
                            | self.inv_eur_later
                            | self.inv_mxn
                        ).ids
                    )
                ],
                "amount_due": self.debtor._amount_to_pay(),
                "scheduled_at": self.now,
                "idempotency_key": f"test-currencies-{channel}",
            }
        )
        row._render()
        return row

    def test_reminder_lists_each_invoice_in_its_currency_and_totals_per_currency(self):
        row = self.reminder()
        tree = lxml_html.fromstring(str(row._email_html()))
        lines = {
            tr.xpath("./td")[0].text_content(): plain(
                tr.xpath("./td")[5].text_content()
            )
            for tr in tree.xpath("//tbody/tr")
        }
        self.assertEqual(lines[self.inv_usd.name], "$ 700.00 USD")
        self.assertEqual(lines[self.inv_eur.name], "600.00 €")
        self.assertEqual(lines[self.inv_eur_later.name], "500.00 €")
        self.assertEqual(lines[self.inv_mxn.name], "$ 10,000.00 MXN")
        overdue = [
            plain(td.text_content())
            for td in tree.xpath("//td[hasclass('o_collection_total_overdue')]")
        ]
        due = [
            plain(td.text_content())
            for td in tree.xpath("//td[hasclass('o_collection_total_due')]")
        ]
        self.assertEqual(overdue, ["$ 700.00", "600.00 €", "$ 8,000.00"])
        self.assertEqual(due, ["$ 700.00", "1,100.00 €", "$ 8,000.00"])
        text = tree.text_content()
        for name in ("USD", "EUR", "MXN"):
            self.assertIn(f"Overdue in {name}", text)
        # one "pay everything overdue" link per currency
        buttons = tree.xpath("//a[hasclass('o_collection_pay_currency')]")
        self.assertEqual(
            [plain(b.text_content()) for b in buttons],
            ["Pay $ 700.00 USD", "Pay 600.00 €", "Pay $ 8,000.00 MXN"],
        )
        currencies = [
            int(parse_qs(urlsplit(b.get("href")).query)["currency_id"][0])
            for b in buttons
        ]
        self.assertEqual(currencies, (self.usd | self.eur | self.mxn).ids)

    def test_short_reminder_says_the_totals_per_currency(self):
        row = self.reminder("sms")
        self.assertIn("$ 700.00 USD and 600.00 € and $ 8,000.00 MXN", plain(row.body))
        self.assertNotIn(f"{self.debtor.total_overdue:,.2f}", row.body)

    def test_single_foreign_currency_is_told_in_it(self):
        # a customer owing only in EUR is never told dollars
        only_eur = self.env["res.partner"].create({"name": "Ebba Euro"})
        move = self.inv_eur.copy(
            {
                "partner_id": only_eur.id,
                "invoice_date": self.days(-10),
                "invoice_date_due": self.days(-10),
            }
        )
        move.action_post()
        self.Debtor._refresh(self.today, partner_ids=only_eur.ids)
        debtor = self.Debtor.search([("partner_id", "=", only_eur.id)])
        self.assertEqual(plain(debtor.overdue_by_currency), "800.00 €")
        self.assertEqual(debtor._debt_currency(), self.eur)
        self.assertEqual(debtor._amount_to_pay(self.eur), 800)
        link = debtor._payment_link()
        query = parse_qs(urlsplit(link).query)
        self.assertEqual(query["currency_id"], [str(self.eur.id)])
        self.assertEqual(query["amount"], ["800.0"])

    # === Links === #
    def test_overdue_link_per_currency(self):
        links = {
            c.name: (amount, url)
            for c, amount, url in self.debtor._payment_links_by_currency()
        }
        self.assertEqual(list(links), ["USD", "EUR", "MXN"])
        amount, url = links["EUR"]
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(amount, 600)
        self.assertEqual(query["amount"], ["600.0"])
        self.assertEqual(query["currency_id"], [str(self.eur.id)])
        self.assertEqual(
            query["collection_terms"], [f"overdue.{self.eur.id}-{self.inv_eur.id}"]
        )
        self.assertEqual(query["reference"], [self.inv_eur.name])
        self.assertEqual(
            parse_qs(urlsplit(links["MXN"][1]).query)["amount"], ["8000.0"]
        )
        self.assertEqual(self.debtor._payment_link(currency=self.eur), url)
        # the EUR invoice's portal page: the EUR debt and its link
        figures = self.inv_eur._collection_account_figures()
        self.assertEqual(
            (figures["overdue"], figures["due"], figures["pay_amount"]),
            (600, 1100, 600),
        )
        self.assertEqual(figures["currency"], self.eur)
        self.assertEqual(figures["pay_url"], url)
        self.assertEqual(
            self.inv_usd._collection_account_figures()["currency"], self.usd
        )

    # === Promises and plans === #
    def promise(self, amount, invoices=None, **values):
        return self.env["collection.promise"].create(
            {
                "partner_id": self.mara.id,
                "amount": amount,
                "promise_date": self.days(5),
                "invoice_ids": [Command.set(invoices.ids)] if invoices else [],
                "policy_override_reason": "Agreed on the phone",
                **values,
            }
        )

    def test_promise_for_the_eur_debt_is_in_eur_and_kept_by_the_eur_payment(self):
        promise = self.promise(600, self.inv_eur)
        self.assertEqual(promise.currency_id, self.eur)
        self.assertIn("600.00 €", plain(promise.display_name))
        # a dollar payment on the dollar invoice does not count
        self.pay(self.inv_usd, 700)
        promise._settle()
        self.assertEqual((promise.state, promise.amount_paid), ("open", 0))
        link = promise._payment_link()
        query = parse_qs(urlsplit(link).query)
        self.assertEqual(
            (query["amount"], query["currency_id"]), (["600.0"], [str(self.eur.id)])
        )
        self.pay(self.inv_eur, 600)
        promise._settle()
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 600))

    def test_promise_reminder_in_the_promise_currency(self):
        promise = self.promise(600, self.inv_eur, promise_date=self.days(1))
        self.env["collection.promise"]._cron_remind(now=self.now)
        row = self.env["collection.message"].search(
            [("idempotency_key", "=", promise._reminder_key())]
        )
        self.assertEqual(len(row), 1)
        self.assertEqual((row.amount_due, row.currency_id), (600, self.eur))
        self.assertEqual(row.invoice_ids, self.inv_eur)
        row._render()
        self.assertIn("600.00 €", plain(row.body))
        self.assertEqual(
            parse_qs(urlsplit(row.payment_url).query)["currency_id"], [str(self.eur.id)]
        )

    def test_promise_currency_defaults_and_refuses_mixed_invoices(self):
        # several currencies open and no invoice named: the company's
        self.assertEqual(self.promise(100).currency_id, self.usd)
        self.assertEqual(
            self.promise(100, currency_id=self.eur.id).currency_id, self.eur
        )
        with self.assertRaisesRegex(Exception, "A promise is in one currency"):
            self.promise(100, self.inv_eur | self.inv_usd)

    def test_payment_plan_in_the_debt_currency(self):
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.mara.id,
                "balance": 600,
                "invoice_ids": [Command.set(self.inv_eur.ids)],
                "policy_override_reason": "Agreed on the phone",
                "promise_ids": [
                    Command.create(
                        {
                            "partner_id": self.mara.id,
                            "amount": 300,
                            "promise_date": self.days(d),
                            "invoice_ids": [Command.set(self.inv_eur.ids)],
                        }
                    )
                    for d in (5, 35)
                ],
            }
        )
        self.assertEqual(plan.currency_id, self.eur)
        self.assertEqual(plan.promise_ids.currency_id, self.eur)
        self.pay(self.inv_eur, 300)
        plan.promise_ids._settle()
        first, second = plan.promise_ids.sorted("promise_date")
        self.assertEqual((first.state, first.amount_paid), ("kept", 300))
        self.assertEqual(second.state, "open")
        self.assertEqual(plan.amount_paid, 300)


@tagged("post_install", "-at_install")
class TestOverdueLinkPaidOnce(CurrencyPortfolio, HttpCase):
    """The "pay everything overdue" link in EUR paid through the Demo
    provider, then opened again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.env["payment.provider"].sudo().search(
            [("company_id", "=", cls.company.id)]
        ).state = "disabled"
        cls.provider = demo.copy(
            {
                "company_id": cls.company.id,
                "state": "test",
                "is_published": True,
                "payment_method_ids": demo.payment_method_ids.ids,
            }
        )
        cls.method = demo.payment_method_ids[:1]
        cls.method.active = True

    def open_link(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        tree = lxml_html.fromstring(page.content)
        return page, tree, (tree.xpath("//form[@id='o_payment_form']") or [None])[0]

    def pay_link(self, url, state="done"):
        _page, _tree, form = self.open_link(url)
        self.assertIsNotNone(form, "a payment form")
        values = transaction_params(form, self.provider)
        route = form.get("data-transaction-route")
        processing = self.make_jsonrpc_request(route, values)
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": state,
            },
        )
        self.make_jsonrpc_request("/payment/status/poll", {})
        tx = self.env["payment.transaction"].search(
            [("reference", "=", processing["reference"])]
        )
        return tx, route, values

    def test_overdue_link_cannot_be_paid_twice(self):
        url = self.debtor._payment_link(currency=self.eur)
        _page, _tree, form = self.open_link(url)
        self.assertEqual(float(form.get("data-amount")), 600.0)
        tx, route, values = self.pay_link(url)
        self.assertEqual((tx.amount, tx.currency_id), (600.0, self.eur))
        self.assertEqual(tx.invoice_ids, self.inv_eur)
        self.assertEqual(self.inv_eur.amount_residual, 0.0)
        self.assertEqual(self.inv_eur_later.amount_residual, 500.0, "not yet due")
        self.assertEqual(self.inv_usd.amount_residual, 700.0, "another currency")
        # opened again: nothing to pay, said in words
        page, tree, form = self.open_link(url)
        self.assertIsNone(form)
        self.assertIn("This link is paid", page.text)
        # the old page's transaction cannot be replayed
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(route, values)
        self.assertEqual(
            len(
                self.env["payment.transaction"].search(
                    [("partner_id", "=", self.mara.id)]
                )
            ),
            1,
        )

    def test_overdue_link_asks_only_what_is_left(self):
        url = self.debtor._payment_link(currency=self.eur)
        _page, _tree, form = self.open_link(url)
        old = {
            "route": form.get("data-transaction-route"),
            "token": form.get("data-access-token"),
        }
        # paid in part by bank transfer meanwhile
        self.pay(self.inv_eur, 250)
        _page, _tree, form = self.open_link(url)
        self.assertEqual(float(form.get("data-amount")), 350.0)
        # the page opened before asks 600: refused, in words
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(
                old["route"],
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.method.id,
                    "token_id": None,
                    "amount": 600.0,
                    "flow": "direct",
                    "tokenization_requested": False,
                    "landing_route": "/payment/confirmation",
                    "is_validation": False,
                    "access_token": old["token"],
                },
            )
        tx, _route, _values = self.pay_link(url)
        self.assertEqual(tx.amount, 350.0)
        self.assertEqual(self.inv_eur.amount_residual, 0.0)

    def test_changed_terms_are_refused(self):
        url = self.debtor._payment_link(currency=self.eur)
        tampered = url.replace(
            f"collection_terms=overdue.{self.eur.id}-{self.inv_eur.id}",
            f"collection_terms=due.{self.eur.id}-{self.inv_eur.id}",
        )
        self.assertNotEqual(tampered, url)
        self.assertEqual(self.url_open(tampered).status_code, 404)

    def assert_link_paid(self, url, route, values):
        """Opened again: nothing to pay, in words; the old page's
        transaction cannot be replayed."""
        page, _tree, form = self.open_link(url)
        self.assertIsNone(form)
        self.assertIn("This link is paid", page.text)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(route, values)

    def test_a_credit_note_counts_in_what_the_link_asks(self):
        """MXN 10,000 overdue less a 2,000 credit note: the link asks 8,000;
        once paid, the invoice's 2,000 left is what the credit note covers,
        so nothing more is asked (it was asked, and taken, before)."""
        url = self.debtor._payment_link(currency=self.mxn)
        tx, route, values = self.pay_link(url)
        self.assertEqual((tx.amount, tx.currency_id), (8000.0, self.mxn))
        self.assertEqual(self.inv_mxn.amount_residual, 2000.0)
        self.assertEqual(self.figures().get("MXN", {}).get("due", 0.0), 0.0)
        self.assert_link_paid(url, route, values)

    def test_an_overdue_link_leaves_the_installment_not_yet_due(self):
        """USD 1,000 in two installments, the first due ten days ago, the
        second in twenty: the link pays what is overdue (700 and 500), and
        nothing more once it is paid, though the invoice is still open."""
        halves = self.make_invoice(
            self.mara, 1000, invoice_in=-10, term=self.two_installments
        )
        url = self.debtor._payment_link(currency=self.usd)
        _page, _tree, form = self.open_link(url)
        self.assertEqual(float(form.get("data-amount")), 1200.0)
        tx, route, values = self.pay_link(url)
        self.assertEqual(tx.invoice_ids, self.inv_usd | halves)
        self.assertEqual(halves.amount_residual, 500.0, "the second half")
        self.assertEqual(self.figures()["USD"]["overdue"], 0.0)
        self.assert_link_paid(url, route, values)

    def test_a_payment_under_way_is_not_asked_again(self):
        """Paid from one tab, the payment pending at the bank: the link
        opened again (another tab) asks nothing, and the first page cannot
        be paid a second time."""
        url = self.debtor._payment_link(currency=self.eur)
        tx, route, values = self.pay_link(url, state="pending")
        self.assertEqual((tx.state, tx.amount), ("pending", 600.0))
        self.assertEqual(self.inv_eur.amount_residual, 600.0, "not yet reconciled")
        _page, _tree, form = self.open_link(url)
        self.assertIsNone(form)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(route, values)

    def test_a_link_sent_before_its_terms_named_what_they_pay(self):
        """Terms without a scope (links sent by earlier versions) still
        open, and pay no more than the balance in their currency."""
        from ..models.payment_link import link_terms, terms_token

        terms = f"{self.mxn.id}-{self.inv_mxn.id}"
        token = terms_token(self.env, "overdue", self.debtor.id, terms)
        link = link_terms(self.debtor, "overdue", terms, token)
        self.assertEqual((link.currency, link.invoices), (self.mxn, self.inv_mxn))
        self.assertEqual(link.left, 8000.0, "the invoice's 10,000 less the credit")
        self.assertIsNone(link_terms(self.debtor, "overdue", f"all.{terms}", token))
