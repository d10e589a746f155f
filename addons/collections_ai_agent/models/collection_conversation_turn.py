from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

#: What the customer's message was read as, in words (codes: ``engine.nlu``).
INTENT_LABELS = {
    "pay_now": _lt("Wants to pay now"),
    "promise_to_pay": _lt("Promises to pay"),
    "request_extension": _lt("Asks for more time"),
    "request_installments": _lt("Asks for installments"),
    "already_paid": _lt("Says it is paid"),
    "dispute": _lt("Disputes the debt"),
    "request_human": _lt("Asks for a person"),
    "opt_out": _lt("Asks not to be contacted"),
    "wrong_person": _lt("Wrong person"),
    "balance_inquiry": _lt("Asks what is owed"),
    "hardship": _lt("Cannot pay (hardship)"),
    "affirm": _lt("Says yes"),
    "deny": _lt("Says no"),
    "unknown": _lt("Not understood"),
}
#: What the agent did, in words (codes: the dialogue's actions).
ACTION_LABELS = {
    "send_payment_link": _lt("Payment link sent"),
    "record_promise": _lt("Promise recorded"),
    "record_plan": _lt("Payment plan recorded"),
    "mark_dispute": _lt("Dispute recorded"),
    "hold": _lt("Reminders on hold"),
    "mark_paid_claim": _lt("Payment to check"),
    "opt_out": _lt("Opted out"),
    "escalate": _lt("Handed to a person"),
}

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
    intent_label = fields.Char("Read As", compute="_compute_intent_label")
    channel_label = fields.Char("Channel Name", compute="_compute_intent_label")
    actions = fields.Json()
    action_summary = fields.Char(compute="_compute_action_summary")
    via = fields.Selection(VIA_SELECTION, default="offline", required=True)
    note = fields.Char(help="Why the language model was not used.")
    message_ids = fields.Many2many(
        "collection.message", string="Outbox Rows", help="How the answer was sent."
    )

    @api.depends("intent", "channel")
    def _compute_intent_label(self):
        lang = self.env.lang
        channels = dict(
            self.env["collection.conversation"]
            ._fields["channel"]
            ._description_selection(self.env)
        )
        for turn in self:
            label = INTENT_LABELS.get(turn.intent)
            turn.intent_label = label._translate(lang) if label else turn.intent
            turn.channel_label = channels.get(turn.channel, turn.channel)

    @api.depends("actions")
    def _compute_action_summary(self):
        lang = self.env.lang
        for turn in self:
            labels = []
            for action in turn.actions or []:
                kind = action.get("type", "")
                label = ACTION_LABELS.get(kind)
                labels.append(label._translate(lang) if label else kind)
            turn.action_summary = ", ".join(labels)
