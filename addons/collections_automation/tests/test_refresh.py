from unittest.mock import patch

from odoo.tests import tagged

from ..models import collection_debtor
from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestRefresh(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Debtor = cls.env["collection.debtor"]

    def refresh(self, day):
        """Refresh this test's company only (demo data lives in another)."""
        return self.Debtor._refresh(day, company_ids=self.env.company.ids)

    def test_invoice_bucket_and_days_overdue(self):
        invoice = self.make_invoice(self.partner_a, 1000, due_in=-20)
        self.assertEqual(invoice.collection_days_overdue, 20)
        self.assertEqual(invoice.collection_bucket_id, self.buckets["mid"])
        self.assertAlmostEqual(invoice.collection_amount_overdue, 1000)
        not_due = self.make_invoice(self.partner_a, 300, due_in=3)
        self.assertEqual(not_due.collection_bucket_id, self.buckets["preventive"])
        self.assertEqual(not_due.collection_amount_overdue, 0)
        self.assertIn(
            invoice,
            self.env["account.move"].search([("collection_days_overdue", ">", 15)]),
        )
        self.assertNotIn(
            not_due,
            self.env["account.move"].search([("collection_days_overdue", ">", 15)]),
        )

    def test_payment_updates_invoice_at_once(self):
        invoice = self.make_invoice(self.partner_a, 1000, due_in=-5)
        self.pay(invoice, 400)
        self.assertAlmostEqual(invoice.collection_amount_overdue, 600)
        self.assertEqual(invoice.collection_bucket_id, self.buckets["early"])
        self.pay(invoice, 600)
        self.assertFalse(invoice.collection_bucket_id)
        self.assertFalse(invoice.collection_due_date)
        self.assertEqual(invoice.collection_amount_overdue, 0)

    def test_installments_chased_one_by_one(self):
        invoice = self.make_invoice(
            self.partner_a, 1000, invoice_in=-10, term=self.two_installments
        )
        self.assertEqual(invoice.invoice_date_due, self.days(20))
        self.assertEqual(invoice.collection_due_date, self.days(-10))
        self.assertEqual(invoice.collection_bucket_id, self.buckets["early"])
        self.assertAlmostEqual(invoice.collection_amount_overdue, 500)
        self.pay(invoice, 500)
        self.assertEqual(invoice.collection_due_date, self.days(20))
        self.assertEqual(invoice.collection_amount_overdue, 0)
        self.assertFalse(invoice.collection_bucket_id, "20 days ahead is no bucket")

    def test_sql_refresh_matches_orm_and_moves_with_the_calendar(self):
        invoice = self.make_invoice(
            self.partner_a, 1000, invoice_in=-10, term=self.two_installments
        )
        other = self.make_invoice(self.partner_b, 200, due_in=-70)
        # nothing changed since the ORM computed today's figures
        self.assertEqual(self.refresh(self.today)["invoices"], 0)
        self.assertEqual(other.collection_bucket_id, self.buckets["late"])
        counts = self.refresh(self.days(45))
        self.assertEqual(counts["invoices"], 1, "only the invoice changing is written")
        self.assertEqual(invoice.collection_bucket_id, self.buckets["mid"])
        self.assertAlmostEqual(invoice.collection_amount_overdue, 1000)
        self.assertEqual(other.collection_bucket_id, self.buckets["late"])
        self.assertEqual(self.refresh(self.days(46))["invoices"], 0)
        # day 51: the invoice reaches 61 days (late), the other 121 (legal)
        self.assertEqual(self.refresh(self.days(51))["invoices"], 2)
        self.assertEqual(invoice.collection_bucket_id, self.buckets["late"])
        self.assertEqual(other.collection_bucket_id, self.buckets["legal"])

    def test_customer_figures(self):
        self.make_invoice(self.partner_a, 1000, due_in=-30)
        self.make_invoice(
            self.partner_a, 500, invoice_in=-10, term=self.two_installments
        )
        self.make_invoice(self.partner_a, 200, due_in=5)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.partner_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Credit",
                            "quantity": 1,
                            "price_unit": 100,
                            "tax_ids": [],
                        },
                    )
                ],
            }
        )
        refund.action_post()
        self.refresh(self.today)
        debtor = self.Debtor.search(
            [
                ("partner_id", "=", self.partner_a.id),
                ("company_id", "=", self.env.company.id),
            ]
        )
        self.assertEqual(len(debtor), 1)
        self.assertAlmostEqual(debtor.total_due, 1000 + 500 + 200 - 100)
        # the unapplied credit note settles the oldest overdue item first
        self.assertAlmostEqual(debtor.total_overdue, 1000 + 250 - 100)
        self.assertEqual(debtor.oldest_due_date, self.days(-30))
        self.assertEqual(debtor.worst_bucket_id, self.buckets["mid"])
        self.assertEqual(debtor.open_invoice_count, 3)
        self.assertEqual(self.partner_a.collection_total_overdue, debtor.total_overdue)
        self.assertEqual(self.refresh(self.today)["debtors"], 0)

    def test_paid_customer_is_zeroed(self):
        invoice = self.make_invoice(self.partner_b, 300, due_in=-3)
        self.refresh(self.today)
        debtor = self.partner_b.collection_debtor_id
        self.assertAlmostEqual(debtor.total_overdue, 300)
        self.pay(invoice, 300)
        self.refresh(self.today)
        self.assertEqual(debtor.total_due, 0)
        self.assertFalse(debtor.worst_bucket_id)

    def test_score_follows_payment_history(self):
        late = self.make_invoice(self.partner_a, 400, due_in=-10)
        self.pay(late, 400)  # paid today: 10 days late
        self.make_invoice(self.partner_a, 100, due_in=-2)
        on_time = self.make_invoice(self.partner_b, 400, due_in=5)
        self.pay(on_time, 400)
        self.make_invoice(self.partner_b, 100, due_in=-2)
        self.refresh(self.today)
        late_payer = self.partner_a.collection_debtor_id
        good_payer = self.partner_b.collection_debtor_id
        self.assertLess(late_payer.score, 50)
        self.assertGreater(good_payer.score, 50)
        self.assertGreater(late_payer.priority, good_payer.priority)
        self.assertEqual(late_payer.segment_id.journey_id, late_payer.journey_id)

    def test_scored_in_batches_as_in_one(self):
        """Scores, segments, priorities and journeys come out the same
        whether the customers are scored all at once or a few at a time."""
        late = self.make_invoice(self.partner_a, 400, due_in=-10)
        self.pay(late, 400)
        self.make_invoice(self.partner_a, 100, due_in=-2)
        self.make_invoice(self.partner_b, 900, due_in=-70)
        self.make_invoice(self.env["res.partner"].create({"name": "C"}), 50, -1)
        self.refresh(self.today)
        debtors = self.Debtor.search([("company_id", "=", self.env.company.id)])
        self.assertGreater(len(debtors), 2)
        fields_ = ["score", "segment_id", "priority", "journey_id"]

        def scored(batch):
            debtors.write({"score": 0, "segment_id": False, "priority": 0})
            debtors.flush_recordset()
            with patch.object(collection_debtor, "SCORE_BATCH", batch):
                changed = debtors._refresh_scores(self.today)
            self.assertEqual(changed, len(debtors))
            return debtors.read(fields_)

        self.assertEqual(scored(2), scored(10000))

    def test_incremental_refresh_equals_a_full_one(self):
        """The daily refresh only visits customers with a line crossing a
        boundary; whatever the day, a full refresh then finds nothing to fix."""
        for offset, amount in (
            (-200, 90),
            (-61, 80),
            (-60, 70),
            (-15, 60),
            (0, 50),
            (1, 40),
            (7, 30),
            (8, 20),
            (45, 10),
        ):
            self.make_invoice(self.partner_a, amount, due_in=offset)
        self.make_invoice(
            self.partner_b, 500, invoice_in=-10, term=self.two_installments
        )
        self.Debtor._refresh(self.today, full=True)
        for offset in (1, 2, 5, 6, 12, 17, 23, 29, 35):
            day = self.days(offset)
            self.assertTrue(self.Debtor._incremental_since(day), "incremental path")
            self.Debtor._refresh(day)
            check = self.Debtor._refresh(day, full=True)
            self.assertEqual((check["invoices"], check["debtors"]), (0, 0), day)
        self.assertFalse(
            self.Debtor._incremental_since(self.days(42)), "a full run every week"
        )
