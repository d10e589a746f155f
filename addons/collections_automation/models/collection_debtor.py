from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import buckets as bucket_engine


class CollectionDebtor(models.Model):
    """A customer in collection for one company: its figures, segment and score.

    One row per commercial partner and company, kept by the daily refresh
    (:meth:`_refresh`): figures come from the open receivable lines in one
    set-based statement that writes only the rows that changed; segment, score
    and priority come from the pure engine and are written back in bulk.
    """

    _name = "collection.debtor"
    _description = "Customer in Collection"
    _order = "total_overdue desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    country_id = fields.Many2one(related="partner_id.country_id", store=True)
    company_type = fields.Selection(related="partner_id.company_type", store=True)
    total_due = fields.Monetary(help="All open receivables, credits deducted.")
    total_overdue = fields.Monetary(help="Open receivables past their due date.")
    oldest_due_date = fields.Date(help="Due date of the oldest unpaid installment.")
    days_overdue = fields.Integer(compute="_compute_days_overdue")
    worst_bucket_id = fields.Many2one("collection.bucket", index=True)
    open_invoice_count = fields.Integer("Open Invoices")

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer is in collection once per company.",
        ),
    ]

    @api.depends("oldest_due_date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for debtor in self:
            due = debtor.oldest_due_date
            debtor.days_overdue = bucket_engine.days_overdue(due, today) if due else 0

    # === Refresh === #
    @api.model
    def _refresh(self, today=None, company_ids=None):
        """Bring every invoice and customer figure to ``today``, set-based.

        :return: dict of counts written (invoices, debtors)
        """
        today = today or fields.Date.context_today(self)
        invoices = self.env["account.move"]._collection_refresh_invoices(
            today, company_ids
        )
        debtors = self._refresh_figures(today, company_ids)
        return {"invoices": invoices, "debtors": debtors}

    @api.model
    def _refresh_figures(self, today, company_ids=None):
        """Upsert each customer's figures from the open receivable lines.

        Rows whose figures did not change are not written; customers with
        nothing open any more are zeroed.
        """
        self.env.flush_all()
        company_filter = (
            SQL("AND aml.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        debtor_filter = (
            SQL("AND d.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            WITH company_buckets AS (%(buckets)s),
            totals AS (
                SELECT aml.partner_id,
                       aml.company_id,
                       SUM(aml.amount_residual) AS total_due,
                       COALESCE(SUM(aml.amount_residual)
                           FILTER (WHERE aml.date_maturity < %(today)s), 0)
                           AS total_overdue,
                       MIN(aml.date_maturity)
                           FILTER (WHERE aml.amount_residual > 0) AS oldest_due_date,
                       COUNT(DISTINCT aml.move_id)
                           FILTER (WHERE aml.amount_residual > 0
                                   AND aml.display_type = 'payment_term')
                           AS open_invoice_count
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.partner_id IS NOT NULL
                   %(company_filter)s
              GROUP BY aml.partner_id, aml.company_id
            ),
            figures AS (
                SELECT t.*, cb.bucket_id AS worst_bucket_id,
                       p.country_id,
                       CASE WHEN p.is_company THEN 'company' ELSE 'person' END
                           AS company_type
                  FROM totals t
                  JOIN res_partner p ON p.id = t.partner_id
             LEFT JOIN company_buckets cb
                    ON cb.company_id = t.company_id
                   AND %(today)s - t.oldest_due_date >= cb.min_days
                   AND (cb.max_days IS NULL
                        OR %(today)s - t.oldest_due_date <= cb.max_days)
            ),
            upserted AS (
                INSERT INTO collection_debtor AS d
                       (partner_id, company_id, country_id, company_type,
                        total_due, total_overdue, oldest_due_date,
                        worst_bucket_id, open_invoice_count,
                        create_uid, write_uid, create_date, write_date)
                SELECT partner_id, company_id, country_id, company_type,
                       total_due, total_overdue, oldest_due_date,
                       worst_bucket_id, open_invoice_count,
                       %(uid)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       NOW() AT TIME ZONE 'UTC'
                  FROM figures
           ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET total_due = EXCLUDED.total_due,
                       total_overdue = EXCLUDED.total_overdue,
                       oldest_due_date = EXCLUDED.oldest_due_date,
                       worst_bucket_id = EXCLUDED.worst_bucket_id,
                       open_invoice_count = EXCLUDED.open_invoice_count,
                       write_date = EXCLUDED.write_date
                 WHERE (d.total_due, d.total_overdue, d.oldest_due_date,
                        d.worst_bucket_id, d.open_invoice_count)
                       IS DISTINCT FROM
                       (EXCLUDED.total_due, EXCLUDED.total_overdue,
                        EXCLUDED.oldest_due_date, EXCLUDED.worst_bucket_id,
                        EXCLUDED.open_invoice_count)
             RETURNING d.id
            ),
            zeroed AS (
                UPDATE collection_debtor d
                   SET total_due = 0, total_overdue = 0, oldest_due_date = NULL,
                       worst_bucket_id = NULL, open_invoice_count = 0,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE (d.total_due <> 0 OR d.oldest_due_date IS NOT NULL)
                   %(debtor_filter)s
                   AND NOT EXISTS (
                       SELECT 1 FROM figures f
                        WHERE f.partner_id = d.partner_id
                          AND f.company_id = d.company_id)
             RETURNING d.id
            )
            SELECT (SELECT COUNT(*) FROM upserted) + (SELECT COUNT(*) FROM zeroed)
            """,
                buckets=self.env["collection.bucket"]._company_buckets_sql(),
                today=today,
                uid=self.env.uid,
                company_filter=company_filter,
                debtor_filter=debtor_filter,
            )
        )
        count = self.env.cr.fetchone()[0]
        # raw SQL wrote behind the ORM's back (debtors and partners' links)
        self.env.invalidate_all()
        return count

    @api.model
    def _cron_refresh(self):
        """Scheduled action: the daily refresh of every company."""
        self._refresh()
