"""What every provider adapter shares: typed errors, the send result, HTTP.

An adapter sends one message and either returns a :class:`SendResult` or
raises a :class:`ProviderError`. The dispatcher (a queue job in Odoo) decides
what happens next from the error's type alone, like OCA queue_job's
``RetryableJobError``:

* :class:`RetryableProviderError` -- try again later (``seconds`` suggests
  when). ``ambiguous=True`` means the request may have reached the provider
  (a read timeout, a connection dropped before the answer): resending could
  deliver the message twice unless the provider deduplicates.
* :class:`FatalProviderError` -- retrying will not help (a bad number, a
  refused template, rejected credentials); the message says why.

Error messages are written for a person and never carry credentials: they
are built from our own words and the provider's error text, then scrubbed of
every secret the adapter knows, and the ``requests`` exception they replace
(whose text may hold URLs and whose request holds the headers) is not
chained.

>>> error = RetryableProviderError("Twilio is busy", seconds=30, status=429)
>>> (str(error), error.seconds, error.ambiguous, error.status)
('Twilio is busy', 30, False, 429)
>>> redact("token abc123XYZ in Bearer abc123XYZ", ["abc123XYZ"])
'token [redacted] in Bearer [redacted]'
"""

import email.utils
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import phonenumbers
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

DEFAULT_TIMEOUT = 10.0
MAX_CONNECT_TIMEOUT = 5.0
POOL_MAXSIZE = 32
REDACTED = "[redacted]"
AUTHORIZATION_RE = re.compile(r"(?i)(authorization\"?'?\s*[:=]\s*)[^,}\n]+")
CREDENTIAL_RE = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
URL_USERINFO_RE = re.compile(r"(\w+://)[^/@\s]+@")

# Delays suggested to the dispatcher when the provider gives none (seconds).
RETRY_AFTER_THROTTLED = 60
RETRY_AFTER_SERVER_ERROR = 30
RETRY_AFTER_NETWORK = 15
RETRY_AFTER_AMBIGUOUS = 60


class ProviderError(Exception):
    """A send the provider did not accept; ``str()`` is for a person.

    :param status: the HTTP status when the provider answered
    :param code: the provider's own error code when it gave one
    """

    def __init__(self, message, *, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def __repr__(self):
        name = type(self).__name__
        return f"{name}({self.message!r}, status={self.status!r}, code={self.code!r})"


class RetryableProviderError(ProviderError):
    """Try again later: throttled, provider down, network trouble.

    :param seconds: suggested delay before the next try (``Retry-After``)
    :param ambiguous: the provider may have accepted the message already
    :param throttled: the provider asks to slow down (HTTP 429 or its own
        rate-limit code): the rest of a batch should wait too
    """

    def __init__(
        self,
        message,
        *,
        seconds=None,
        ambiguous=False,
        throttled=False,
        status=None,
        code=None,
    ):
        super().__init__(message, status=status, code=code)
        self.seconds = seconds
        self.ambiguous = ambiguous
        self.throttled = throttled


class FatalProviderError(ProviderError):
    """Retrying will not help; the message says what to fix."""


@dataclass(frozen=True)
class SendResult:
    """What the provider answered to an accepted send.

    :param provider_id: the provider's message id (wamid, SM.../CA... SID...)
    :param status: the provider's first status (``accepted``, ``queued``...)
    :param raw: a few non-secret fields of the answer, for the record
    """

    provider_id: str
    status: str = "accepted"
    raw: dict = field(default_factory=dict)


def redact(text, secrets):
    """``text`` without any of ``secrets`` nor credentials a URL may carry.

    >>> redact("https://user:pw@host/x?a=1", [])
    'https://[redacted]@host/x?a=1'
    >>> redact("Authorization: Basic QUM6dG9r", [])
    'Authorization: [redacted]'
    """
    text = str(text)
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len)[::-1]:
        text = text.replace(secret, REDACTED)
    text = re.sub(AUTHORIZATION_RE, r"\1" + REDACTED, text)
    text = re.sub(CREDENTIAL_RE, r"\1 " + REDACTED, text)
    return re.sub(URL_USERINFO_RE, r"\1" + REDACTED + "@", text)


def retry_after_seconds(value, now=None):
    """Seconds asked by a ``Retry-After`` header (delay or HTTP date), or None.

    >>> retry_after_seconds("120")
    120
    >>> retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT",
    ...                     now=datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc))
    30
    >>> retry_after_seconds("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0, int((when - now).total_seconds()))


def _never_reached(error):
    """True when the connection was never established: nothing was sent."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.exceptions.SSLError):
        return True  # the handshake precedes the request
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _os_reason(error):
    """The operating system's words for a network error ("Connection refused")."""
    found = re.search(r"\[Errno -?\d+\] ([A-Za-z][A-Za-z ,'-]+)", str(error))
    return found.group(1).strip().lower() if found else "network error"


class ProviderAdapter:
    """One provider account: a keep-alive session, timeouts, error mapping.

    Subclasses say how to read the provider's error answers
    (:meth:`_error_details`) and may reword known codes
    (:meth:`_classify`). An adapter is thread-safe for sending (one
    ``requests.Session`` with a pool of ``pool_maxsize`` connections) and
    should be kept and reused: the TLS handshake is the slow part.

    :param timeout: read timeout in seconds, or a ``(connect, read)`` pair
    """

    label = "The provider"
    #: quick retries when the connection could not even be opened (safe:
    #: nothing reached the provider)
    connect_retries = 1
    #: quick retries when the request may have reached the provider; only
    #: for providers that deduplicate (the generic one's Idempotency-Key)
    resend_retries = 0
    retry_pause = 0.2
    #: the provider's own codes for "slow down", whatever the HTTP status
    throttle_codes = frozenset()

    def __init__(self, *, timeout=DEFAULT_TIMEOUT, pool_maxsize=POOL_MAXSIZE):
        if isinstance(timeout, tuple | list):
            connect, read = timeout
        else:
            read = float(timeout or DEFAULT_TIMEOUT)
            connect = min(MAX_CONNECT_TIMEOUT, read)
        self.timeout = (float(connect), float(read))
        self.session = requests.Session()
        pool = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
        self.session.mount("https://", pool)
        self.session.mount("http://", pool)
        self.session.headers["User-Agent"] = "odoo-collections-automation"

    # === Lifecycle === #
    def close(self):
        """Close the pooled connections."""
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def __repr__(self):
        return f"<{type(self).__name__}>"

    # === For subclasses === #
    def _secrets(self):
        """Strings that must never appear in an error message."""
        return ()

    def _clean(self, text):
        return redact(text, self._secrets())

    def _error_details(self, response):
        """``(code, message)`` of an error answer; the provider's JSON shape."""
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            message = payload.get("message") or payload.get("error")
            if isinstance(message, str):
                return payload.get("code"), message
        return None, (response.text or "").strip()[:300] or response.reason or ""

    def _classify(self, status, code, message, context):
        """``(error class, text)`` for an error answer.

        ``context`` is what the caller is sending (template name, language)
        so the text can name it. Override to reword the provider's codes.
        """
        detail = f" (code {code})" if code not in (None, "") else ""
        if status == 429:
            return RetryableProviderError, (
                f"{self.label} is throttling us (HTTP 429{detail}): {message}"
            )
        if status >= 500:
            return RetryableProviderError, (
                f"{self.label} had a server error (HTTP {status}{detail}): {message}"
            )
        if status in (401, 403):
            return FatalProviderError, (
                f"{self.label} rejected the credentials (HTTP {status}{detail}): "
                f"{message}"
            )
        return FatalProviderError, (
            f"{self.label} refused the request (HTTP {status}{detail}): {message}"
        )

    # === HTTP === #
    def _post(self, url, *, context=None, accept=(), **kwargs):
        """POST with the adapter's session and timeouts; the 2xx response
        (or one whose status is in ``accept``).

        Raises the typed errors; retries in place only what is safe: a
        connection that could not be opened, and, for deduplicating
        providers (``resend_retries``), a request whose answer was lost.
        """
        connect_left, resend_left = self.connect_retries, self.resend_retries
        while True:
            try:
                response = self.session.post(url, timeout=self.timeout, **kwargs)
            except requests.RequestException as error:
                mapped = self._network_error(error, url)
                if mapped.ambiguous and resend_left > 0:
                    resend_left -= 1
                elif not mapped.ambiguous and connect_left > 0:
                    connect_left -= 1
                else:
                    raise mapped from None
                time.sleep(self.retry_pause)
                continue
            if response.ok or response.status_code in accept:
                return response
            raise self._response_error(response, context or {}) from None

    def _network_error(self, error, url):
        """The typed error for a ``requests`` exception, without its text."""
        host = urlsplit(url).hostname or "?"
        connect, read = self.timeout
        if isinstance(error, requests.ConnectTimeout):
            text = (
                f"{self.label} did not accept a connection within {connect:g}s "
                f"({host})."
            )
            ambiguous = False
        elif isinstance(error, requests.ReadTimeout):
            text = (
                f"{self.label} did not answer within {read:g}s ({host}); it may "
                "have accepted the message."
            )
            ambiguous = True
        elif isinstance(error, requests.ConnectionError) and _never_reached(error):
            text = f"Could not connect to {self.label} at {host}: {_os_reason(error)}."
            ambiguous = False
        elif isinstance(error, requests.ConnectionError):
            text = (
                f"The connection to {self.label} at {host} broke before it "
                "answered; it may have accepted the message."
            )
            ambiguous = True
        else:
            text = f"Could not send to {self.label} at {host} ({type(error).__name__})."
            ambiguous = False
        seconds = RETRY_AFTER_AMBIGUOUS if ambiguous else RETRY_AFTER_NETWORK
        return RetryableProviderError(
            self._clean(text), seconds=seconds, ambiguous=ambiguous
        )

    def _response_error(self, response, context):
        status = response.status_code
        code, message = self._error_details(response)
        error_class, text = self._classify(status, code, message, context)
        text = self._clean(text)
        if issubclass(error_class, RetryableProviderError):
            seconds = retry_after_seconds(response.headers.get("Retry-After"))
            if seconds is None:
                seconds = (
                    RETRY_AFTER_THROTTLED if status == 429 else RETRY_AFTER_SERVER_ERROR
                )
            throttled = status == 429 or code in self.throttle_codes
            return error_class(
                text, seconds=seconds, throttled=throttled, status=status, code=code
            )
        return error_class(text, status=status, code=code)

    @staticmethod
    def _json(response):
        """The JSON body of a success answer, or an empty dict."""
        try:
            payload = response.json()
        except ValueError:
            return {}
        return payload if isinstance(payload, dict) else {}


def utc_from_unix(value):
    """A UTC datetime from unix seconds (int or numeric string).

    Only moments between :data:`EARLIEST` and :data:`LATEST` are taken: a
    receipt from year 9999 is a malformed one, not a date to compute with.

    >>> utc_from_unix("1700000000")
    datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    >>> utc_from_unix(10**20)
    Traceback (most recent call last):
    ...
    ValueError: timestamp out of range: 100000000000000000000
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"not a unix timestamp: {shorten(value)}")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        if text.isascii() and text.isdigit():
            raise ValueError(f"timestamp out of range: {shorten(value)}")
        raise ValueError(f"not a unix timestamp: {shorten(value)}")
    return in_range(datetime.fromtimestamp(int(text), timezone.utc))


#: The moments a provider's event may carry; others are malformed.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)


def in_range(moment):
    """``moment`` (aware) if between :data:`EARLIEST` and :data:`LATEST`."""
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"timestamp out of range: {moment.isoformat()}")
    return moment


def shorten(value, size=40):
    """``repr(value)`` cut short, for an error message."""
    text = (
        repr(value) if not isinstance(value, int) or value < 10**40 else "a huge number"
    )
    return text if len(text) <= size else text[: size - 3] + "..."


# === Events from webhooks: sizes and characters === #
#: Largest event fields taken, in characters: ids and references...
MAX_ID = 255
#: ...what a customer wrote...
MAX_TEXT = 10_000
#: ...and every other text (a provider's error, a name, a number).
MAX_FIELD = 2_000
#: Events in one webhook request, at most.
MAX_EVENTS = 1_000
ID_FIELDS = ("event_key", "provider_id", "reference", "context_id", "phone_number_id")
#: Channels an event may name.
CHANNELS = ("sms", "whatsapp", "voice", "email")


def check_event(event, label="event"):
    """``event`` if every text in it can be stored; ValueError otherwise.

    No NUL character (PostgreSQL refuses them), no id longer than
    :data:`MAX_ID`, no text longer than :data:`MAX_TEXT`, no other field
    longer than :data:`MAX_FIELD`.

    >>> check_event({"event_key": "e1", "text": "hola"})["text"]
    'hola'
    >>> check_event({"event_key": "e1", "text": "a" + chr(0)})
    Traceback (most recent call last):
    ...
    ValueError: event: 'text' holds a NUL character
    """
    for key, value in event.items():
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            raise ValueError(f"{label}: {key!r} holds a NUL character")
        limit = MAX_ID if key in ID_FIELDS else MAX_TEXT if key == "text" else MAX_FIELD
        if len(value) > limit:
            raise ValueError(f"{label}: {key!r} is longer than {limit} characters")
    return event


def describe(item, position):
    """How a refused event is named in an answer: its id, else its place."""
    found = item.get("id") if isinstance(item, dict) else None
    if isinstance(found, str) and found and len(found) <= 64 and found.isprintable():
        return f"event {found!r}"
    return f"event #{position + 1}"


def e164_digits(number):
    """The digits of a phone number in E.164 form, or ValueError.

    >>> e164_digits("+52 (55) 1234-5678")
    '525512345678'
    >>> e164_digits("hello")
    Traceback (most recent call last):
    ...
    ValueError: not an international phone number: 'hello'
    """
    text = str(number or "").strip()
    digits = re.sub(r"[\s().-]", "", text).removeprefix("+")
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits[0] == "0":
        raise ValueError(f"not an international phone number: {text!r}")
    return digits


#: WhatsApp ids keep a mobile prefix that Mexico's numbering plan dropped in
#: 2019 ("521..."); libphonenumber no longer carries it as Mexico's mobile
#: token, so it is named here. Every other token comes from the library.
WHATSAPP_MOBILE_TOKENS = {52: "1"}


def mobile_tokens(country_code):
    """Digits a country's mobile numbers may carry after the country code.

    >>> mobile_tokens(54), mobile_tokens(52), mobile_tokens(34)
    (('9',), ('1',), ())
    """
    tokens = {
        phonenumbers.country_mobile_token(country_code),
        WHATSAPP_MOBILE_TOKENS.get(country_code),
    }
    return tuple(sorted(token for token in tokens if token))


def phone_variants(number):
    """The E.164 forms a customer's number may be stored as.

    A WhatsApp id is the number as WhatsApp keeps it: Mexico's mobiles with
    a ``1`` after the country code, Argentina's with a ``9``, while the
    customer's number may be stored with or without that token. The number
    itself comes first; each variant with the token added or removed
    follows when ``phonenumbers`` finds it a valid number.

    >>> phone_variants("5215512345678")
    ('+5215512345678', '+525512345678')
    >>> phone_variants("+5491112345678")
    ('+5491112345678', '+541112345678')
    >>> phone_variants("+541112345678")
    ('+541112345678', '+5491112345678')
    >>> phone_variants("+34612345678")
    ('+34612345678',)
    """
    digits = e164_digits(number)
    variants = ["+" + digits]
    try:
        parsed = phonenumbers.parse(variants[0])
    except phonenumbers.NumberParseException:
        return tuple(variants)
    code = parsed.country_code
    national = phonenumbers.national_significant_number(parsed)
    for token in mobile_tokens(code):
        if national.startswith(token):
            candidate = f"+{code}{national[len(token) :]}"
        else:
            candidate = f"+{code}{token}{national}"
        try:
            other = phonenumbers.parse(candidate)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(other):
            e164 = phonenumbers.format_number(
                other, phonenumbers.PhoneNumberFormat.E164
            )
            if e164 not in variants:
                variants.append(e164)
    return tuple(variants)
