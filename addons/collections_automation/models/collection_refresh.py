from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import pg_array

#: Share of rows rewritten past which the planner statistics are renewed.
ANALYZE_SHARE = 0.2


class CollectionRefresh(models.AbstractModel):
    """Set-based refresh of invoice and customer figures.

    One scan of the open receivable lines lands in a temporary table (no WAL,
    fresh statistics); invoice figures (``collection.invoice``) and customer
    figures (``collection.debtor``) are aggregated from it and written with
    statements that touch only the rows whose figures changed, and delete or
    zero the ones no longer open. A scope (companies or customers) limits all
    of it, so a payment refreshes its customer at once for a few milliseconds.

    This is the one definition of a customer's figures in a company, which
    every amount stated to a customer or a collector reads (reminders, the
    payment page, the AI agent, cases and statements):

    * **total due**: every open receivable item, unapplied credit notes and
      payments deducted (the sum of the open residuals; may be negative);
    * **total overdue**: the customer's unapplied credits (open items with a
      negative residual, whatever their date) settle the open debit items
      oldest due first, as an aging applies them; what is left uncovered of
      the items past their due date is overdue. So it is the overdue items
      less the unapplied credits, never below zero. An installment not yet
      due (a later ``date_maturity`` on a partly overdue invoice) is due, not
      overdue;
    * **oldest due date** (and the worst bucket): the due date of the oldest
      item the credits leave uncovered; none when credits cover everything,
      which takes the customer out of the journeys.

    Invoice figures apply the same allocation: an invoice's overdue amount
    is what the credits leave of its installments past due, and its due date
    the oldest installment they leave uncovered (``amount_residual`` stays
    the invoice's own open amount).
    """

    _name = "collection.refresh"
    _description = "Collection Figures Refresh"

    @api.model
    def _run(self, today, company_ids=None, partner_ids=None):
        """Refresh the figures in scope as of ``today``.

        :return: (invoices written, ids of the debtors written)
        """
        self.env.flush_all()
        scope = self._scope_sql("aml", company_ids, partner_ids)
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS collection_open_line")
        cr.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE collection_open_line ON COMMIT DROP AS
                SELECT aml.id AS line_id, aml.move_id, aml.partner_id,
                       aml.company_id,
                       aml.amount_residual AS residual,
                       aml.date_maturity AS maturity,
                       aml.display_type = 'payment_term'
                           AND aml.amount_residual > 0 AS installment,
                       GREATEST(aml.amount_residual, 0) AS uncovered
                  FROM account_move_line aml
                 WHERE aml.account_id IN (
                           SELECT id FROM account_account
                            WHERE account_type = 'asset_receivable')
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.partner_id IS NOT NULL
                   %s
                """,
                scope,
            )
        )
        cr.execute("CREATE INDEX ON collection_open_line (partner_id, company_id)")
        cr.execute("ANALYZE collection_open_line")
        self._apply_credits()
        invoices = self._write_invoices(today, company_ids, partner_ids)
        debtor_ids = self._write_debtors(today, company_ids, partner_ids)
        self._write_broken_promises(company_ids, partner_ids)
        cr.execute("DROP TABLE collection_open_line")
        # raw SQL wrote behind the ORM's back: forget every cached value
        self.env.invalidate_all()
        return invoices, debtor_ids

    @api.model
    def _apply_credits(self):
        """Settle the open debit lines with their customer's unapplied credits
        (credit notes, payments: open lines with a negative residual), oldest
        due first, as an aging does: ``uncovered`` is what a credit leaves of
        each debit line. Only the lines of customers holding a credit are
        sorted, so a ledger without unapplied credits costs one scan."""
        self.env.cr.execute(
            """
            WITH credited AS (
                SELECT partner_id, company_id, SUM(residual) AS credit
                  FROM collection_open_line
                 WHERE residual < 0
              GROUP BY partner_id, company_id
            ),
            settled AS (
                SELECT l.ctid AS row, l.residual,
                       LEAST(l.residual, GREATEST(
                           SUM(l.residual) OVER (
                               PARTITION BY l.partner_id, l.company_id
                               ORDER BY l.maturity, l.line_id
                               ROWS UNBOUNDED PRECEDING)
                           + c.credit, 0)) AS uncovered
                  FROM credited c
                  JOIN collection_open_line l
                    ON l.partner_id = c.partner_id
                   AND l.company_id = c.company_id
                 WHERE l.residual > 0
            )
            UPDATE collection_open_line l
               SET uncovered = s.uncovered
              FROM settled s
             WHERE l.ctid = s.row AND s.uncovered <> s.residual
            """
        )

    @api.model
    def _partners_crossing(self, last, today):
        """Customers with an open line whose figures the calendar moved
        between ``last`` and ``today``: a line falling due, or crossing the
        first or last day of a bucket. Found through the due date index."""
        offsets = {1}
        for bucket in self.env["collection.bucket"].search([]):
            offsets.add(bucket.min_days)
            if not bucket.open_ended:
                offsets.add(bucket.max_days + 1)
        days = (today - last).days
        dates = sorted(
            {
                fields.Date.subtract(today, days=back + offset)
                for back in range(days)
                for offset in offsets
            }
        )
        if not dates:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT aml.partner_id
                  FROM account_move_line aml
                 WHERE aml.date_maturity = ANY(%s)
                   AND aml.account_id IN (
                           SELECT id FROM account_account
                            WHERE account_type = 'asset_receivable')
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.partner_id IS NOT NULL
                """,
                dates,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _scope_sql(self, alias, company_ids, partner_ids):
        clauses = []
        if company_ids:
            clauses.append(
                SQL(
                    "AND %s = ANY(%s::int[])",
                    SQL.identifier(alias, "company_id"),
                    pg_array(company_ids),
                )
            )
        if partner_ids:
            clauses.append(
                SQL(
                    "AND %s = ANY(%s::int[])",
                    SQL.identifier(alias, "partner_id"),
                    pg_array(partner_ids),
                )
            )
        return SQL(" ").join(clauses)

    @api.model
    def _write_invoices(self, today, company_ids, partner_ids):
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS collection_invoice_figures")
        cr.execute(
            SQL(
                """
                CREATE TEMPORARY TABLE collection_invoice_figures ON COMMIT DROP AS
                WITH company_buckets AS (%(buckets)s),
                moves AS (
                    SELECT move_id, MIN(partner_id) AS partner_id,
                           MIN(company_id) AS company_id,
                           MIN(maturity) FILTER (WHERE uncovered > 0)
                               AS due_date,
                           SUM(residual) AS amount_residual,
                           COALESCE(SUM(uncovered)
                               FILTER (WHERE maturity < %(today)s), 0) AS overdue
                      FROM collection_open_line
                     WHERE installment
                  GROUP BY move_id
                )
                SELECT m.*, cb.bucket_id
                  FROM moves m
             LEFT JOIN company_buckets cb
                    ON cb.company_id = m.company_id
                   AND %(today)s - m.due_date >= cb.min_days
                   AND (cb.max_days IS NULL OR %(today)s - m.due_date <= cb.max_days)
                """,
                buckets=self.env["collection.bucket"]._company_buckets_sql(),
                today=today,
            )
        )
        # the index keeps the anti-join below linear whatever the planner
        # believes of collection_invoice's size
        cr.execute("CREATE INDEX ON collection_invoice_figures (move_id)")
        cr.execute("ANALYZE collection_invoice_figures")
        cr.execute(
            SQL(
                """
                INSERT INTO collection_invoice AS ci
                       (move_id, partner_id, company_id, due_date, amount_overdue,
                        amount_residual, bucket_id)
                SELECT move_id, partner_id, company_id, due_date, overdue,
                       amount_residual, bucket_id
                  FROM collection_invoice_figures
           ON CONFLICT (move_id) DO UPDATE
                   SET due_date = EXCLUDED.due_date,
                       amount_overdue = EXCLUDED.amount_overdue,
                       amount_residual = EXCLUDED.amount_residual,
                       bucket_id = EXCLUDED.bucket_id
                 WHERE (ci.due_date, ci.amount_overdue, ci.amount_residual,
                        ci.bucket_id)
                       IS DISTINCT FROM
                       (EXCLUDED.due_date, EXCLUDED.amount_overdue,
                        EXCLUDED.amount_residual, EXCLUDED.bucket_id)
                """
            )
        )
        written = cr.rowcount
        self._analyze_after("collection_invoice", written)
        cr.execute(
            SQL(
                """
                DELETE FROM collection_invoice ci
                 WHERE NOT EXISTS (SELECT 1 FROM collection_invoice_figures f
                                    WHERE f.move_id = ci.move_id)
                   %s
                """,
                self._scope_sql("ci", company_ids, partner_ids),
            )
        )
        deleted = cr.rowcount
        self._analyze_after("collection_invoice", deleted)
        return written + deleted

    @api.model
    def _write_debtors(self, today, company_ids, partner_ids):
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                WITH company_buckets AS (%(buckets)s),
                totals AS (
                    SELECT partner_id, company_id,
                           SUM(residual) AS total_due,
                           COALESCE(SUM(uncovered)
                               FILTER (WHERE maturity < %(today)s), 0)
                               AS total_overdue,
                           MIN(maturity) FILTER (WHERE uncovered > 0)
                               AS oldest_due_date,
                           COUNT(DISTINCT move_id) FILTER (WHERE installment)
                               AS open_invoice_count
                      FROM collection_open_line
                  GROUP BY partner_id, company_id
                )
                INSERT INTO collection_debtor AS d
                       (partner_id, company_id, country_id, company_type,
                        total_due, total_overdue, oldest_due_date,
                        worst_bucket_id, open_invoice_count, score, priority,
                        reply_pending, create_date, write_date)
                SELECT t.partner_id, t.company_id, p.country_id,
                       CASE WHEN p.is_company THEN 'company' ELSE 'person' END,
                       t.total_due, t.total_overdue, t.oldest_due_date,
                       cb.bucket_id, t.open_invoice_count, 50, 0, FALSE,
                       NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM totals t
                  JOIN res_partner p ON p.id = t.partner_id
             LEFT JOIN company_buckets cb
                    ON cb.company_id = t.company_id
                   AND %(today)s - t.oldest_due_date >= cb.min_days
                   AND (cb.max_days IS NULL
                        OR %(today)s - t.oldest_due_date <= cb.max_days)
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
                """,
                buckets=self.env["collection.bucket"]._company_buckets_sql(),
                today=today,
            )
        )
        debtor_ids = [row[0] for row in cr.fetchall()]
        self._analyze_after("collection_debtor", len(debtor_ids))
        cr.execute(
            SQL(
                """
                UPDATE collection_debtor d
                   SET total_due = 0, total_overdue = 0, oldest_due_date = NULL,
                       worst_bucket_id = NULL, open_invoice_count = 0,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE (d.total_due <> 0 OR d.oldest_due_date IS NOT NULL)
                   %s
                   AND NOT EXISTS (
                       SELECT 1 FROM collection_open_line l
                        WHERE l.partner_id = d.partner_id
                          AND l.company_id = d.company_id)
             RETURNING d.id
                """,
                self._scope_sql("d", company_ids, partner_ids),
            )
        )
        debtor_ids += [row[0] for row in cr.fetchall()]
        self._analyze_after("collection_debtor", len(debtor_ids))
        return debtor_ids

    @api.model
    def _write_broken_promises(self, company_ids, partner_ids):
        """Each customer's last broken promise date, from which journeys restart."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_debtor d
                   SET broken_promise_date = b.day
                  FROM (SELECT rp.commercial_partner_id AS partner_id, p.company_id,
                               MAX(p.promise_date) AS day
                          FROM collection_promise p
                          JOIN res_partner rp ON rp.id = p.partner_id
                         WHERE p.state IN ('broken', 'partially_kept')
                      GROUP BY rp.commercial_partner_id, p.company_id) b
                 WHERE d.partner_id = b.partner_id
                   AND d.company_id = b.company_id
                   AND d.broken_promise_date IS DISTINCT FROM b.day
                   %s
                """,
                self._scope_sql("d", company_ids, partner_ids),
            )
        )

    @api.model
    def _analyze_after(self, table, written):
        """Renew a table's statistics after a large write.

        Stale statistics after a rebuild (a table believed empty) make the
        planner pick nested loops over hundreds of thousands of rows.
        """
        self.env.cr.execute(
            SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", table)
        )
        estimated = self.env.cr.fetchone()[0]
        if written and written > max(estimated, 0) * ANALYZE_SHARE:
            self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
