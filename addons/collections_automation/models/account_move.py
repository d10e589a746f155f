from odoo import api, fields, models
from odoo.tools import SQL

COLLECTED_MOVE_TYPES = ("out_invoice", "out_receipt")


class AccountMove(models.Model):
    """Delinquency figures shown on customer invoices.

    The figures live in ``collection.invoice`` (a narrow table kept by the
    refresh, see its docstring for why); here they are read, searched and
    refreshed at once when an invoice is posted, reset or cancelled.
    """

    _inherit = "account.move"

    # === Collection fields === #
    collection_invoice_ids = fields.One2many(
        "collection.invoice", "move_id", "Collection Figures"
    )
    collection_due_date = fields.Date(
        "Oldest Open Due Date",
        compute="_compute_collection_figures",
        search="_search_collection_due_date",
        help="Due date of the oldest installment not yet paid.",
    )
    collection_amount_overdue = fields.Monetary(
        "Amount Overdue",
        compute="_compute_collection_figures",
        currency_field="company_currency_id",
        help="Unpaid installments past their due date, in company currency.",
    )
    collection_bucket_id = fields.Many2one(
        "collection.bucket",
        "Delinquency Bucket",
        compute="_compute_collection_figures",
        search="_search_collection_bucket_id",
    )
    collection_days_overdue = fields.Integer(
        "Days Overdue",
        compute="_compute_collection_figures",
        search="_search_collection_days_overdue",
        help="Days since the oldest unpaid installment fell due; 0 while it is "
        "not due yet.",
    )
    collection_next_due_date = fields.Date(
        "Next Due",
        compute="_compute_collection_figures",
        help="Due date of the oldest installment not yet paid (the invoice's "
        "due date once nothing is left to collect).",
    )
    collection_overdue_label = fields.Char(
        "Overdue",
        compute="_compute_collection_figures",
        help="How late the oldest unpaid installment is, in words.",
    )
    collection_hold = fields.Selection(
        [("dispute", "Dispute"), ("legal", "Legal")],
        tracking=True,
        # the few invoices on hold, found without reading the open ones
        index="btree_not_null",
        help="An invoice on hold gets no reminder until the hold is lifted.",
    )

    @api.model
    def _collection_held_sql(self):
        """The ids of the invoices on hold, as a subquery: the few of them,
        read once through the partial index of ``collection_hold``, rather
        than every open invoice looked up for its hold."""
        self.flush_model(["collection_hold"])
        return SQL("SELECT id FROM account_move WHERE collection_hold IS NOT NULL")

    # === Compute and search methods === #
    @api.depends(
        "invoice_date_due",
        "collection_invoice_ids.due_date",
        "collection_invoice_ids.amount_overdue",
        "collection_invoice_ids.bucket_id",
    )
    def _compute_collection_figures(self):
        for move in self:
            figures = move.collection_invoice_ids[:1]
            move.collection_due_date = figures.due_date
            move.collection_amount_overdue = figures.amount_overdue
            move.collection_bucket_id = figures.bucket_id
            # measured from the oldest unpaid installment: never negative
            days = max(figures.days_overdue, 0) if figures.due_date else 0
            move.collection_days_overdue = days
            move.collection_next_due_date = figures.due_date or move.invoice_date_due
            if not figures.due_date:
                move.collection_overdue_label = False
            elif days:
                move.collection_overdue_label = self.env._(
                    "%(days)s days overdue", days=days
                )
            else:
                move.collection_overdue_label = self.env._("Not due")

    def _search_collection_due_date(self, operator, value):
        return [("collection_invoice_ids.due_date", operator, value)]

    def _search_collection_bucket_id(self, operator, value):
        return [("collection_invoice_ids.bucket_id", operator, value)]

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The bucket as SQL (from ``collection.invoice``, one row per
        invoice), so that invoice lists group and sort by it."""
        if fname == "collection_bucket_id":
            return SQL(
                "(SELECT ci.bucket_id FROM collection_invoice ci"
                " WHERE ci.move_id = %s)",
                SQL.identifier(alias, "id"),
            )
        return super()._field_to_sql(alias, fname, query, flush)

    def _search_collection_days_overdue(self, operator, value):
        """Days overdue are 0 while not due: ``= 0`` is "not late", ``> 0``
        late, whatever the day the oldest installment falls due."""
        field = "collection_invoice_ids.due_date"
        Invoice = self.env["collection.invoice"]
        if isinstance(value, int) and value <= 0:
            # compared with 0 or less, days not yet due count as 0
            always = (operator in (">=", "!=") and value < 0) or (
                operator == ">=" or (operator == ">" and value < 0)
            )
            never = operator == "<" or (operator in ("=", "<=") and value < 0)
            if always:
                return [(field, "!=", False)]
            if never:
                return [("id", "=", 0)]
            if operator in ("=", "<="):  # value 0: not late
                return Invoice._days_overdue_domain(field, "<=", 0)
            if operator == "!=":  # value 0: late
                return Invoice._days_overdue_domain(field, ">", 0)
        return Invoice._days_overdue_domain(field, operator, value)

    # === Refresh at once === #
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._collection_refresh_customers()
        return posted

    def button_draft(self):
        result = super().button_draft()
        self._collection_refresh_customers()
        return result

    def button_cancel(self):
        result = super().button_cancel()
        self._collection_refresh_customers()
        return result

    def _collection_refresh_customers(self):
        """Refresh the figures of these invoices' customers now; a payment or
        any entry on a receivable account counts too, since an unapplied
        payment lowers what its customer owes."""
        customers = self.filtered(
            lambda move: move.move_type in COLLECTED_MOVE_TYPES + ("out_refund",)
        ).commercial_partner_id
        customers |= (
            self.filtered(lambda move: move.move_type == "entry")
            .line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            .partner_id.commercial_partner_id
        )
        if customers:
            self.env["collection.debtor"]._refresh(partner_ids=customers.ids)

    def _collection_account_figures(self):
        """The customer's figures as its reminders state them, for the
        invoice's portal page: ``{"overdue", "due", "currency", "pay_amount",
        "pay_url"}`` in the invoice's currency, or None when the customer owes
        nothing in it."""
        self.ensure_one()
        if self.move_type not in COLLECTED_MOVE_TYPES:
            return None
        debtor = (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.commercial_partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            )
        )
        if not debtor:
            return None
        # in the invoice's currency: the debt in it, never a sum over currencies
        currency = self.currency_id
        figures = debtor._figures_in(currency)
        if currency.compare_amounts(figures["due"], 0) <= 0:
            return None
        return {
            "overdue": figures["overdue"],
            "due": figures["due"],
            "currency": currency,
            "pay_amount": figures["to_pay"],
            "pay_url": debtor._payment_link(currency=currency),
        }

    def action_collection_lift_hold(self):
        """Lift the hold, with the server's rights once the records are
        known to be readable (collectors do not edit contacts or invoices)."""
        self.check_access("read")
        on_hold = self.sudo().filtered("collection_hold")
        on_hold.write({"collection_hold": False})
        for move in on_hold:
            move.message_post(
                author_id=self.env.user.partner_id.id,
                body=self.env._("Collection hold lifted by %s.", self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
