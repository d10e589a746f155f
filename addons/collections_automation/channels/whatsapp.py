"""WhatsApp Business Cloud API (Meta Graph API): templates, text, webhooks.

* :class:`WhatsAppCloudAdapter` sends an approved template (any time) or a
  free text (only inside the 24-hour customer-service window, see
  :func:`within_service_window`), with our reference in
  ``biz_opaque_callback_data`` so every status webhook quotes it back.
* :func:`verify_signature` checks ``X-Hub-Signature-256`` (HMAC-SHA256 of the
  raw body with the *app secret*), :func:`verify_subscription` answers Meta's
  GET handshake, :func:`parse_webhook` turns a notification into events.

Meta's error codes are reworded (:data:`ERRORS`): throughput limits and
temporary failures are retryable, the rest fatal with a sentence that says
what to fix.

>>> from datetime import datetime, timedelta
>>> now = datetime(2024, 5, 1, 12, 0)
>>> within_service_window(now - timedelta(hours=23), now)
True
>>> within_service_window(now - timedelta(hours=25), now)
False
>>> within_service_window(None, now)  # never wrote
False
"""

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import timedelta, timezone
from functools import partial

from .base import (
    DEFAULT_TIMEOUT,
    MAX_EVENTS,
    MAX_FIELD,
    POOL_MAXSIZE,
    FatalProviderError,
    ProviderAdapter,
    RetryableProviderError,
    SendResult,
    check_event,
    describe,
    e164_digits,
    shorten,
    utc_from_unix,
)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v21.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
SERVICE_WINDOW = timedelta(hours=24)
WEBHOOK_OBJECT = "whatsapp_business_account"

Retry, Fatal = RetryableProviderError, FatalProviderError

# Meta's error codes, for a person. {template}, {language}, {count} are filled.
ERRORS = {
    190: (Fatal, "access token invalid or expired: create a new one (a system "
          "user's permanent token) in Meta Business settings"),
    10: (Fatal, "permission denied: the access token lacks "
         "whatsapp_business_messaging on this number"),
    200: (Fatal, "permission denied: the access token lacks "
          "whatsapp_business_messaging on this number"),
    2: (Retry, "WhatsApp is temporarily unavailable"),
    4: (Retry, "the app reached its request limit"),
    80007: (Retry, "the WhatsApp Business account reached its rate limit"),
    130429: (Retry, "the number's throughput limit was reached (messages per "
             "second)"),
    131048: (Retry, "spam rate limit: too many recent messages were blocked or "
             "reported by recipients"),
    131056: (Retry, "too many messages to this recipient in a short time"),
    131000: (Retry, "something went wrong at WhatsApp"),
    131016: (Retry, "WhatsApp is temporarily overloaded"),
    133004: (Retry, "WhatsApp's server is temporarily unavailable"),
    131008: (Fatal, "a required parameter is missing"),
    131009: (Fatal, "a parameter value is not valid"),
    131021: (Fatal, "the recipient is the sender's own number"),
    131026: (Fatal, "message undeliverable: the number may not use WhatsApp, or "
             "has not accepted WhatsApp's latest terms, or uses an old app"),
    131030: (Fatal, "the recipient is not in the allowed list of this test "
             "number"),
    131031: (Fatal, "the WhatsApp Business account is locked"),
    131042: (Fatal, "payment problem on the WhatsApp Business account"),
    131047: (Fatal, "more than 24 hours since the customer last wrote: only an "
             "approved template can be sent"),
    131049: (Fatal, "Meta did not deliver it to keep the customer's engagement "
             "healthy (marketing message limit)"),
    131051: (Fatal, "unsupported message type"),
    132000: (Fatal, "the number of parameters ({count}) does not match the "
             "template's in {language}"),
    132001: (Fatal, "template does not exist in {language}"),
    132005: (Fatal, "the text with its parameters is too long"),
    132007: (Fatal, "the template's content breaks WhatsApp's policies"),
    132012: (Fatal, "a parameter's format does not match the template"),
    132015: (Fatal, "the template is paused for low quality"),
    132016: (Fatal, "the template is disabled for low quality"),
    132018: (Fatal, "a parameter has new lines, tabs or too many spaces"),
    133010: (Fatal, "the sender number is not registered on the Cloud API"),
    368: (Fatal, "the account is temporarily blocked for policy violations"),
}  # fmt: skip


def within_service_window(last_inbound_at, now, margin=timedelta(0)):
    """True when the customer wrote less than 24 hours (minus ``margin``) ago.

    Inside that window WhatsApp accepts free text; outside it only an
    approved template (error 131047). Naive datetimes are taken as UTC.
    """
    if not last_inbound_at or not now:
        return False
    return as_utc(now) - as_utc(last_inbound_at) < SERVICE_WINDOW - margin


def _param_text(value):
    """A template parameter as Meta accepts it: no new lines, tabs, long spaces."""
    text = re.sub(r"[\r\n\t]+", " ", str(value if value is not None else ""))
    return re.sub(r" {4,}", "   ", text).strip()


def _text_parameters(values, where, template):
    parameters = []
    for position, value in enumerate(values, start=1):
        text = _param_text(value)
        if not text:
            raise FatalProviderError(
                f"WhatsApp template '{template}': {where} parameter {position} is "
                "empty; WhatsApp refuses empty parameters."
            )
        parameters.append({"type": "text", "text": text})
    return parameters


class WhatsAppCloudAdapter(ProviderAdapter):
    """One WhatsApp Business phone number on Meta's Cloud API.

    :param phone_number_id: the number's id in Meta (not the number itself)
    :param access_token: a system user's token (sent as ``Bearer``)
    """

    label = "WhatsApp"
    # rate limits, which Meta answers with HTTP 400
    throttle_codes = frozenset({80007, 130429, 131048, 131056})

    def __init__(
        self,
        phone_number_id,
        access_token,
        base_url=DEFAULT_BASE_URL,
        api_version=DEFAULT_API_VERSION,
        timeout=DEFAULT_TIMEOUT,
        pool_maxsize=POOL_MAXSIZE,
    ):
        super().__init__(timeout=timeout, pool_maxsize=pool_maxsize)
        self.phone_number_id = str(phone_number_id)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.api_version = api_version or DEFAULT_API_VERSION
        self._access_token = access_token
        self.session.headers["Authorization"] = f"Bearer {access_token}"

    def _secrets(self):
        return (self._access_token,)

    @property
    def messages_url(self):
        return f"{self.base_url}/{self.api_version}/{self.phone_number_id}/messages"

    def _to(self, to):
        try:
            return e164_digits(to)
        except ValueError as error:
            raise FatalProviderError(
                f"WhatsApp cannot send to {to!r}: {error}."
            ) from None

    def send_template(
        self,
        to,
        template_name,
        language_code,
        body_params,
        reference,
        header_params=None,
        button_url_param=None,
    ):
        """Send an approved template; return its ``wamid``.

        :param language_code: the template's language in Meta (``es_MX``)
        :param body_params: the ``{{1}}``, ``{{2}}``... of the body, in order
        :param header_params: the text parameters of the header, if any
        :param button_url_param: the variable end of a URL button (index 0)
        """
        if not template_name or not language_code:
            raise FatalProviderError(
                "WhatsApp needs a template name and language to send a template."
            )
        components = []
        if header_params:
            params = _text_parameters(header_params, "header", template_name)
            components.append({"type": "header", "parameters": params})
        if body_params:
            params = _text_parameters(body_params, "body", template_name)
            components.append({"type": "body", "parameters": params})
        if button_url_param:
            params = _text_parameters([button_url_param], "button", template_name)
            components.append(
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": params,
                }
            )
        template = {"name": template_name, "language": {"code": language_code}}
        if components:
            template["components"] = components
        context = {
            "template": template_name,
            "language": language_code,
            "count": len(body_params or []),
        }
        return self._send(
            to, {"type": "template", "template": template}, reference, context
        )

    def send_text(self, to, body, reference, preview_url=True):
        """Send free text (only inside the 24-hour window); return its ``wamid``."""
        if not body:
            raise FatalProviderError("WhatsApp refuses an empty text message.")
        text = {"preview_url": bool(preview_url), "body": body}
        return self._send(to, {"type": "text", "text": text}, reference, {})

    def _send(self, to, message, reference, context):
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self._to(to),
            **message,
        }
        if reference:
            payload["biz_opaque_callback_data"] = str(reference)
        response = self._post(self.messages_url, json=payload, context=context)
        answer = self._json(response)
        messages = answer.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else {}
        wamid = first.get("id") if isinstance(first, dict) else None
        if not isinstance(wamid, str) or not wamid:
            raise FatalProviderError(
                f"WhatsApp answered HTTP {response.status_code} without a message "
                "id: is the base URL Meta's Graph API?"
            )
        status = str(first.get("message_status") or "accepted")
        contacts = answer.get("contacts") or [{}]
        wa_id = contacts[0].get("wa_id") if isinstance(contacts[0], dict) else None
        return SendResult(wamid, status, {"wa_id": wa_id})

    # === Errors === #
    def _error_details(self, response):
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return super()._error_details(response)
        message = str(error.get("message") or "")
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, dict) else None
        if details and details not in message:
            message = f"{message} {details}".strip()
        return error.get("code"), message

    def _classify(self, status, code, message, context):
        known = ERRORS.get(code) if isinstance(code, int) else None
        if known is None:
            if status == 401:
                return Fatal, (
                    f"WhatsApp access token invalid or expired (HTTP 401): {message}"
                )
            if status < 500 and status != 429:
                return Fatal, f"{self._refused(context)} (code {code}): {message}"
            return super()._classify(status, code, message, context)
        error_class, text = known
        text = text.format(
            template=context.get("template", "?"),
            language=context.get("language", "?"),
            count=context.get("count", "?"),
        )
        if error_class is Retry:
            return (
                Retry,
                f"WhatsApp is throttling or unavailable (code {code}): {text}.",
            )
        if code == 190:
            return Fatal, f"WhatsApp {text} (code 190)."
        return Fatal, f"{self._refused(context)} (code {code}): {text}"

    @staticmethod
    def _refused(context):
        if context.get("template"):
            return f"WhatsApp refused the template '{context['template']}'"
        return "WhatsApp refused the message"


# === Webhooks === #
def verify_signature(app_secret, raw_body, header_value):
    """True when ``X-Hub-Signature-256: sha256=<hex>`` signs ``raw_body``.

    The key is the Meta *app secret* (not the access token, not the verify
    token); the message is the raw body exactly as received.
    """
    if not app_secret or not header_value or not isinstance(header_value, str):
        return False
    scheme, _sep, given = header_value.strip().partition("=")
    if scheme.lower() != "sha256" or not re.fullmatch(r"[0-9a-fA-F]{64}", given):
        return False
    expected = hmac.new(app_secret.encode(), bytes(raw_body), hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), given.lower())


def verify_subscription(params, verify_token):
    """Meta's GET handshake: the ``hub.challenge`` to echo, or None to refuse."""

    def value(name):
        found = params.get(name) if isinstance(params, Mapping) else None
        if isinstance(found, list | tuple):
            found = found[0] if found else None
        return found if isinstance(found, str) else None

    token, challenge = value("hub.verify_token"), value("hub.challenge")
    if value("hub.mode") != "subscribe" or not verify_token or not token:
        return None
    if not hmac.compare_digest(token.encode(), str(verify_token).encode()):
        return None
    return challenge or None


def _require(mapping, key, kind, where):
    value = mapping.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} is missing or malformed")
    return value


def _phone(value):
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("a WhatsApp number must be text")
    digits = str(value).strip().removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 20:
        raise ValueError(f"not a WhatsApp number: {shorten(value)}")
    return "+" + digits


def _text(value):
    """``value`` if it is text, else None (a number where text belongs)."""
    return value if isinstance(value, str) else None


def _status_error(status):
    errors = status.get("errors")
    if not errors:
        return None, None
    if not isinstance(errors, list) or not isinstance(errors[0], dict):
        raise ValueError("status errors must be a list of objects")
    error = errors[0]
    code = error.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or abs(code) >= 10**12:
        code = None
    known = ERRORS.get(code)
    data = error.get("error_data")
    details = _text(data.get("details")) if isinstance(data, dict) else None
    if known:
        text = known[1].format(template="?", language="?", count="?")
    else:
        text = (
            details or _text(error.get("message")) or _text(error.get("title"))
        ) or "failed"
    return f"{text[:MAX_FIELD - 40]} (WhatsApp error {code})", code


def _status_event(status):
    if not isinstance(status, dict):
        raise ValueError("each status must be an object")
    wamid = _require(status, "id", str, "status")
    state = _require(status, "status", str, f"status {wamid}").lower()
    error, code = _status_error(status)
    reference = status.get("biz_opaque_callback_data")
    return {
        "kind": "status",
        "provider_id": wamid,
        "status": state,
        "timestamp": utc_from_unix(_require(status, "timestamp", str | int, wamid)),
        "recipient": _phone(status.get("recipient_id")),
        "reference": reference if isinstance(reference, str) and reference else None,
        "error": error,
        "error_code": code,
        "event_key": f"{wamid}:{state}",
    }


#: Message types that carry something a person must open (a photo of a
#: receipt, a voice note, a document): the text, if any, is their caption.
ATTACHMENT_TYPES = frozenset(
    {"image", "document", "audio", "video", "sticker", "location", "contacts"}
)


def _message_text(message):
    kind = message.get("type")
    content = message.get(kind) if isinstance(kind, str) else None
    content = content if isinstance(content, dict) else {}
    if kind == "text":
        return content.get("body")
    if kind == "button":
        return _text(content.get("text")) or content.get("payload")
    if kind == "interactive":
        for reply in ("button_reply", "list_reply", "nfm_reply"):
            if isinstance(content.get(reply), dict):
                return _text(content[reply].get("title")) or content[reply].get("body")
        return None
    if kind == "reaction":
        return content.get("emoji")
    return _text(content.get("caption")) or content.get("body")


def _message_event(message, names, business_number):
    if not isinstance(message, dict):
        raise ValueError("each message must be an object")
    wamid = _require(message, "id", str, "message")
    sender = _require(message, "from", str, f"message {wamid}")
    kind = _require(message, "type", str, f"message {wamid}")
    text = _message_text(message)
    context = message.get("context")
    context_id = context.get("id") if isinstance(context, dict) else None
    return {
        "kind": "message",
        "provider_id": wamid,
        "from": _phone(sender),
        "to": business_number,
        "type": kind,
        "text": text if isinstance(text, str) else "",
        "timestamp": utc_from_unix(_require(message, "timestamp", str | int, wamid)),
        "name": names.get(sender),
        "context_id": _text(context_id),
        "attachment": kind if kind in ATTACHMENT_TYPES else None,
        "reaction": kind == "reaction",
        "reference": None,
        "event_key": wamid,
    }


def _value_parts(value):
    """What every event of a change shares, and its statuses and messages."""
    if not isinstance(value, dict):
        raise ValueError("change value must be an object")
    metadata = value.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError("metadata must be an object")
    business = metadata.get("display_phone_number")
    if business is not None and not isinstance(business, str | int):
        raise ValueError("metadata: 'display_phone_number' must be text")
    business = _phone(re.sub(r"\D", "", str(business))) if business else None
    number_id = metadata.get("phone_number_id")
    if number_id is not None and not isinstance(number_id, str | int):
        raise ValueError("metadata: 'phone_number_id' must be text")
    number_id = str(number_id) if number_id not in (None, "") else None
    names = {}
    contacts = value.get("contacts", [])
    if not isinstance(contacts, list):
        raise ValueError("contacts must be a list")
    for contact in contacts:
        if not isinstance(contact, dict):
            raise ValueError("each contact must be an object")
        profile = contact.get("profile")
        wa_id = contact.get("wa_id")
        if isinstance(wa_id, str | int) and isinstance(profile, dict):
            names[str(wa_id)] = _text(profile.get("name"))
    statuses, messages = value.get("statuses", []), value.get("messages", [])
    if not isinstance(statuses, list) or not isinstance(messages, list):
        raise ValueError("statuses and messages must be lists")
    return business, number_id, names, statuses, messages


def parse_batch(payload):
    """``(events, refused)`` of a Cloud API notification.

    Each status and each message is read on its own: a malformed one is
    refused (``refused`` lists why, one line each) and the others are kept.
    Every event carries the ``phone_number_id`` of its business number (or
    None), which says whose it is. Raises ValueError only when the body is
    not a notification at all.
    """
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    if payload.get("object") != WEBHOOK_OBJECT:
        raise ValueError(f"'object' is not {WEBHOOK_OBJECT!r}")
    entries = _require(payload, "entry", list, "notification")
    events, refused = [], []
    for position, entry in enumerate(entries):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            refused.append(f"entry #{position + 1}: 'changes' is missing or malformed")
            continue
        for change in changes:
            if not isinstance(change, dict):
                refused.append(f"entry #{position + 1}: a change is not an object")
                continue
            if change.get("field") != "messages":
                continue
            try:
                business, number_id, names, statuses, messages = _value_parts(
                    change.get("value")
                )
            except ValueError as error:
                refused.append(f"entry #{position + 1}: {error}")
                continue
            read_message = partial(
                _message_event, names=names, business_number=business
            )
            items = [(_status_event, s, "status") for s in statuses]
            items += [(read_message, m, "message") for m in messages]
            for index, (parse, item, what) in enumerate(items):
                if len(events) + len(refused) >= MAX_EVENTS:
                    raise ValueError(f"more than {MAX_EVENTS} events in one request")
                label = describe(item, index).replace("event", what, 1)
                try:
                    event = check_event(parse(item), label)
                except ValueError as error:
                    refused.append(_labelled(label, error))
                    continue
                event["phone_number_id"] = number_id
                events.append(event)
    return events, refused


def _labelled(label, error):
    text = str(error)
    return text if text.startswith(label) else f"{label}: {text}"


def parse_webhook(payload):
    """Events of a Cloud API notification; ValueError when any is malformed.

    A receipt: ``{"kind": "status", "provider_id": wamid, "status":
    sent|delivered|read|failed, "timestamp" (UTC), "recipient": "+E164",
    "reference": our biz_opaque_callback_data or None, "error", "error_code",
    "event_key": "<wamid>:<status>", "phone_number_id"}``. A customer's
    message: ``{"kind": "message", "provider_id": wamid, "from": "+E164",
    "to": our number, "type", "text" (body, button or list title, caption,
    a reaction's emoji), "timestamp", "name" (profile), "context_id" (the
    wamid answered), "attachment" (the type of what a person must open:
    image, document, audio... or None), "reaction" (bool), "reference":
    None, "event_key": wamid, "phone_number_id"}``. Changes
    other than ``messages`` (template status, quality...) are ignored. See
    :func:`parse_batch` to keep the good events of a batch.
    """
    events, refused = parse_batch(payload)
    if refused:
        raise ValueError(refused[0])
    return events


def as_utc(moment):
    """``moment`` as an aware UTC datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
