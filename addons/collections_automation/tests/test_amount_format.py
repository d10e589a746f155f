"""The amounts a planning writes in its reminders: formatted once per
language and currency (``AmountFormatter``), they read exactly as Odoo's
``format_amount`` writes them, whatever the language's separators, the
currency's symbol and position, the sign and the size of the amount."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import format_amount

from ..models.collection_debtor import AmountFormatter

AMOUNTS = (0.0, -0.0, 0.004, 0.005, 1.0, -1.5, 999.999, 1234.5, -1234567.891, 1e9)


@tagged("post_install", "-at_install")
class TestAmountFormatter(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # es_ES: "." thousands and "," decimals; pt_BR alike; en_US the reverse
        for code in ("es_ES", "pt_BR"):
            cls.env["res.lang"]._activate_lang(code)
        Currency = cls.env["res.currency"].with_context(active_test=False)
        cls.currencies = Currency.search([("name", "in", ["USD", "EUR", "JPY"])])
        # a currency without decimals and one with three, symbol after
        cls.currencies |= Currency.create(
            {
                "name": "XTH",
                "symbol": "XT",
                "rounding": 0.001,
                "position": "after",
            }
        )

    def test_same_text_as_format_amount(self):
        for lang in ("en_US", "es_ES", "pt_BR"):
            env = self.env(context=dict(self.env.context, lang=lang))
            by_context = AmountFormatter(env)
            by_code = AmountFormatter(self.env, lang)
            for currency in self.currencies:
                for amount in AMOUNTS:
                    expected = format_amount(env, amount, currency)
                    self.assertEqual(by_context(amount, currency), expected)
                    self.assertEqual(
                        by_code(amount, currency),
                        format_amount(self.env, amount, currency, lang),
                    )

    def test_separators_of_the_language(self):
        """The formatter does follow the language (not one format for all)."""
        eur = self.env.ref("base.EUR")
        spanish = AmountFormatter(self.env, "es_ES")(1234567.5, eur)
        english = AmountFormatter(self.env, "en_US")(1234567.5, eur)
        self.assertNotEqual(spanish, english)
        self.assertIn("1.234.567,50", spanish)
        self.assertIn("1,234,567.50", english)
