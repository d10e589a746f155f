from odoo import models


class CollectionMessage(models.Model):
    _name = "collection.message"
    _inherit = ["collection.message", "collection.team.scope"]
