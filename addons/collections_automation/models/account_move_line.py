from odoo import models


class AccountMoveLine(models.Model):
    """A due date edited on a posted receivable line moves its customer now."""

    _inherit = "account.move.line"

    def write(self, vals):
        result = super().write(vals)
        if "date_maturity" in vals:
            customers = self.filtered(
                lambda line: line.parent_state == "posted"
                and line.account_id.account_type == "asset_receivable"
            ).partner_id.commercial_partner_id
            if customers:
                self.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        return result
