"""Our own signed-webhook protocol, for any other gateway or contact center.

The protocol is written down for third parties in
``readme/GENERIC_PROVIDER.md``. In short: we POST one JSON message per
request, signed with a shared secret (``X-Collections-Signature:
t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``) and carrying our
reference as ``Idempotency-Key``; the gateway answers ``{"id": ...}``. Since
the gateway deduplicates by that key, a send whose answer was lost is safely
repeated, here and by the dispatcher. Receipts and replies come back to us
signed the same way.

>>> header = sign("s3cret", b'{"events": []}', 1700000000)
>>> header
't=1700000000,v1=6ec52815ecf249bd6050040a2b2bf4f6d9500da22060fb900b596a9b7f36b36d'
>>> verify("s3cret", b'{"events": []}', header, now=1700000100)
True
>>> verify("s3cret", b'{"events": []}', header, now=1700000400)  # too old
False
"""

import hashlib
import hmac
import json
import re
import time
from datetime import datetime, timezone

from .base import (
    CHANNELS,
    DEFAULT_TIMEOUT,
    MAX_EVENTS,
    POOL_MAXSIZE,
    FatalProviderError,
    ProviderAdapter,
    SendResult,
    check_event,
    describe,
    in_range,
    shorten,
    utc_from_unix,
)

SIGNATURE_HEADER = "X-Collections-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEFAULT_TOLERANCE = 300  # seconds either side of our clock
EVENT_TYPES = ("status", "message")
MAX_HEADER = 2_000  # characters of a signature header read
_DIGITS = re.compile(r"[0-9]{1,12}")
_HEX = re.compile(r"[0-9a-fA-F]{64}")


# === Signatures === #
def signature(secret, raw_body, timestamp):
    """Hex HMAC-SHA256 of ``"<timestamp>.<raw body>"`` with ``secret``."""
    signed = str(int(timestamp)).encode() + b"." + bytes(raw_body)
    return hmac.new(str(secret).encode(), signed, hashlib.sha256).hexdigest()


def sign(secret, raw_body, timestamp):
    """The ``X-Collections-Signature`` value for ``raw_body`` sent at ``timestamp``.

    ``secret`` may be a list during a secret rotation: one ``v1=`` per
    secret, so a receiver knowing either accepts it.
    """
    secrets = [secret] if isinstance(secret, str) else list(secret)
    parts = [f"t={int(timestamp)}"]
    parts += [f"v1={signature(s, raw_body, timestamp)}" for s in secrets]
    return ",".join(parts)


def parse_signature_header(value):
    """``(timestamp, [v1 signatures])`` of a header, or None when malformed.

    Signatures are 64 hex digits; anything else is ignored.

    >>> parse_signature_header("t=12,v1=" + "AB" * 32 + ",v1=cd")
    (12, ['abababababababababababababababababababababababababababababababab'])
    >>> parse_signature_header("v1=" + "ab" * 32) is None
    True
    """
    timestamp, signatures = None, []
    for part in str(value or "")[:MAX_HEADER].split(","):
        key, _sep, val = part.strip().partition("=")
        val = val.strip()
        if key == "t" and _DIGITS.fullmatch(val) and timestamp is None:
            timestamp = int(val)
        elif key == "v1" and _HEX.fullmatch(val):
            signatures.append(val.lower())
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify(secret, raw_body, header_value, now, tolerance=DEFAULT_TOLERANCE):
    """True when ``header_value`` signs ``raw_body`` with ``secret``, recently.

    Rejects a missing or malformed header, a signature made with another
    secret or over another body, and a timestamp more than ``tolerance``
    seconds from ``now`` (a replay). ``secret`` may be a list (accept the old
    and new secret during a rotation); the header may carry several ``v1=``.
    """
    parsed = parse_signature_header(header_value)
    if parsed is None or not secret:
        return False
    timestamp, signatures = parsed
    if abs(float(now) - timestamp) > tolerance:
        return False
    secrets = [secret] if isinstance(secret, str) else [s for s in secret if s]
    expected = [signature(s, raw_body, timestamp) for s in secrets]
    # compare every pair, so the time taken does not tell which one matched
    matches = [hmac.compare_digest(e, s) for e in expected for s in signatures]
    return any(matches)


# === Outbound === #
class GenericWebhookAdapter(ProviderAdapter):
    """POSTs each message as signed JSON to the gateway's ``url``.

    :param url: the gateway's endpoint (https in production)
    :param secret: shared secret for the signature (never sent)
    :param clock: returns unix seconds; tests pass a fixed one
    """

    label = "The messaging gateway"
    connect_retries = 2
    resend_retries = 2  # safe: the gateway deduplicates by Idempotency-Key

    def __init__(
        self,
        url,
        secret,
        timeout=DEFAULT_TIMEOUT,
        pool_maxsize=POOL_MAXSIZE,
        clock=time.time,
    ):
        super().__init__(timeout=timeout, pool_maxsize=pool_maxsize)
        self.url = url
        self._secret = secret
        self._clock = clock

    def _secrets(self):
        return (self._secret,)

    def send(
        self,
        channel,
        to,
        body,
        reference,
        language,
        template=None,
        params=None,
        metadata=None,
    ):
        """Send one message; return the gateway's id in a :class:`SendResult`.

        :param channel: ``sms``, ``whatsapp``, ``voice``, ``email``...
        :param to: the recipient (E.164 number or address)
        :param reference: our idempotency key; the gateway's dedup key
        :param language: the customer's language (``es_MX``)
        """
        if not self.url:
            raise FatalProviderError("The messaging gateway has no URL configured.")
        if not reference:
            raise FatalProviderError("A message needs a reference to be sent.")
        now = self._clock()
        payload = {
            "id": str(reference),
            "channel": channel,
            "to": to,
            "body": body,
            "language": language,
            "template": template,
            "params": params,
            "metadata": metadata,
            "created_at": datetime.fromtimestamp(int(now), timezone.utc)
            .isoformat()
            .replace("+00:00", "Z"),
        }
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            IDEMPOTENCY_HEADER: str(reference),
            SIGNATURE_HEADER: sign(self._secret, raw, now),
        }
        response = self._post(self.url, data=raw, headers=headers, accept=(409,))
        answer = self._json(response)
        provider_id = answer.get("id")
        if not isinstance(provider_id, str | int) or provider_id == "":
            if response.status_code == 409:
                raise FatalProviderError(
                    "The messaging gateway refused the message as a conflicting "
                    "duplicate (HTTP 409) without giving its id."
                )
            raise FatalProviderError(
                f"The messaging gateway answered HTTP {response.status_code} "
                "without a message id: is the URL the gateway's endpoint?"
            )
        duplicate = response.status_code == 409 or bool(answer.get("duplicate"))
        status = "duplicate" if duplicate else str(answer.get("status") or "accepted")
        return SendResult(
            str(provider_id), status, {"http_status": response.status_code}
        )


# === Inbound === #
def _timestamp(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError("timestamp is not ISO 8601 nor unix seconds")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, inf
            raise ValueError("timestamp is not a number of seconds")
        return utc_from_unix(int(value))
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            return utc_from_unix(value)
        if len(value) > 64:
            raise ValueError("timestamp is not ISO 8601")
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            when = when.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            raise ValueError(f"timestamp is not ISO 8601: {shorten(value)}") from None
        return in_range(when)
    raise ValueError("timestamp is not ISO 8601 nor unix seconds")


def _text_field(item, key, required=False):
    value = item.get(key)
    if value is None:
        if required:
            raise ValueError(f"no {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{key!r} must be text")
    if isinstance(value, int) and abs(value) >= 10**18:
        raise ValueError(f"{key!r} is too long")
    return str(value)


def _channel(value, where):
    if value is None:
        return None
    if value not in CHANNELS:
        raise ValueError(f"{where}'channel' must be one of {', '.join(CHANNELS)}")
    return value


def _parse_event(item):
    if not isinstance(item, dict):
        raise ValueError("not an object")
    event_id = _text_field(item, "id", required=True)
    if not event_id:
        raise ValueError("'id' is empty")
    kind = item.get("type")
    if kind not in EVENT_TYPES:
        raise ValueError("'type' must be status or message")
    common = {
        "kind": kind,
        "provider_id": _text_field(item, "message_id"),
        "reference": _text_field(item, "reference"),
        "timestamp": _timestamp(item.get("timestamp")),
        "channel": _channel(item.get("channel"), ""),
        "event_key": event_id,
    }
    if kind == "status":
        if not (common["provider_id"] or common["reference"]):
            raise ValueError("neither 'message_id' nor 'reference'")
        return dict(
            common,
            status=_text_field(item, "status", required=True).lower(),
            recipient=_text_field(item, "to"),
            error=_text_field(item, "error"),
            answered_by=_text_field(item, "answered_by"),
        )
    text = _text_field(item, "text")
    return dict(
        common,
        **{
            "from": _text_field(item, "from", required=True),
            "to": _text_field(item, "to"),
            "text": text or "",
            "name": _text_field(item, "name"),
        },
    )


def parse_batch(payload):
    """``(events, refused)`` of an inbound ``{"events": [...]}`` body.

    Each event is read on its own: a malformed one is refused (``refused``
    says why, one line each, naming its ``id``) and the others are kept.
    Raises ValueError only when the body itself is malformed (not an object,
    no list of events, more than :data:`~.base.MAX_EVENTS` of them, a
    top-level ``channel`` we do not know).
    """
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    items = payload.get("events")
    if not isinstance(items, list):
        raise ValueError("'events' must be a list")
    if len(items) > MAX_EVENTS:
        raise ValueError(f"more than {MAX_EVENTS} events in one request")
    channel = _channel(payload.get("channel"), "the body's ")
    events, refused = [], []
    for position, item in enumerate(items):
        label = describe(item, position)
        try:
            event = check_event(_parse_event(item), label)
        except ValueError as error:
            refused.append(f"{label}: {error}")
            continue
        event["channel"] = event["channel"] or channel
        events.append(event)
    return events, refused


def parse_webhook(payload):
    """Event dicts of an inbound ``{"events": [...]}`` body; ValueError if any
    is malformed (:func:`parse_batch` keeps the good ones).

    A status: ``{"kind": "status", "provider_id", "reference", "status",
    "recipient", "error", "timestamp", "channel", "answered_by",
    "event_key"}``; a customer's message: ``{"kind": "message",
    "provider_id", "from", "to", "text", "name", "timestamp", "channel",
    "reference", "event_key"}``. ``event_key`` is the event's ``id``:
    the same event delivered twice has the same key.

    >>> [e["status"] for e in parse_webhook({"events": [{"id": "ev1",
    ...   "type": "status", "reference": "r1", "status": "delivered"}]})]
    ['delivered']
    >>> parse_webhook({"events": {}})
    Traceback (most recent call last):
    ...
    ValueError: 'events' must be a list
    """
    events, refused = parse_batch(payload)
    if refused:
        raise ValueError(refused[0])
    return events
