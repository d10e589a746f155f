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
    currency_id = fields.Many2one(related="company_id.currency_id")
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_record_promise_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices",
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')),"
        " ('state', '=', 'posted'), ('payment_state', 'not in', ('paid', 'reversed')),"
        " ('commercial_partner_id', '=', partner_id),"
        " ('company_id', '=', company_id)]",
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
        if model == "res.partner" and ids:
            partner = self.env["res.partner"].browse(ids[:1]).commercial_partner_id
            values["partner_id"] = partner.id
            moves = self.env["collection.invoice"]._open_moves(
                partner, self.env.company
            )
        elif model == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            partners = moves.commercial_partner_id
            if len(partners) != 1:
                raise UserError(
                    self.env._("A promise is about the invoices of one customer.")
                )
            values["partner_id"] = partners.id
        else:
            return values
        values["invoice_ids"] = [fields.Command.set(moves.ids)]
        values["amount"] = sum(moves.mapped("amount_residual"))
        return values

    @api.onchange("invoice_ids")
    def _onchange_invoice_ids(self):
        if self.invoice_ids:
            self.amount = sum(self.invoice_ids.mapped("amount_residual"))

    def action_record(self):
        self.ensure_one()
        if self.currency_id.compare_amounts(self.amount, 0) <= 0:
            raise UserError(self.env._("The promised amount must be above zero."))
        if self.promise_date < fields.Date.context_today(self):
            raise UserError(self.env._("The promised date cannot be in the past."))
        try:
            promise = self.env["collection.promise"].create(
                {
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
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
