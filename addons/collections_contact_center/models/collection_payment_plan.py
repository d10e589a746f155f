from odoo import models


class CollectionPaymentPlan(models.Model):
    _name = "collection.payment.plan"
    _inherit = ["collection.payment.plan", "collection.team.scope"]
