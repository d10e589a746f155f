from odoo import api, models


class AccountPartialReconcile(models.Model):
    """Settle promises to pay as soon as a payment is reconciled."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partners = partials.debit_move_id.filtered(
            lambda line: line.display_type == "payment_term"
        ).partner_id
        if partners:
            self.env["collection.promise"].search(
                [
                    ("partner_id.commercial_partner_id", "in", partners.ids),
                    ("state", "=", "open"),
                ]
            )._settle()
        return partials
