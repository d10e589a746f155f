from odoo import fields, models


class CollectionMessage(models.Model):
    _inherit = "collection.message"

    kind = fields.Selection(
        selection_add=[("agent_reply", "AI agent reply")],
        ondelete={"agent_reply": "cascade"},
    )
