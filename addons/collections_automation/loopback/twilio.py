"""A loopback Twilio REST API (2010-04-01): Messages.json and Calls.json.

It checks HTTP basic auth (account SID + auth token) and answers Twilio's
401 ``{"code": 20003, "message": "Authenticate", ...}`` otherwise, validates
the form fields with Twilio's own error codes and JSON shape (``code``,
``message``, ``more_info``, ``status``), and answers 201 with a new ``SM...``
or ``CA...`` SID. Numbers in ``unsubscribed`` answer 21610 (the customer
replied STOP), numbers in ``landlines`` 21614.
"""

import base64
import re
import uuid
from email.utils import formatdate

from .base import ProtocolServer

E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")
CALL_EVENTS = {"initiated", "ringing", "answered", "completed"}
MACHINE_DETECTION = {"Enable", "DetectMessageEnd"}


def twilio_error(status, code, message):
    """Twilio's error JSON."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class TwilioServer(ProtocolServer):
    """Twilio's REST API for one account."""

    def __init__(self, account_sid, auth_token, **kwargs):
        super().__init__(**kwargs)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.unsubscribed = set()
        self.landlines = set()
        self.sids = []

    def error_body(self, status):
        if status == 429:
            return twilio_error(429, 20429, "Too Many Requests")
        if status >= 500:
            return twilio_error(status, 20500, "Internal Server Error")
        return twilio_error(status, 20001, "Unknown error")

    def _authenticated(self, request):
        header = request.headers.get("Authorization") or ""
        scheme, _sep, value = header.partition(" ")
        if scheme != "Basic":
            return False
        try:
            user, _sep, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == (self.account_sid, self.auth_token)

    def route(self, request):
        if request.method != "POST":
            return 405, twilio_error(405, 20004, "Method not allowed"), {}
        if not self._authenticated(request):
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            return 401, twilio_error(401, 20003, "Authenticate"), headers
        prefix = f"/2010-04-01/Accounts/{self.account_sid}/"
        if not request.path.startswith(prefix):
            message = f"The requested resource {request.path} was not found"
            return 404, twilio_error(404, 20404, message), {}
        if not (request.headers.get("Content-Type") or "").startswith(
            "application/x-www-form-urlencoded"
        ) or not isinstance(request.body, dict):
            return 400, twilio_error(400, 20001, "Expected form parameters"), {}
        resource = request.path[len(prefix) :]
        if resource == "Messages.json":
            return self._message(request.body)
        if resource == "Calls.json":
            return self._call(request.body)
        message = f"The requested resource {request.path} was not found"
        return 404, twilio_error(404, 20404, message), {}

    def _bad(self, code, message):
        return 400, twilio_error(400, code, message), {}

    def _check_to(self, to):
        if not to:
            return self._bad(21604, "A 'To' phone number is required.")
        if not isinstance(to, str) or not E164.match(to):
            return self._bad(21211, f"Invalid 'To' Phone Number: {to}")
        return None

    def _message(self, form):
        to = form.get("To")
        wrong = self._check_to(to)
        if wrong:
            return wrong
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return self._bad(21603, "A 'From' phone number is required.")
        body = form.get("Body")
        if not body:
            return self._bad(21602, "Message body is required.")
        if len(body) > 1600:
            return self._bad(
                21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to in self.unsubscribed:
            return self._bad(21610, "Attempt to send to unsubscribed recipient")
        if to in self.landlines:
            return self._bad(21614, f"'To' number {to} is not a valid mobile number")
        sid = "SM" + uuid.uuid4().hex
        return 201, self._resource("Messages", sid, form, body=body), {}

    def _call(self, form):
        wrong = self._check_to(form.get("To"))
        if wrong:
            return wrong
        if not form.get("From"):
            return self._bad(21213, "No 'From' number is specified")
        url = form.get("Url")
        if not url or not str(url).startswith(("http://", "https://")):
            return self._bad(21205, f"Url is not a valid URL: {url}")
        events = form.get("StatusCallbackEvent") or []
        events = events if isinstance(events, list) else [events]
        if not set(events) <= CALL_EVENTS:
            return self._bad(21626, "Invalid StatusCallbackEvent")
        detection = form.get("MachineDetection")
        if detection and detection not in MACHINE_DETECTION:
            return self._bad(21626, f"Invalid MachineDetection: {detection}")
        sid = "CA" + uuid.uuid4().hex
        return 201, self._resource("Calls", sid, form, answered_by=None), {}

    def _resource(self, kind, sid, form, **extra):
        with self.lock:
            self.sids.append(sid)
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "date_created": formatdate(usegmt=True),
            "direction": "outbound-api",
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "to": form.get("To"),
            "status": "queued",
            "error_code": None,
            "error_message": None,
            "price": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/{kind}/{sid}.json",
            **extra,
        }
