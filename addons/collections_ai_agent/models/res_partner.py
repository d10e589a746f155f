import re

from lxml import html as lxml_html

from odoo import fields, models
from odoo.tools import html2plaintext

#: Where a reply's quoted history begins ("On Mon, Ana wrote:", "El lunes,
#: Ana escribió:", "Em seg., Ana escreveu:", "-----Original Message-----").
QUOTE_START = re.compile(
    r"^(>|-{2,}\s*(original|mensaje|mensagem)|.*\b(wrote|escribió|escreveu):\s*$)",
    re.IGNORECASE | re.MULTILINE,
)


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

    def _message_post_after_hook(self, message, msg_values):
        """An email from the customer goes to the AI agent too (after the
        automation has registered the reply)."""
        result = super()._message_post_after_hook(message, msg_values)
        if (
            message.message_type == "email"
            and message.author_id
            and message.author_id.commercial_partner_id == self.commercial_partner_id
        ):
            text = self._collection_email_text(message.body)
            debtor = (
                self.env["collection.debtor"]
                .sudo()
                .search(
                    [("partner_id", "=", self.commercial_partner_id.id)],
                    order="total_overdue desc",
                    limit=1,
                )
            )
            if text and debtor:
                self.env["collection.webhook.event"].sudo().with_company(
                    debtor.company_id
                )._hand_to_agent(self, "email", text)
        return result

    @staticmethod
    def _collection_email_text(body):
        """The new text of an email reply: no quoted history, no markup."""
        if not body:
            return ""
        try:
            tree = lxml_html.fromstring(str(body))
        except (ValueError, lxml_html.etree.ParserError):
            return html2plaintext(str(body)).strip()
        for node in tree.xpath("//*[@data-o-mail-quote] | //blockquote"):
            node.drop_tree()
        text = html2plaintext(lxml_html.tostring(tree, encoding="unicode"))
        match = QUOTE_START.search(text)
        if match:
            text = text[: match.start()]
        return " ".join(text.split())[:2000]

    def action_collection_conversations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_ai_agent.collection_conversation_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action
