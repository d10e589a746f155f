from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class CollectionRecordPromise(models.TransientModel):
    """Record a customer's promise to pay, from the customer or an invoice.

    The promise is created as the person recording it, so the negotiation
    policy and the access rules apply as anywhere else; what they refuse is
    said in words and nothing is recorded.
    """

    _name = "collection.record.promise"
    _description = "Record a Promise to Pay"

    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda s: s.env.company.currency_id,
        help="The currency of the debt promised: a customer owing in several "
        "currencies promises each debt apart. The invoices and the amount are "
        "in it.",
    )
    debt_currency_ids = fields.Many2many(
        "res.currency", compute="_compute_debt_currency_ids"
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_record_promise_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices",
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')),"
        " ('state', '=', 'posted'), ('payment_state', 'not in', ('paid', 'reversed')),"
        " ('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id), ('currency_id', '=', currency_id)]",
    )
    amount = fields.Monetary(required=True)
    promise_date = fields.Date(
        "Promised For",
        required=True,
        default=lambda s: fields.Date.add(fields.Date.context_today(s), days=7),
    )
    note = fields.Text()
    policy_override_reason = fields.Char(
        "Policy Override",
        help="Only for a collection manager recording a promise outside the "
        "negotiation policy: why.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, ids = context.get("active_model"), context.get("active_ids") or []
        company = self.env["res.company"].browse(
            values.get("company_id") or self.env.company.id
        )
        moves = self.env["account.move"]
        if model == "res.partner" and ids:
            partner = self.env["res.partner"].browse(ids[:1]).commercial_partner_id
        elif model == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            partner = moves.commercial_partner_id
            if len(partner) != 1:
                raise UserError(
                    self.env._("A promise is about the invoices of one customer.")
                )
            if len(moves.currency_id) > 1:
                raise UserError(
                    self.env._(
                        "A promise is about a debt in one currency: select the "
                        "invoices of one currency (%s).",
                        ", ".join(moves.currency_id.mapped("name")),
                    )
                )
        else:
            return values
        values["partner_id"] = partner.id
        debtor = self._debtor(partner, company)
        currency = moves.currency_id or (
            debtor._debt_currency() if debtor else company.currency_id
        )
        values["currency_id"] = currency.id
        if not moves:
            moves = self._debt_invoices(debtor, currency)
        values["invoice_ids"] = [fields.Command.set(moves.ids)]
        values["amount"] = self._amount_for(debtor, currency, moves)
        return values

    @api.model
    def _debtor(self, partner, company):
        """The customer's collection record in ``company`` (read with the
        server's rights: its figures are those the customer is told)."""
        return (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )

    @api.model
    def _debt_invoices(self, debtor, currency):
        """The invoices of the debt in ``currency``: those with something
        overdue, else all open ones (not on hold)."""
        if not debtor:
            return self.env["account.move"]
        figures = debtor._figures_in(currency)
        moves = figures["overdue_invoices"] or figures["invoices"]
        return self.env["account.move"].browse(moves.ids)

    @api.model
    def _amount_for(self, debtor, currency, moves):
        """What the invoices leave to pay in ``currency``, no more than the
        debt the customer is told in it (the balance the promise is checked
        against: credits and invoices on hold counted)."""
        amount = sum(
            moves.filtered(lambda m: m.currency_id == currency).mapped(
                "amount_residual"
            )
        )
        to_pay = debtor._amount_to_pay(currency) if debtor else 0.0
        if currency.compare_amounts(to_pay, 0) > 0:
            amount = min(amount, to_pay) if moves else to_pay
        return currency.round(amount)

    @api.depends("partner_id", "company_id")
    def _compute_debt_currency_ids(self):
        for wizard in self:
            debtor = wizard.partner_id and wizard._debtor(
                wizard.partner_id, wizard.company_id
            )
            currencies = self.env["res.currency"]
            for line in debtor._open_amounts_by_currency() if debtor else []:
                currencies |= line["currency"]
            wizard.debt_currency_ids = currencies | wizard.currency_id

    @api.onchange("currency_id")
    def _onchange_currency_id(self):
        if not self.partner_id or not self.currency_id:
            return
        if self.invoice_ids and self.invoice_ids.currency_id == self.currency_id:
            return
        debtor = self._debtor(self.partner_id, self.company_id)
        moves = self._debt_invoices(debtor, self.currency_id)
        self.invoice_ids = moves
        self.amount = self._amount_for(debtor, self.currency_id, moves)

    @api.onchange("invoice_ids")
    def _onchange_invoice_ids(self):
        if not self.invoice_ids or len(self.invoice_ids.currency_id) != 1:
            return
        self.currency_id = self.invoice_ids.currency_id
        debtor = self._debtor(self.partner_id, self.company_id)
        self.amount = self._amount_for(debtor, self.currency_id, self.invoice_ids)

    def action_record(self):
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(self.env._("The promised amount must be above zero."))
        if self.promise_date < fields.Date.context_today(self):
            raise UserError(self.env._("The promised date cannot be in the past."))
        others = self.invoice_ids.filtered(
            lambda move: move.currency_id != self.currency_id
        )
        if others:
            raise UserError(
                self.env._(
                    "The promise is in %(currency)s: %(invoices)s are in another "
                    "currency. Record one promise per currency.",
                    currency=self.currency_id.name,
                    invoices=", ".join(others.mapped("name")),
                )
            )
        try:
            promise = self.env["collection.promise"].create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "currency_id": self.currency_id.id,
                    "invoice_ids": [fields.Command.set(self.invoice_ids.ids)],
                    "amount": self.amount,
                    "promise_date": self.promise_date,
                    "note": self.note,
                    "source": "collector",
                    "policy_override_reason": self.policy_override_reason,
                }
            )
        except (ValidationError, AccessError) as error:
            raise UserError(
                self.env._("The promise was not recorded. %s", error.args[0])
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Promise Recorded"),
                "message": promise.display_name,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
