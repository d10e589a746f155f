from odoo import api, models


class AccountPartialReconcile(models.Model):
    """A payment reconciled (or unreconciled) moves its customer's figures now
    and settles the customer's open promises."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._collection_after_change(
            (partials.debit_move_id | partials.credit_move_id).partner_id
        )
        return partials

    def unlink(self):
        partners = (self.debit_move_id | self.credit_move_id).partner_id
        result = super().unlink()
        self._collection_after_change(partners)
        return result

    def _collection_after_change(self, partners):
        customers = partners.commercial_partner_id
        if not customers:
            return
        self.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        self.env["collection.promise"].sudo().search(
            [
                ("partner_id.commercial_partner_id", "in", customers.ids),
                ("state", "=", "open"),
            ]
        )._settle()
