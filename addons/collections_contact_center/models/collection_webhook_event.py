from odoo import models


class CollectionWebhookEvent(models.Model):
    _name = "collection.webhook.event"
    _inherit = ["collection.webhook.event", "collection.team.scope"]
