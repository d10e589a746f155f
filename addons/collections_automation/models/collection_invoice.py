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

    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", index=True, readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True)
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
    bucket_id = fields.Many2one("collection.bucket", index=True, readonly=True)
    hold = fields.Selection(related="move_id.collection_hold")

    _sql_constraints = [
        ("move_uniq", "unique(move_id)", "One collection record per invoice."),
    ]

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
