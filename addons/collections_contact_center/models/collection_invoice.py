from odoo import models


class CollectionInvoice(models.Model):
    _name = "collection.invoice"
    _inherit = ["collection.invoice", "collection.team.scope"]
