from odoo import models


class AccountMove(models.Model):
    """The statement of the invoice's customer, from the invoice form."""

    _inherit = "account.move"

    def action_collection_send_statement(self):
        self.ensure_one()
        return self.commercial_partner_id.action_collection_send_statement()
