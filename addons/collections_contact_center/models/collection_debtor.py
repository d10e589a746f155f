from odoo import api, models


class CollectionDebtor(models.Model):
    _name = "collection.debtor"
    _inherit = ["collection.debtor", "collection.team.scope"]

    @api.model
    def _refresh(self, *args, **kwargs):
        """Once the figures are fresh, cases of customers who paid close."""
        result = super()._refresh(*args, **kwargs)
        self.env["collection.case"]._close_paid()
        return result
