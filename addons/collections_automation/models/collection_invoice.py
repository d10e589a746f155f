from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import buckets as bucket_engine

#: Comparisons on days overdue, flipped onto the due date.
FLIPPED = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


class CollectionInvoice(models.Model):
    """Delinquency figures of one open customer invoice.

    A narrow table beside ``account_move`` rather than columns on it: the
    figures move with the calendar, and rewriting wide, heavily indexed
    ``account_move`` rows every day would cost far more (WAL, index churn)
    than writing these. Rows are kept by SQL (see ``collection.refresh``):
    one per posted customer invoice with an unpaid installment, gone once
    it is paid. The due date is the oldest unpaid installment's, so an
    invoice paid in installments is chased installment by installment.
    """

    _name = "collection.invoice"
    _description = "Invoice in Collection"
    _order = "due_date, id"
    _rec_name = "move_id"
    # Kept by SQL only, in a table of our own (see init): no log columns and
    # no foreign keys. Each foreign key costs a lookup that also locks the
    # referenced row, and rows here are rewritten by the refresh anyway, so
    # they could never dangle for long; without them the 200,000-row rebuild
    # inserts in a fraction of the time.
    _auto = False
    _log_access = False

    move_id = fields.Many2one("account.move", "Invoice", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    due_date = fields.Date(
        "Oldest Open Due Date",
        readonly=True,
        help="Due date of the oldest installment not yet paid.",
    )
    days_overdue = fields.Integer(
        compute="_compute_days_overdue", search="_search_days_overdue"
    )
    amount_overdue = fields.Monetary(
        readonly=True, help="Unpaid installments past their due date."
    )
    amount_residual = fields.Monetary("Amount Due", readonly=True)
    # the invoice's own currency: what the customer is asked for; the figures
    # above are in company currency (the day's buckets, scores, priorities)
    invoice_currency_id = fields.Many2one(
        related="move_id.currency_id", string="Invoice Currency"
    )
    invoice_amount_total = fields.Monetary(
        related="move_id.amount_total",
        currency_field="invoice_currency_id",
        string="Invoice Total",
    )
    invoice_amount_residual = fields.Monetary(
        related="move_id.amount_residual",
        currency_field="invoice_currency_id",
        string="Amount Due in Invoice Currency",
    )
    bucket_id = fields.Many2one("collection.bucket", readonly=True)
    hold = fields.Selection(related="move_id.collection_hold")

    def init(self):
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS collection_invoice (
                id SERIAL PRIMARY KEY,
                move_id INTEGER NOT NULL UNIQUE,
                partner_id INTEGER,
                company_id INTEGER,
                due_date DATE,
                amount_overdue NUMERIC,
                amount_residual NUMERIC,
                bucket_id INTEGER
            );
            CREATE INDEX IF NOT EXISTS collection_invoice_partner_company_index
                ON collection_invoice (partner_id, company_id);
            CREATE INDEX IF NOT EXISTS collection_invoice_bucket_index
                ON collection_invoice (bucket_id);
            """
        )

    @api.depends("due_date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for record in self:
            record.days_overdue = (
                bucket_engine.days_overdue(record.due_date, today)
                if record.due_date
                else 0
            )

    @api.model
    def _days_overdue_domain(self, field_name, operator, value):
        """Days overdue compared with N, as a domain on the due date field."""
        if operator not in FLIPPED or not isinstance(value, int):
            raise UserError(
                self.env._("Days overdue can only be compared with a whole number.")
            )
        due = fields.Date.subtract(fields.Date.context_today(self), days=value)
        return [(field_name, FLIPPED[operator], due)]

    def _search_days_overdue(self, operator, value):
        return self._days_overdue_domain("due_date", operator, value)

    @api.model
    def _open_moves(self, partner, company):
        """The customer's invoices with something unpaid in ``company``, oldest
        due first: what a promise, plan or payment link is about."""
        return self.search(
            [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
        ).move_id
