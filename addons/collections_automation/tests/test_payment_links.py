"""Links that take the payment: a promise's (an installment's, a
settlement's) for exactly what was agreed, and "pay everything overdue",
paid as a customer pays them, through Odoo's Demo payment provider.

The Demo provider is Odoo's module ``payment_demo``: ``dev.py test``
installs it in the test database beside the suite (as ``dev.py run`` does
for the demo), the suite itself never depends on it. Each test gives the
test company its own Demo provider, as Odoo's payment tests do.
"""

import json
from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from lxml import html as lxml_html

from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CollectionsCommon


def transaction_params(form, provider):
    """What the payment page's JavaScript sends to its transaction route to
    pay with ``provider`` (the Demo provider) from the page's ``form``."""
    option = form.xpath(
        f"//input[@name='o_payment_radio'][@data-provider-id='{provider.id}']"
    )
    assert option, f"{provider.name} is offered on the page"
    return {
        "provider_id": provider.id,
        "payment_method_id": int(option[0].get("data-payment-option-id")),
        "token_id": None,
        "amount": float(form.get("data-amount")),
        "flow": "direct",
        "tokenization_requested": False,
        "landing_route": form.get("data-landing-route"),
        "is_validation": False,
        "access_token": form.get("data-access-token"),
    }


class PaymentLinksCommon(CollectionsCommon, HttpCase):
    """The company's own Demo provider, a customer owing overdue and not yet
    due invoices, and the customer's seat: open a link, pay it, read its
    notes. No tests here: other test modules import it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = datetime.combine(cls.today, time(10, 0))
        demo = cls.env.ref("payment.payment_provider_demo").sudo()
        if demo.code != "demo":
            raise AssertionError(
                "Odoo's module payment_demo must be installed in the test "
                "database (python3 scripts/dev.py test installs it)."
            )
        cls.company = cls.env.company
        cls.providers = cls.env["payment.provider"].sudo()
        cls.providers.search([("company_id", "=", cls.company.id)]).state = "disabled"
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
        cls.pia = cls.env["res.partner"].create(
            {
                "name": "Pia Payer",
                "email": "pia@example.com",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_consent_email": True,
            }
        )
        cls.older = cls.make_invoice(cls.pia, 400, due_in=-20)
        cls.newer = cls.make_invoice(cls.pia, 600, due_in=-10)
        cls.later = cls.make_invoice(cls.pia, 500, due_in=15)
        cls.env["collection.debtor"]._refresh(cls.today, company_ids=cls.company.ids)
        cls.debtor = cls.env["collection.debtor"].search(
            [("partner_id", "=", cls.pia.id), ("company_id", "=", cls.company.id)]
        )

    # === Helpers: the customer's seat === #
    def promise(self, amount, days=3, invoices=None):
        return self.env["collection.promise"].create(
            {
                "partner_id": self.pia.id,
                "amount": amount,
                "promise_date": self.days(days),
                "invoice_ids": [(6, 0, (invoices or self.newer).ids)],
                # whatever the negotiation policy asks (with the AI agent)
                "policy_override_reason": "Agreed on the phone",
            }
        )

    def open_link(self, url):
        """Open the link as the customer does (not logged in): the page's
        amount and payment form, or the page when nothing is to pay."""
        self.assertTrue(url, "a link")
        self.assertIn("/payment/pay?", url)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        tree = lxml_html.fromstring(page.content)
        return page, tree, (tree.xpath("//form[@id='o_payment_form']") or [None])[0]

    def pay(self, url, simulated_state="done", poll=True, provider=None):
        """Open the link and pay with the Demo provider (``provider``, by
        default the company's), as the page's JavaScript does: the
        transaction route, the Demo provider's answer, then (unless not
        ``poll``) Odoo's status poll that post-processes the transaction."""
        provider = provider or self.provider
        page, tree, form = self.open_link(url)
        self.assertIsNotNone(form, "a payment form, not 'No payment method available'")
        self.assertNotIn("No payment method available", page.text)
        processing = self.make_jsonrpc_request(
            form.get("data-transaction-route"), transaction_params(form, provider)
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": processing["reference"],
                "payment_details": "4242",
                "simulated_state": simulated_state,
            },
        )
        if poll:
            status = self.make_jsonrpc_request("/payment/status/poll", {})
            self.assertEqual(status["state"], simulated_state)
        return self.env["payment.transaction"].search(
            [("reference", "=", processing["reference"])]
        )

    def transaction_error(self, form, provider=None):
        """Pay with the page's ``form`` (the Demo provider, ``provider`` by
        default the company's), refused: the error the page shows (name and
        message)."""
        provider = provider or self.provider
        payload = {
            "id": 0,
            "jsonrpc": "2.0",
            "method": "call",
            "params": transaction_params(form, provider),
        }
        with mute_logger("odoo.http"):
            response = self.url_open(
                form.get("data-transaction-route"),
                json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        answer = response.json()
        self.assertIn("error", answer, "refused")
        return answer["error"]["data"]

    def notes(self, tree):
        """The suite's notes on the payment page: (paid, being processed)."""
        return tuple(
            " ".join(
                " ".join(div.text_content().split())
                for div in tree.xpath(f"//div[hasclass('{css}')]")
            )
            for css in ("o_collection_paid_note", "o_collection_processing_note")
        )

    def amount_of(self, url):
        return float(parse_qs(urlsplit(url).query)["amount"][0])

    def settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.company_id, self.company)
        return settings


@tagged("post_install", "-at_install")
class TestPaymentLinks(PaymentLinksCommon):
    def test_promise_link_pays_the_agreed_amount_and_keeps_the_promise(self):
        promise = self.promise(250)
        link = promise._payment_link()
        self.assertEqual(self.amount_of(link), 250.0)
        _page, tree, form = self.open_link(link)
        self.assertEqual(float(form.get("data-amount")), 250.0)
        self.assertEqual(
            form.get("data-transaction-route"),
            f"/collections/payment/transaction/promise/{promise.id}",
        )
        tx = self.pay(link)
        self.assertEqual(tx.amount, 250.0)
        self.assertEqual(tx.invoice_ids, self.newer, "the promised invoice")
        self.assertTrue(tx.payment_id, "Odoo's post-processing made the payment")
        self.assertIn(tx.payment_id.state, ("in_process", "paid"))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_paid, 250.0)
        self.assertAlmostEqual(self.newer.amount_residual, 350.0)
        self.assertEqual(self.older.amount_residual, 400.0, "untouched")
        # paid: opening the link again asks for nothing
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form)
        self.assertIn("There is nothing to pay.", tree.text_content())

    def test_a_pending_payment_is_being_processed_not_paid(self):
        """A payment the provider has not confirmed yet (a bank transfer, a
        card under review): the link says it is being processed, not that
        it is paid, and does not ask it again."""
        promise = self.promise(250)
        link = promise._payment_link()
        _page, _tree, second_tab = self.open_link(link)
        tx = self.pay(link, simulated_state="pending")
        self.assertEqual(tx.state, "pending")
        # the page left open in a second tab: paying there says why not
        error = self.transaction_error(second_tab)
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
        self.assertEqual(
            error["message"],
            "A payment on this link is being processed already: there is "
            "nothing more to pay for now.",
        )
        self.assertEqual(promise.state, "open", "nothing is paid yet")
        self.assertEqual(self.newer.amount_residual, 600.0)
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form, "not offered to pay again")
        paid, processing = self.notes(tree)
        self.assertFalse(paid, "not paid yet")
        self.assertIn("Your payment is being processed", processing)
        self.assertNotIn("is paid", tree.text_content())
        # "pay everything overdue" asks what is left, and says why
        _page, tree, form = self.open_link(self.debtor._payment_link())
        self.assertEqual(float(form.get("data-amount")), 750.0)
        paid, processing = self.notes(tree)
        self.assertFalse(paid)
        self.assertIn("is being processed: only what is left is asked", processing)
        self.assertIn("250.00", processing)

    def test_a_payment_done_and_not_yet_reconciled_is_being_processed(self):
        """Paid, and Odoo has not reconciled it with the invoices yet: being
        processed; once reconciled, the link is paid."""
        link = self.debtor._payment_link()
        tx = self.pay(link, poll=False)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.is_post_processed)
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form, "not offered to pay again")
        paid, processing = self.notes(tree)
        self.assertFalse(paid)
        self.assertIn("Your payment is being processed", processing)
        tx._post_process()
        self.assertTrue(tx.is_post_processed)
        _page, tree, form = self.open_link(link)
        self.assertIsNone(form)
        paid, processing = self.notes(tree)
        self.assertIn("This link is paid", paid)
        self.assertFalse(processing)

    def test_whole_invoice_promise_leaves_it_paid(self):
        promise = self.promise(600)
        tx = self.pay(promise._payment_link())
        self.assertEqual(promise.state, "kept")
        self.assertIn(self.newer.payment_state, ("in_payment", "paid"))
        self.assertEqual(self.newer.amount_residual, 0.0)
        self.assertEqual(tx.invoice_ids, self.newer)

    def test_installment_link_pays_that_installment(self):
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.pia.id,
                "balance": 1000,
                "invoice_ids": [(6, 0, (self.older | self.newer).ids)],
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": self.pia.id,
                            "amount": amount,
                            "promise_date": self.days(days),
                            "invoice_ids": [(6, 0, (self.older | self.newer).ids)],
                        },
                    )
                    for amount, days in ((300, 2), (700, 32))
                ],
            }
        )
        first, second = plan.promise_ids.sorted("promise_date")
        self.assertEqual(self.amount_of(first._payment_link()), 300.0)
        self.assertEqual(self.amount_of(second._payment_link()), 700.0)
        Promise = self.env["collection.promise"]
        self.assertEqual(Promise._due_for(self.pia, self.company), first)
        tx = self.pay(first._payment_link())
        self.assertEqual(tx.invoice_ids, self.older | self.newer)
        self.assertEqual(first.state, "kept")
        self.assertEqual(second.state, "open")
        self.assertEqual(plan.state, "open")
        # the oldest invoice is paid first
        self.assertAlmostEqual(self.older.amount_residual, 100.0)
        self.assertEqual(self.newer.amount_residual, 600.0)
        # the next link is the next installment's
        self.assertEqual(Promise._due_for(self.pia, self.company), second)

    def test_pay_overdue_link_pays_every_overdue_invoice(self):
        link = self.debtor._payment_link()
        self.assertEqual(self.amount_of(link), 1000.0, "400 + 600 overdue")
        _page, _tree, form = self.open_link(link)
        self.assertEqual(float(form.get("data-amount")), 1000.0)
        tx = self.pay(link)
        self.assertEqual(tx.amount, 1000.0)
        self.assertEqual(tx.invoice_ids, self.older | self.newer, "the overdue ones")
        for invoice in self.older | self.newer:
            self.assertEqual(invoice.amount_residual, 0.0, invoice.name)
            self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        self.assertEqual(self.later.amount_residual, 500.0, "not yet due")
        self.debtor.invalidate_recordset()
        self.assertEqual(self.debtor.total_overdue, 0.0)

    def test_invoice_page_pays_overdue_through_the_same_link(self):
        figures = self.older._collection_account_figures()
        self.assertEqual(figures["pay_url"], self.debtor._payment_link())
        self.assertEqual(figures["pay_amount"], 1000.0)

    def test_a_failed_payment_keeps_the_promise_open(self):
        promise = self.promise(250)
        tx = self.pay(promise._payment_link(), simulated_state="cancel")
        self.assertFalse(tx.payment_id)
        self.assertEqual(promise.state, "open")
        self.assertEqual(self.newer.amount_residual, 600.0)

    def test_changed_links_are_refused(self):
        promise = self.promise(250)
        link = promise._payment_link()
        tampered = link.replace("amount=250.0", "amount=2.5")
        self.assertNotEqual(tampered, link)
        self.assertEqual(self.url_open(tampered).status_code, 404)
        # another customer's promise on this customer's token
        other = self.env["res.partner"].create({"name": "Otto Other"})
        others = self.env["collection.promise"].create(
            {
                "partner_id": other.id,
                "amount": 250,
                "promise_date": self.days(3),
                "policy_override_reason": "Agreed on the phone",
            }
        )
        swapped = link.replace(
            f"collection_promise_id={promise.id}", f"collection_promise_id={others.id}"
        )
        self.assertEqual(self.url_open(swapped).status_code, 404)
        # the transaction route checks its own token: amount and record
        _page, _tree, form = self.open_link(link)
        values = {
            "provider_id": self.provider.id,
            "payment_method_id": self.method.id,
            "token_id": None,
            "amount": 2.5,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": "/payment/confirmation",
            "is_validation": False,
            "access_token": form.get("data-access-token"),
        }
        route = form.get("data-transaction-route")
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(route, values)
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(
                route.replace(str(promise.id), str(others.id)),
                dict(values, amount=250.0),
            )
        self.assertFalse(
            self.env["payment.transaction"].search([("partner_id", "=", self.pia.id)])
        )

    def test_promise_reminder_carries_the_promise_link(self):
        promise = self.promise(250, days=1)
        self.env["collection.promise"]._cron_remind(now=self.now)
        row = self.env["collection.message"].search(
            [("idempotency_key", "=", promise._reminder_key())]
        )
        self.assertTrue(row)
        self.assertEqual(row.amount_due, 250.0)
        self.assertEqual(row.payment_url, promise._payment_link())
        row._render()
        self.assertEqual(row.payment_url, promise._payment_link(), "kept on render")
        self.assertIn(row.payment_url, row.body)

    def test_settings_warn_when_no_payment_provider_is_active(self):
        self.assertFalse(self.settings().collection_payment_provider_missing)
        self.assertEqual(self.settings().collection_payment_provider_count, 1)
        self.provider.is_published = False
        self.assertTrue(self.settings().collection_payment_provider_missing)
        self.provider.write({"is_published": True, "state": "disabled"})
        self.assertTrue(self.settings().collection_payment_provider_missing)
        # the alert, with its button to Odoo's payment providers
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        tree = etree.fromstring(arch)
        alert = tree.xpath("//div[hasclass('o_collection_no_payment_provider')]")
        self.assertTrue(alert)
        self.assertEqual(
            alert[0].get("invisible"), "not collection_payment_provider_missing"
        )
        action = self.env.ref("payment.action_payment_provider")
        self.assertTrue(alert[0].xpath(f".//button[@name='{action.id}']"))
