from odoo import models


class CollectionPromise(models.Model):
    _name = "collection.promise"
    _inherit = ["collection.promise", "collection.team.scope"]
