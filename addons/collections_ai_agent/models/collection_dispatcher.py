from odoo import api, models


class CollectionDispatcher(models.AbstractModel):
    _inherit = "collection.dispatcher"

    @api.model
    def _allowed_now(self, messages, now):
        """The agent's answers are part of a conversation the customer just
        started: they go at once, whatever the hour or the frequency caps,
        unless the customer opted out of the channel or may not be contacted
        at all (then they are refused, with the reason on the row)."""
        replies = messages.filtered(lambda m: m.kind == "agent_reply")
        allowed = super()._allowed_now(messages - replies, now)
        Message = self.env["collection.message"]
        for message in replies:
            partner = message.partner_id
            if partner.collection_do_not_contact:
                rule, reason = (
                    "agent_do_not_contact",
                    self.env._("The customer may not be contacted."),
                )
            elif message.channel in partner._collection_opted_out():
                rule, reason = (
                    "agent_opt_out",
                    self.env._("The customer opted out of %s.", message.channel),
                )
            else:
                allowed |= message
                continue
            message._mark_refused(Message._refusal_decision(rule, reason))
        return allowed
