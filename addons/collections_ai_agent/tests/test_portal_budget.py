"""The invoice page's chat from outside: whatever is sent, a plain answer and
never a 5xx nor a traceback; a budget per invoice and per client address kept
in the database (so every worker counts the same messages); no chat about a
paid, cancelled or non-invoice document."""

import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import AgentCommon

PARAM = "collections_ai_agent.portal_chat_"
JSON = {"Content-Type": "application/json"}

# JSON values of every shape, for parameters that expect a string
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
messages = st.text(max_size=60) | st.text(min_size=995, max_size=1010) | json_values
tokens = st.just("valid") | st.none() | st.text(max_size=140) | json_values


@tagged("post_install", "-at_install")
class TestPortalBudget(AgentCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice._portal_ensure_token()

    def setUp(self):
        super().setUp()
        # what other runs left in the shared table (rolled back here anyway)
        self.env.cr.execute("DELETE FROM collection_agent_usage")

    def post(self, body, invoice=None, headers=None):
        invoice = invoice or self.invoice
        headers = headers or JSON
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.url_open(
            f"/collections/agent/chat/{invoice.id}", data=data, headers=headers
        )

    def chat(self, message, invoice=None, token=None):
        invoice = invoice or self.invoice
        return self.post(
            {
                "jsonrpc": "2.0",
                "method": "call",
                "id": 7,
                "params": {
                    "message": message,
                    "access_token": token or invoice.access_token,
                },
            },
            invoice,
        )

    def assertPlain(self, response, status):  # noqa: N802 (unittest's naming)
        """A JSON answer of ``status`` whose error is one sentence for a person."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertNotIn('File "', response.text)
        error = response.json()["result"]["error"]
        self.assertTrue(error and "\n" not in error and len(error) < 200, error)
        return error

    def turns(self):
        return self.conversation().turn_ids

    # === Bad input === #
    def test_a_token_that_is_not_a_string_is_a_plain_404(self):
        for token in ([1], {"a": 1}, 5, True, "ñandú-token", "x" * 500):
            response = self.post(
                {"params": {"message": "cuánto debo?", "access_token": token}}
            )
            error = self.assertPlain(response, 404)
            self.assertEqual(error, "This invoice is not available.")
        self.assertFalse(self.conversation())

    def test_malformed_requests_are_plain_4xx(self):
        cases = [
            (b"{not json", JSON, 400),
            (b"[1, 2]", JSON, 400),
            (b'{"params": [1, 2]}', JSON, 400),
            (b'{"params": "hola"}', JSON, 400),
            (b"[" * 8000 + b"]" * 8000, JSON, 400),
            (b"[" * 3000 + b"]" * 3000, JSON, 400),
            (b"\xff\xfe\x00", JSON, 400),
            (json.dumps({"params": {"message": 12}}).encode(), JSON, 400),
            (json.dumps({"params": {"message": ["hola"]}}).encode(), JSON, 400),
            (json.dumps({"params": {"message": "   "}}).encode(), JSON, 400),
            (json.dumps({"params": {"message": "x" * 1001}}).encode(), JSON, 400),
            (
                b"message=hola",
                {"Content-Type": "application/x-www-form-urlencoded"},
                415,
            ),
            (b"x" * 20000, JSON, 413),
        ]
        for body, headers, status in cases:
            with self.subTest(body=body[:40], status=status):
                self.assertPlain(self.post(body, headers=headers), status)
        self.assertFalse(self.conversation())

    def test_an_invoice_id_out_of_range_is_a_plain_404(self):
        for invoice_id in (0, 2**31, 10**30):
            response = self.url_open(
                f"/collections/agent/chat/{invoice_id}",
                data=json.dumps({"params": {"message": "hola"}}),
                headers=JSON,
            )
            self.assertPlain(response, 404)

    def test_control_characters_and_lone_surrogates_are_dropped(self):
        raw = (
            b'{"params": {"message": "cu\\u00e1nto \\u0000debo?\\ud800", '
            b'"access_token": "%s"}}'
        )
        response = self.post(raw % self.invoice.access_token.encode())
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn("1.000,00", response.json()["result"]["reply"])
        self.assertEqual(self.turns().customer_text, "cuánto debo?")

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(message=messages, token=tokens, extra=json_values, envelope=st.booleans())
    def test_whatever_the_parameters_never_a_5xx_nor_a_traceback(
        self, message, token, extra, envelope
    ):
        if token == "valid":
            token = self.invoice.access_token
        params = {"message": message, "access_token": token, "context": extra}
        body = {"jsonrpc": "2.0", "id": extra, "params": params} if envelope else params
        response = self.post(body)
        self.assertLess(response.status_code, 500, response.text)
        self.assertNotIn("Traceback", response.text)
        result = response.json()["result"]
        self.assertTrue(result.get("error") or result.get("reply"), result)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
    def test_whatever_the_body_never_a_5xx_nor_a_traceback(self, raw):
        response = self.post(raw)
        self.assertLess(response.status_code, 500, response.text)
        self.assertNotIn("Traceback", response.text)

    # === Budget === #
    def test_past_the_messages_per_invoice_a_plain_429(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "per_invoice", "3")
        for _i in range(3):
            self.assertEqual(self.chat("cuánto debo?").status_code, 200)
        response = self.chat("cuánto debo?")
        error = self.assertPlain(response, 429)
        self.assertIn("Too many messages", error)
        self.assertEqual(response.headers["Retry-After"], "600")
        self.assertEqual(response.json()["id"], 7)
        self.assertEqual(len(self.turns()), 3, "the refused message reached no one")
        # ten minutes later the oldest messages no longer count
        self.env.cr.execute(
            "UPDATE collection_agent_usage SET at = at - interval '11 minutes'"
        )
        self.assertEqual(self.chat("cuánto debo?").status_code, 200)

    def test_the_default_budget_per_invoice_is_thirty_in_ten_minutes(self):
        for _i in range(30):
            self.assertEqual(self.chat("cuánto debo?").status_code, 200)
        self.assertPlain(self.chat("cuánto debo?"), 429)

    def test_past_the_messages_per_address_a_plain_429(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(PARAM + "per_address", "2")
        params.set_param(PARAM + "window_minutes", "5")
        other = self.make_invoice(self.customer, 200, due_in=-10)
        other._portal_ensure_token()
        self.assertEqual(self.chat("cuánto debo?").status_code, 200)
        self.assertEqual(self.chat("cuánto debo?", invoice=other).status_code, 200)
        response = self.chat("cuánto debo?", invoice=other)
        self.assertPlain(response, 429)
        self.assertEqual(response.headers["Retry-After"], "300")

    def test_the_counts_are_shared_through_the_database(self):
        # messages counted by another worker are rows of the same table
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "per_invoice", "5")
        now = fields.Datetime.now()
        for minutes in range(5):
            self.env.cr.execute(
                "INSERT INTO collection_agent_usage (kind, invoice_id, address, at) "
                "VALUES ('portal', %s, '203.0.113.9', %s)",
                [self.invoice.id, now - timedelta(minutes=minutes)],
            )
        self.assertPlain(self.chat("cuánto debo?"), 429)
        self.assertFalse(self.conversation())

    def test_a_bad_setting_keeps_the_default(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(PARAM + "per_invoice", "many")
        params.set_param(PARAM + "window_minutes", "-3")
        for _i in range(30):
            self.assertEqual(self.chat("cuánto debo?").status_code, 200)
        self.assertEqual(self.chat("cuánto debo?").headers.get("Retry-After"), "600")

    # === Documents the agent does not talk about === #
    def test_a_paid_invoice_is_refused(self):
        self.pay(self.invoice, 1000)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        error = self.assertPlain(self.chat("cuánto debo?"), 409)
        self.assertEqual(error, "This invoice is already paid. Thank you!")
        self.assertFalse(self.conversation())

    def test_a_cancelled_invoice_is_refused(self):
        invoice = self.make_invoice(self.customer, 300, due_in=-5)
        invoice._portal_ensure_token()
        invoice.button_draft()
        invoice.button_cancel()
        self.assertPlain(self.chat("cuánto debo?", invoice=invoice), 409)
        self.assertFalse(self.conversation())

    def test_a_vendor_bill_is_not_an_invoice_to_talk_about(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    fields.Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": 50}
                    )
                ],
            }
        )
        bill.action_post()
        bill._portal_ensure_token()
        error = self.assertPlain(self.chat("cuánto debo?", invoice=bill), 404)
        self.assertEqual(error, "This invoice is not available.")
        self.assertFalse(self.conversation())
