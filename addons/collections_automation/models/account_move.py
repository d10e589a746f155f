from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import buckets as bucket_engine

COLLECTED_MOVE_TYPES = ("out_invoice", "out_receipt")


class AccountMove(models.Model):
    """Delinquency figures of customer invoices.

    The figures follow the invoice's oldest unpaid installment (receivable line),
    so a multi-installment invoice is chased as each installment falls due.
    A payment recomputes them at once through the ORM; the daily refresh
    (:meth:`_collection_refresh_invoices`) moves them on with the calendar in
    one SQL statement that writes only the invoices whose figures changed.
    """

    _inherit = "account.move"

    # === Collection fields === #
    collection_due_date = fields.Date(
        "Oldest Open Due Date",
        compute="_compute_collection_figures",
        store=True,
        index="btree_not_null",
        help="Due date of the oldest installment not yet paid.",
    )
    collection_amount_overdue = fields.Monetary(
        "Amount Overdue",
        compute="_compute_collection_figures",
        store=True,
        currency_field="company_currency_id",
        help="Unpaid installments past their due date, in company currency.",
    )
    collection_bucket_id = fields.Many2one(
        "collection.bucket",
        "Delinquency Bucket",
        compute="_compute_collection_figures",
        store=True,
        index="btree_not_null",
    )
    collection_days_overdue = fields.Integer(
        "Days Overdue",
        compute="_compute_collection_days_overdue",
        search="_search_collection_days_overdue",
        help="Days since the oldest unpaid installment fell due (negative: not yet).",
    )
    collection_hold = fields.Selection(
        [("dispute", "Dispute"), ("legal", "Legal")],
        tracking=True,
        help="An invoice on hold gets no reminder until the hold is lifted.",
    )

    # === Compute methods === #
    @api.depends(
        "state",
        "move_type",
        "line_ids.amount_residual",
        "line_ids.date_maturity",
        "line_ids.reconciled",
    )
    def _compute_collection_figures(self):
        today = fields.Date.context_today(self)
        buckets_by_company = {}
        for move in self:
            lines = move._collection_open_installments()
            if not lines:
                move.collection_due_date = False
                move.collection_amount_overdue = 0.0
                move.collection_bucket_id = False
                continue
            due = min(lines.mapped("date_maturity"))
            company = move.company_id
            if company not in buckets_by_company:
                buckets = self.env["collection.bucket"].sudo()._for_company(company)
                buckets_by_company[company] = (buckets, buckets._to_engine())
            records, engine_buckets = buckets_by_company[company]
            bucket = bucket_engine.bucket_for(
                bucket_engine.days_overdue(due, today), engine_buckets
            )
            move.collection_due_date = due
            move.collection_amount_overdue = sum(
                lines.filtered(lambda line: line.date_maturity < today).mapped(
                    "amount_residual"
                )
            )
            move.collection_bucket_id = (
                records.filtered(lambda b, code=bucket.code: b.code == code)[:1]
                if bucket
                else False
            )

    @api.depends("collection_due_date")
    def _compute_collection_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.collection_due_date
            move.collection_days_overdue = (
                bucket_engine.days_overdue(due, today) if due else 0
            )

    def _search_collection_days_overdue(self, operator, value):
        """More than N days overdue means a due date before today minus N days."""
        flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
        if operator not in flipped or not isinstance(value, int):
            raise UserError(
                self.env._("Days overdue can only be compared with a whole number.")
            )
        due = fields.Date.subtract(fields.Date.context_today(self), days=value)
        domain = [("collection_due_date", flipped[operator], due)]
        if operator in ("<", "<=", "!="):
            return ["|", ("collection_due_date", "=", False), *domain]
        return domain

    # === Business methods === #
    def _collection_open_installments(self):
        """Receivable installments of a posted customer invoice still owed."""
        self.ensure_one()
        if self.state != "posted" or self.move_type not in COLLECTED_MOVE_TYPES:
            return self.env["account.move.line"]
        return self.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
            and not line.reconciled
            and line.company_currency_id.compare_amounts(line.amount_residual, 0) > 0
        )

    @api.model
    def _collection_refresh_invoices(self, today, company_ids=None):
        """Set the figures of every open customer invoice as of ``today``.

        One statement computes the figures from the open installments and
        writes only the invoices whose figures changed (on an ordinary day, those
        crossing a bucket boundary or with an installment falling due), then
        clears the figures of invoices no longer open. Returns the count written.
        """
        self.env.flush_all()
        company_filter = (
            SQL("AND aml.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        move_filter = (
            SQL("AND am.company_id = ANY(%s)", list(company_ids))
            if company_ids
            else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            WITH company_buckets AS (%(buckets)s),
            open_moves AS (
                SELECT aml.move_id,
                       aml.company_id,
                       MIN(aml.date_maturity) AS due_date,
                       COALESCE(SUM(aml.amount_residual)
                           FILTER (WHERE aml.date_maturity < %(today)s), 0) AS overdue
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.display_type = 'payment_term'
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND am.move_type IN %(move_types)s
                   %(company_filter)s
              GROUP BY aml.move_id, aml.company_id
            ),
            figures AS (
                SELECT om.move_id, om.due_date, om.overdue, cb.bucket_id
                  FROM open_moves om
             LEFT JOIN company_buckets cb
                    ON cb.company_id = om.company_id
                   AND %(today)s - om.due_date >= cb.min_days
                   AND (cb.max_days IS NULL OR %(today)s - om.due_date <= cb.max_days)
            ),
            written AS (
                UPDATE account_move am
                   SET collection_due_date = f.due_date,
                       collection_amount_overdue = f.overdue,
                       collection_bucket_id = f.bucket_id
                  FROM figures f
                 WHERE am.id = f.move_id
                   AND (am.collection_due_date, am.collection_amount_overdue,
                        am.collection_bucket_id)
                       IS DISTINCT FROM (f.due_date, f.overdue, f.bucket_id)
             RETURNING am.id
            ),
            cleared AS (
                UPDATE account_move am
                   SET collection_due_date = NULL,
                       collection_amount_overdue = 0,
                       collection_bucket_id = NULL
                 WHERE am.collection_due_date IS NOT NULL
                   %(move_filter)s
                   AND NOT EXISTS (SELECT 1 FROM figures f WHERE f.move_id = am.id)
             RETURNING am.id
            )
            SELECT (SELECT COUNT(*) FROM written) + (SELECT COUNT(*) FROM cleared)
            """,
                buckets=self.env["collection.bucket"]._company_buckets_sql(),
                today=today,
                move_types=COLLECTED_MOVE_TYPES,
                company_filter=company_filter,
                move_filter=move_filter,
            )
        )
        count = self.env.cr.fetchone()[0]
        # raw SQL wrote behind the ORM's back: forget every cached value
        self.env.invalidate_all()
        return count
