"""A loopback WhatsApp Business Cloud API: ``POST /{version}/{phone_id}/messages``.

It checks the ``Bearer`` token (401 with Meta's ``OAuthException`` code 190
otherwise), the phone number id, the JSON shape, and the templates it knows
(``templates[(name, language)] = number of body parameters``), answering
Meta's error JSON (``{"error": {"message", "type", "code", "error_subcode",
"error_data", "fbtrace_id"}}``) with Meta's codes, or 200 with a new
``wamid``. One simplification: free text to a number in ``closed_windows``
is refused at once with 131047, where Meta accepts it and reports the
failure in a status webhook.
"""

import base64
import re
import uuid

from .base import ProtocolServer

VERSION = re.compile(r"^v\d+\.\d+$")


def meta_error(code, message, *, kind="OAuthException", subcode=None, details=None):
    """Meta's Graph API error JSON."""
    error = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "A" + uuid.uuid4().hex[:22],
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


def new_wamid():
    raw = b"\x15" + uuid.uuid4().bytes + uuid.uuid4().bytes[:8]
    return "wamid." + base64.b64encode(raw).decode().rstrip("=")


class WhatsAppServer(ProtocolServer):
    """Meta's Cloud API for one phone number id and access token."""

    def __init__(self, phone_number_id, access_token, display_number, **kwargs):
        super().__init__(**kwargs)
        self.phone_number_id = str(phone_number_id)
        self.access_token = access_token
        self.display_number = display_number  # digits, our own number
        self.templates = {}  # (name, language) -> number of body parameters
        self.closed_windows = set()  # wa_ids that did not write in 24 hours
        self.wamids = []

    def error_body(self, status):
        if status == 429:
            return meta_error(130429, "(#130429) Rate limit hit")
        if status >= 500:
            return meta_error(131000, "(#131000) Something went wrong")
        return meta_error(100, "(#100) Invalid parameter")

    def _bad(self, code, message, details=None, status=400, subcode=None):
        return status, meta_error(code, message, subcode=subcode, details=details), {}

    def route(self, request):
        version, _sep, rest = request.path.strip("/").partition("/")
        phone_id, _sep, edge = rest.partition("/")
        if request.method != "POST" or edge != "messages" or not VERSION.match(version):
            return self._bad(2500, "Unknown path components", status=400)
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._bad(
                190,
                "Invalid OAuth access token - Cannot parse access token",
                status=401,
            )
        if phone_id != self.phone_number_id:
            return self._bad(
                100,
                f"Unsupported post request. Object with ID '{phone_id}' does not "
                "exist, cannot be loaded due to missing permissions, or does not "
                "support this operation.",
                subcode=33,
            )
        body = request.body
        if request.malformed or not isinstance(body, dict):
            return self._bad(100, "(#100) Invalid JSON")
        if body.get("messaging_product") != "whatsapp":
            return self._bad(100, "(#100) The parameter messaging_product is required.")
        to = body.get("to")
        if not to:
            return self._bad(100, "(#100) The parameter to is required.")
        if not isinstance(to, str) or not to.isdigit():
            return self._bad(100, "(#100) Invalid parameter", f"to: {to!r}")
        if to == self.display_number:
            return self._bad(131021, "(#131021) Recipient cannot be sender.")
        if body.get("recipient_type", "individual") != "individual":
            return self._bad(100, "(#100) Invalid recipient_type")
        kind = body.get("type")
        if kind == "template":
            wrong = self._check_template(body.get("template"))
        elif kind == "text":
            wrong = self._check_text(to, body.get("text"))
        else:
            wrong = self._bad(131051, "(#131051) Unsupported message type")
        if wrong:
            return wrong
        wamid = new_wamid()
        with self.lock:
            self.wamids.append(wamid)
        message = {"id": wamid}
        if kind == "template":
            message["message_status"] = "accepted"
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [message],
        }
        return 200, answer, {}

    def _check_text(self, to, text):
        if not isinstance(text, dict) or not text.get("body"):
            return self._bad(100, "(#100) The parameter text['body'] is required.")
        if to in self.closed_windows:
            return self._bad(
                131047,
                "(#131047) Re-engagement message",
                "Message failed to send because more than 24 hours have passed "
                "since the customer last replied to this number.",
            )
        return None

    def _check_template(self, template):
        if not isinstance(template, dict) or not template.get("name"):
            return self._bad(100, "(#100) The parameter template['name'] is required.")
        language = template.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not code:
            return self._bad(
                100, "(#100) The parameter template['language']['code'] is required."
            )
        name = template["name"]
        expected = self.templates.get((name, code))
        if expected is None:
            return self._bad(
                132001,
                "(#132001) Template name does not exist in the translation",
                f"template name ({name}) does not exist in {code}",
            )
        body_params = []
        for component in template.get("components") or []:
            if not isinstance(component, dict):
                return self._bad(100, "(#100) Invalid parameter")
            if component.get("type") == "body":
                body_params = component.get("parameters") or []
        for parameter in body_params:
            if not isinstance(parameter, dict) or parameter.get("type") != "text":
                return self._bad(131009, "(#131009) Parameter value is not valid")
            if not parameter.get("text"):
                return self._bad(131008, "(#131008) Required parameter is missing")
        if len(body_params) != expected:
            return self._bad(
                132000,
                "(#132000) Number of parameters does not match the expected number "
                "of params",
                f"body: number of localizable_params ({len(body_params)}) does not "
                f"match the expected number of params ({expected})",
            )
        return None
