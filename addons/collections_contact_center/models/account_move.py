from odoo import models


class AccountMove(models.Model):
    """The statement of the invoice's customer, from the invoice form; a
    collector reads the invoices of their cases' customers in the case's
    company (``collection.team.scope``)."""

    _name = "account.move"
    _inherit = ["account.move", "collection.team.scope"]

    def action_collection_send_statement(self):
        self.ensure_one()
        return self.commercial_partner_id.action_collection_send_statement()
