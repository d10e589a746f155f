import json
import logging
import re
import unicodedata

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

_logger = logging.getLogger(__name__)

#: Bytes of a request body read at most (a message of 1000 characters, each of
#: up to 4 bytes, JSON-escaped, and the envelope fit in it).
MAX_BODY = 16 * 1024
#: Characters of one chat message; the page's input has the same maxlength.
MAX_MESSAGE = 1000
MAX_ID = 2**31 - 1
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")
INVOICE_TYPES = ("out_invoice", "out_receipt")
CLOSED_PAYMENT = ("paid", "in_payment", "reversed")

PARAM = "collections_ai_agent.portal_chat_"
#: Messages accepted per window, per invoice and per client address; a person
#: typing never gets near them. ir.config_parameter overrides each.
DEFAULTS = {"per_invoice": 30, "per_address": 120, "window_minutes": 10}
_DROP = frozenset({"Cc", "Cs"})


class _Refused(Exception):
    """A request answered with ``status`` and a sentence for the person."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class AgentPortalChat(CustomerPortal):
    """The AI agent on the invoice's portal page.

    Access is Odoo's own for the page: the logged-in customer, or anyone
    holding the invoice's access token (the link in the invoice email).

    The body is the JSON-RPC envelope that the page's ``rpc`` sends
    (``{"params": {"message", "access_token"}}``; a bare object is read the
    same) and the answer is one too, ``{"result": {"reply", "link"}}`` or
    ``{"result": {"error"}}``, with the HTTP status saying what happened: 400
    for a malformed request, 411 without a length, 404 for an invoice that
    cannot be seen, 409 for a paid or cancelled one, 413 for a body too large,
    415 for one that is not JSON, 429 past the rate limits. Everything is
    checked (size, type, shape) before the invoice is read, and no error shows
    more than a sentence.
    """

    @http.route(
        "/collections/agent/chat/<int:invoice_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,  # JSON only (below): a cross-site form cannot send it
        save_session=False,
    )
    def collections_agent_chat(self, invoice_id, **_query):
        request_id = None
        try:
            body = self._agent_chat_body()
            request_id = body.get("id")
            if not isinstance(request_id, int | str) or isinstance(request_id, bool):
                request_id = None
            elif isinstance(request_id, str):
                request_id = request_id[:64]
            message, token = self._agent_chat_params(body)
            invoice = self._agent_chat_invoice(invoice_id, token)
            self._agent_chat_budget(invoice)
            result = self._agent_chat_turn(invoice, message)
            status, headers = 200, {}
        except _Refused as refused:
            result = {"error": refused.message}
            status, headers = refused.status, refused.headers
        data = json.dumps(
            {"jsonrpc": "2.0", "id": request_id, "result": result},
            ensure_ascii=False,
        ).encode()
        headers |= {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Length": str(len(data)),
            "Cache-Control": "no-store",
        }
        return request.make_response(data, list(headers.items()), status=status)

    # === The request, checked before anything is read === #
    def _agent_chat_body(self):
        httprequest = request.httprequest
        if httprequest.mimetype not in ("application/json", "application/json-rpc"):
            raise _Refused(415, request.env._("Send the message as JSON."))
        length = httprequest.content_length
        if length is None:
            raise _Refused(411, request.env._("The request must say its length."))
        if length > MAX_BODY:
            raise _Refused(413, request.env._("The message is too long."))
        raw = httprequest.get_data(cache=True)[: MAX_BODY + 1]
        if len(raw) > MAX_BODY:
            raise _Refused(413, request.env._("The message is too long."))
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            raise _Refused(
                400, request.env._("The request is not valid JSON.")
            ) from None
        if not isinstance(body, dict):
            raise _Refused(400, request.env._("The request is not valid."))
        return body

    def _agent_chat_params(self, body):
        """``(message, access_token)`` from the body, each checked."""
        params = body.get("params", body)
        if not isinstance(params, dict):
            raise _Refused(400, request.env._("The request is not valid."))
        message = params.get("message", "")
        if message is None:
            message = ""
        if not isinstance(message, str):
            raise _Refused(400, request.env._("The message must be text."))
        if len(message) > MAX_MESSAGE:
            raise _Refused(
                400,
                request.env._(
                    "The message is too long: at most %s characters.", MAX_MESSAGE
                ),
            )
        token = params.get("access_token")
        if token in (None, ""):
            token = None
        elif not isinstance(token, str) or not TOKEN.fullmatch(token):
            # not a token Odoo makes: the invoice is not shown
            raise _Refused(404, request.env._("This invoice is not available."))
        text = "".join(
            ch
            for ch in message
            if unicodedata.category(ch) not in _DROP or ch.isspace()
        )
        text = " ".join(text.split())
        if not text:
            raise _Refused(400, request.env._("Write a message first."))
        return text, token

    def _agent_chat_invoice(self, invoice_id, token):
        if not 0 < invoice_id <= MAX_ID:
            raise _Refused(404, request.env._("This invoice is not available."))
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token=token
            )
        except (AccessError, MissingError):
            raise _Refused(
                404, request.env._("This invoice is not available.")
            ) from None
        invoice = invoice.sudo()
        if invoice.move_type not in INVOICE_TYPES:
            raise _Refused(404, request.env._("This invoice is not available."))
        if invoice.state != "posted":
            raise _Refused(
                409,
                request.env._("This invoice is cancelled: there is nothing to pay."),
            )
        if invoice.payment_state in CLOSED_PAYMENT:
            raise _Refused(
                409, request.env._("This invoice is already paid. Thank you!")
            )
        return invoice

    # === Budget === #
    @staticmethod
    def _agent_chat_limits():
        params = request.env["ir.config_parameter"].sudo()
        limits = {}
        for name, default in DEFAULTS.items():
            try:
                value = int(params.get_param(PARAM + name) or default)
            except (TypeError, ValueError):
                value = default
            limits[name] = value if value > 0 else default
        return limits

    def _agent_chat_budget(self, invoice):
        """Count the message, or refuse it past the limits (429)."""
        limits = self._agent_chat_limits()
        seconds = limits["window_minutes"] * 60
        address = (request.httprequest.remote_addr or "unknown")[:64]
        refused = (
            request.env["collection.agent.budget"]
            .sudo()
            ._take(
                "portal",
                [
                    ("invoice_id", invoice.id, limits["per_invoice"], seconds),
                    ("address", address, limits["per_address"], seconds),
                ],
                company_id=invoice.company_id.id,
                invoice_id=invoice.id,
                address=address,
            )
        )
        if refused:
            _logger.info(
                "AI agent portal chat: %s messages in %s minutes reached for %s",
                limits["per_invoice" if refused == "invoice_id" else "per_address"],
                limits["window_minutes"],
                invoice.name if refused == "invoice_id" else address,
            )
            raise _Refused(
                429,
                request.env._(
                    "Too many messages in a short time. Please wait a few minutes "
                    "and write again."
                ),
                {"Retry-After": str(seconds)},
            )

    # === The agent === #
    def _agent_chat_turn(self, invoice, text):
        company = invoice.company_id
        turn, link = (
            request.env["collection.conversation"]
            .sudo()
            .with_company(company)
            ._converse(invoice.partner_id, company, "web", text, invoice=invoice)
        )
        if not turn:
            return {
                "reply": request.env._(
                    "There is nothing overdue to talk about. Thank you!"
                ),
                "link": None,
            }
        return {"reply": turn.reply, "link": link}
