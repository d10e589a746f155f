from odoo import models


class CollectionConversation(models.Model):
    _name = "collection.conversation"
    _inherit = ["collection.conversation", "collection.team.scope"]

    def _on_escalation(self, reason, transcript):
        """The agent's hand-over opens or updates the customer's case, with
        the transcript, instead of a loose activity."""
        self.ensure_one()
        self.env["collection.case"].sudo()._escalate(
            self.partner_id,
            self.company_id,
            reason,
            note=self._transcript_html(transcript),
        )
