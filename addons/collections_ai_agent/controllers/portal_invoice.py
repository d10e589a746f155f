from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount

from .portal_chat import CLOSED_PAYMENT, INVOICE_TYPES

#: Earlier exchanges shown in the chat box when the page opens.
HISTORY_TURNS = 50


class AgentPortalInvoice(PortalAccount):
    """The invoice's portal page with the agent's chat box: in the invoice
    customer's language, with the exchanges of the customer's current
    conversation on this page (so a reload keeps them), and without the
    page's second message box (the chatter's composer: a message to the
    company goes through the agent, which hands over to a person when
    needed)."""

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        invoice = invoice.sudo()
        if (
            invoice.move_type in INVOICE_TYPES
            and invoice.state == "posted"
            and invoice.payment_state not in CLOSED_PAYMENT
        ):
            values.update(
                agent_chat=True,
                agent_chat_lang=self._agent_chat_lang(invoice),
                agent_chat_turns=self._agent_chat_history(invoice),
            )
        return values

    @staticmethod
    def _agent_chat_lang(invoice):
        """The customer's language if it is installed, else the page's."""
        lang = invoice.partner_id.lang
        installed = dict(request.env["res.lang"].get_installed())
        return lang if lang in installed else request.env.lang

    @staticmethod
    def _agent_chat_history(invoice):
        """``[{"customer", "reply", "link"}]``: the chat's exchanges of the
        customer's current conversation, oldest first; an answer that sent a
        payment link shows the link that pays today."""
        Conversation = (
            request.env["collection.conversation"]
            .sudo()
            .with_company(invoice.company_id)
        )
        conversation = Conversation._current(invoice.partner_id, invoice.company_id)
        turns = conversation.turn_ids.filtered(lambda turn: turn.channel == "web")
        turns = turns[-HISTORY_TURNS:]

        def sends_link(turn):
            return any(
                action.get("type") == "send_payment_link"
                for action in turn.actions or []
            )

        link = None
        if any(sends_link(turn) for turn in turns):
            link = conversation._payment_link(invoice)
        return [
            {
                "customer": turn.customer_text,
                "reply": turn.reply,
                "link": link if sends_link(turn) else None,
            }
            for turn in turns
        ]
