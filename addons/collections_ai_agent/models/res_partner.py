from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    collection_hold = fields.Selection(
        selection_add=[("hardship", "Hardship")], ondelete={"hardship": "set null"}
    )
    collection_conversation_ids = fields.One2many(
        "collection.conversation", "partner_id", "AI Conversations"
    )
    collection_conversation_count = fields.Integer(
        compute="_compute_collection_conversation_count",
        groups="collections_automation.group_collection_user",
    )

    def _compute_collection_conversation_count(self):
        counts = dict(
            self.env["collection.conversation"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.collection_conversation_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_collection_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_ai_agent.collection_conversation_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
