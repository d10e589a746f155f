from odoo import fields, models


class CollectionMessage(models.Model):
    _inherit = "collection.message"

    kind = fields.Selection(
        selection_add=[("agent_reply", "AI agent reply")],
        ondelete={"agent_reply": "cascade"},
    )

    def _voice_agent_reply(self, provider, speech):
        """On a call, the agent's decision is acted on at once: a customer
        asking for a person is put through to the collectors' number (else
        told a person will call back, the escalation's activity being there
        for it), and one who asks to stop or is not the customer hears the
        answer and the goodbye: no more questions."""
        Conversation = self.env["collection.conversation"].sudo()
        before = Conversation._current(self.partner_id, self.company_id)
        last = max(before.turn_ids.ids, default=0)
        answer, ending = super()._voice_agent_reply(provider, speech)
        conversation = Conversation._current(self.partner_id, self.company_id)
        turn = conversation.turn_ids.filtered(
            lambda t: t.id > last and t.channel == "voice"
        )[-1:]
        if not answer or not turn:
            return answer, ending
        kinds = {action.get("type"): action for action in turn.actions or []}
        escalation = kinds.get("escalate", {}).get("reason")
        if escalation == "request_human":
            return answer, "transfer"
        if "opt_out" in kinds or escalation == "wrong_person":
            return answer, "hangup"
        return answer, ending
