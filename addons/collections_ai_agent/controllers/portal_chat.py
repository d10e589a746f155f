from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

#: Characters of one chat message kept; the dialogue reads at most 2000.
MAX_MESSAGE = 1000


class AgentPortalChat(CustomerPortal):
    """The AI agent on the invoice's portal page.

    Access is Odoo's own for the page: the logged-in customer, or anyone
    holding the invoice's access token (the link in the invoice email).
    """

    @http.route(
        "/collections/agent/chat/<int:invoice_id>",
        type="json",
        auth="public",
        methods=["POST"],
    )
    def collections_agent_chat(self, invoice_id, message="", access_token=None):
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return {"error": request.env._("This invoice is not available.")}
        text = " ".join(str(message or "").split())[:MAX_MESSAGE]
        if not text:
            return {"error": request.env._("Write a message first.")}
        invoice = invoice.sudo()
        partner = invoice.partner_id
        company = invoice.company_id
        turn, link = (
            request.env["collection.conversation"]
            .sudo()
            .with_company(company)
            ._converse(partner, company, "web", text, invoice=invoice)
        )
        if not turn:
            return {
                "reply": request.env._(
                    "There is nothing overdue to talk about. Thank you!"
                ),
                "link": None,
            }
        return {"reply": turn.reply, "link": link}
