from odoo import fields, models

VIA_SELECTION = [
    ("offline", "Offline rules"),
    ("llm", "Language model"),
    ("fallback", "Offline rules (model failed)"),
]


class CollectionConversationTurn(models.Model):
    """One exchange: what the customer said, how it was read, what the agent
    answered and decided."""

    _name = "collection.conversation.turn"
    _description = "AI Agent Conversation Turn"
    _order = "id"

    conversation_id = fields.Many2one(
        "collection.conversation", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="conversation_id.partner_id", store=True)
    company_id = fields.Many2one(related="conversation_id.company_id", store=True)
    channel = fields.Char(required=True)
    customer_text = fields.Text("Customer Message", required=True)
    reply = fields.Text("Agent Reply")
    intent = fields.Char()
    actions = fields.Json()
    action_summary = fields.Char(compute="_compute_action_summary")
    via = fields.Selection(VIA_SELECTION, default="offline", required=True)
    note = fields.Char(help="Why the language model was not used.")
    message_ids = fields.Many2many(
        "collection.message", string="Outbox Rows", help="How the answer was sent."
    )

    def _compute_action_summary(self):
        for turn in self:
            turn.action_summary = ", ".join(
                action.get("type", "") for action in turn.actions or []
            )
