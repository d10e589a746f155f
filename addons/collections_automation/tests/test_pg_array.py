"""The bulk statements' arrays, sent as one literal (``tools/pg_array.py``):
what PostgreSQL reads back is what Python sent, whatever the text holds."""

import datetime
from decimal import Decimal

from markupsafe import Markup

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..tools import pg_array


@tagged("post_install", "-at_install")
class TestPgArray(TransactionCase):
    def read_back(self, values, cast):
        self.env.cr.execute(SQL("SELECT UNNEST(%s::%s[])", pg_array(values), SQL(cast)))
        return [row[0] for row in self.env.cr.fetchall()]

    def test_text_reads_back_as_sent(self):
        texts = [
            'a "quoted" word',
            'a back\\slash and \\" both',
            "{braces, and commas}",
            "NULL",
            "",
            None,
            "  spaces kept  ",
            "línea\nnueva\ttab, ação, 中文",
            "it's",
            Markup('<p>Escalated: <b>"broken"</b> &amp; more</p>'),
        ]
        self.assertEqual(
            self.read_back(texts, "text"),
            [None if text is None else str(text) for text in texts],
        )

    def test_other_types_read_back_as_sent(self):
        ids = [1, None, -3, 2**31 - 1]
        self.assertEqual(self.read_back(ids, "int"), ids)
        self.assertEqual(self.read_back(iter({5}), "int"), [5])
        self.assertEqual(self.read_back([], "int"), [])
        moments = [datetime.datetime(2026, 12, 7, 4, 0, 1, 123456), None]
        self.assertEqual(self.read_back(moments, "timestamp"), moments)
        days = [datetime.date(2026, 2, 28), None]
        self.assertEqual(self.read_back(days, "date"), days)
        # Odoo's cursor reads numeric as float
        self.assertEqual(
            self.read_back([1234.5, Decimal("0.10"), 1e-05, None], "numeric"),
            [1234.5, 0.1, 1e-05, None],
        )
        self.assertEqual(
            self.read_back([True, False, None], "bool"), [True, False, None]
        )

    def test_a_nul_byte_is_refused_before_the_query(self):
        with self.assertRaises(ValueError):
            self.read_back(["a\x00b"], "text")
