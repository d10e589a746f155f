"""Twilio: SMS and voice calls over the REST API (2010-04-01), webhooks, TwiML.

* :class:`TwilioAdapter` sends an SMS or starts a call; our reference rides
  on the ``StatusCallback`` URL as ``?ref=<reference>``, so receipts find
  their message even when we never stored Twilio's SID.
* :func:`validate_signature` checks ``X-Twilio-Signature`` on a callback.
  Twilio signs **the URL it requested, query string included** (so with our
  ``?ref=``), followed by the POST fields sorted by name.
* :func:`parse_status` turns a status callback or an inbound SMS into event
  dicts like the other providers'.
* The TwiML builders return the XML of a call flow, built with
  ``xml.etree`` so a customer's name or amount can never break it.

Languages: Twilio reads with Amazon Polly voices and understands speech
with its own recogniser; they do not cover the same locales. Colombian
Spanish (``es_CO``) and other Latin-American Spanish are *read* with the
US-Spanish voice (neutral Latin-American, ``es-US``, Polly Lupe) but
*understood* with the country's recogniser (``es-CO``...); Mexico has its own
voice (``es-MX``, Polly Mia). Plain ``es`` means Mexico, ``pt`` Brazil, ``en``
the US; an unknown language falls back to US English.

>>> twilio_language("es_CO")
VoiceLanguage(say='es-US', gather='es-CO', voice='Polly.Lupe')
>>> with_reference("https://erp.example.com/hook?a=1", "ab-12")
'https://erp.example.com/hook?a=1&ref=ab-12'
"""

import base64
import hashlib
import hmac
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import phonenumbers

from .base import (
    DEFAULT_TIMEOUT,
    POOL_MAXSIZE,
    FatalProviderError,
    ProviderAdapter,
    RetryableProviderError,
    SendResult,
    check_event,
    e164_digits,
    in_range,
    shorten,
)

DEFAULT_BASE_URL = "https://api.twilio.com"
API_VERSION = "2010-04-01"
REFERENCE_PARAM = "ref"
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
SID_RE = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
STATUS_RE = re.compile(r"^[a-z][a-z_-]{1,30}$")

# Twilio's error codes, reworded for the person reading the failed message.
# (error class, text); {to} and {sender} are filled in.
ERRORS = {
    20003: (FatalProviderError, "credentials rejected: check the account SID and "
            "auth token"),
    20404: (FatalProviderError, "unknown resource: check the account SID"),
    20429: (RetryableProviderError, "too many requests at once"),
    21211: (FatalProviderError, "{to} is not a valid phone number"),
    21214: (FatalProviderError, "{to} cannot be reached by phone"),
    21215: (FatalProviderError, "calling this country is not enabled in the "
            "Twilio account (geographic permissions)"),
    21408: (FatalProviderError, "sending to this country is not enabled in the "
            "Twilio account (geographic permissions)"),
    21602: (FatalProviderError, "the message is empty"),
    21606: (FatalProviderError, "the sender {sender} is not a Twilio number able to "
            "send text messages there"),
    21608: (FatalProviderError, "a trial account only sends to verified numbers"),
    21610: (FatalProviderError, "{to} unsubscribed by replying STOP; Twilio will "
            "not deliver to them until they reply START"),
    21612: (FatalProviderError, "Twilio cannot route from {sender} to {to}"),
    21614: (FatalProviderError, "{to} is not a mobile number and cannot receive "
            "text messages"),
    21617: (FatalProviderError, "the message is longer than 1600 characters"),
    13224: (FatalProviderError, "{to} is not a valid phone number"),
}  # fmt: skip

# Delivery errors reported in status callbacks (ErrorCode).
DELIVERY_ERRORS = {
    "21610": "the recipient unsubscribed (STOP)",
    "21614": "not a mobile number",
    "30001": "queue overflow at Twilio",
    "30002": "Twilio account suspended",
    "30003": "unreachable destination handset (off or out of coverage)",
    "30004": "message blocked by the recipient or their carrier",
    "30005": "unknown destination handset (the number does not exist)",
    "30006": "landline or unreachable carrier",
    "30007": "filtered by the carrier as spam",
    "30008": "unknown delivery error",
    "30034": "sender number not registered for A2P 10DLC",
}


# === Sending === #
def with_reference(url, reference):
    """``url`` with ``ref=<reference>`` added to its query string."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(k, v) for k, v in query if k != REFERENCE_PARAM]
    query.append((REFERENCE_PARAM, str(reference)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _e164(number):
    try:
        return "+" + e164_digits(number)
    except ValueError as error:
        raise FatalProviderError(
            f"Twilio cannot send to {number!r}: {error}."
        ) from None


class TwilioAdapter(ProviderAdapter):
    """One Twilio account and sender (a number, or a Messaging Service ``MG...``).

    The auth token only travels in the ``Authorization`` header (HTTP basic
    auth by ``requests``), never in a URL, never in an error.
    """

    label = "Twilio"
    throttle_codes = frozenset({20429})

    def __init__(
        self,
        account_sid,
        auth_token,
        from_number,
        base_url=DEFAULT_BASE_URL,
        timeout=DEFAULT_TIMEOUT,
        pool_maxsize=POOL_MAXSIZE,
    ):
        super().__init__(timeout=timeout, pool_maxsize=pool_maxsize)
        self.account_sid = account_sid
        self.from_number = from_number
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._auth_token = auth_token
        self.session.auth = (account_sid, auth_token)

    def _secrets(self):
        basic = base64.b64encode(f"{self.account_sid}:{self._auth_token}".encode())
        return (self._auth_token, basic.decode())

    def _url(self, resource):
        return f"{self.base_url}/{API_VERSION}/Accounts/{self.account_sid}/{resource}"

    def _sender(self):
        if not self.from_number:
            raise FatalProviderError("Twilio has no sender number configured.")
        if self.from_number.startswith("MG"):
            return {"MessagingServiceSid": self.from_number}
        return {"From": self.from_number}

    def send_sms(self, to, body, reference, status_callback_url):
        """Send an SMS; return its ``SM...`` SID.

        :param status_callback_url: where Twilio posts receipts; ``ref`` is added
        """
        data = {"To": _e164(to), **self._sender(), "Body": body or ""}
        if status_callback_url:
            data["StatusCallback"] = with_reference(status_callback_url, reference)
        context = {"what": "the SMS", "to": data["To"]}
        return self._create("Messages.json", data, context)

    def start_call(
        self,
        to,
        twiml_url,
        reference,
        status_callback_url,
        machine_detection="DetectMessageEnd",
    ):
        """Start a call that fetches its TwiML from ``twiml_url``; its ``CA...`` SID.

        ``machine_detection="DetectMessageEnd"`` connects an answering
        machine after its greeting, so a voicemail is left whole (the TwiML
        request then carries ``AnsweredBy``). ``None`` disables detection.
        """
        sender = self._sender()
        if "From" not in sender:
            raise FatalProviderError("Twilio calls need a phone number as sender.")
        data = {"To": _e164(to), **sender, "Url": twiml_url, "Method": "POST"}
        if status_callback_url:
            data["StatusCallback"] = with_reference(status_callback_url, reference)
            data["StatusCallbackMethod"] = "POST"
            data["StatusCallbackEvent"] = list(CALL_EVENTS)
        if machine_detection:
            data["MachineDetection"] = machine_detection
            data["AsyncAmd"] = "false"
        context = {"what": "the call", "to": data["To"]}
        return self._create("Calls.json", data, context)

    def _create(self, resource, data, context):
        response = self._post(self._url(resource), data=data, context=context)
        answer = self._json(response)
        sid = answer.get("sid")
        if not isinstance(sid, str) or not sid:
            raise FatalProviderError(
                f"Twilio answered HTTP {response.status_code} without a SID: is the "
                "base URL Twilio's API?"
            )
        status = str(answer.get("status") or "queued")
        return SendResult(sid, status, {"status": status})

    # === Errors === #
    def _error_details(self, response):
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if isinstance(payload, dict) and ("code" in payload or "message" in payload):
            return payload.get("code"), str(payload.get("message") or "")
        return super()._error_details(response)

    def _classify(self, status, code, message, context):
        known = ERRORS.get(code) if isinstance(code, int) else None
        if known is None:
            return super()._classify(status, code, message, context)
        error_class, text = known
        text = text.format(
            to=context.get("to", "the recipient"), sender=self.from_number
        )
        what = context.get("what", "the request")
        if status == 429 or error_class is RetryableProviderError:
            return (
                RetryableProviderError,
                f"Twilio is throttling us (code {code}): {text}.",
            )
        if code == 20003:
            return FatalProviderError, f"Twilio {text} (code {code})."
        return FatalProviderError, f"Twilio refused {what} (code {code}): {text}."


# === Webhooks === #
def _with_port(url):
    parts = urlsplit(url)
    if parts.port or not parts.hostname:
        return url
    port = {"https": 443, "http": 80}.get(parts.scheme)
    if port is None:
        return url
    netloc = parts.netloc + f":{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _without_port(url):
    parts = urlsplit(url)
    if not parts.port:
        return url
    netloc = parts.netloc.rsplit(":", 1)[0]
    return urlunsplit(parts._replace(netloc=netloc))


def compute_signature(auth_token, url, params):
    """Base64 HMAC-SHA1 of ``url`` + each POST field's name and value, by name.

    A field sent several times contributes each of its (sorted) values.
    """
    signed = url
    for name in sorted(params or {}):
        values = params[name]
        values = values if isinstance(values, list | tuple) else [values]
        for value in sorted({str(v) for v in values}):
            signed += name + value
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def validate_signature(auth_token, url, params, signature_header):
    """True when ``X-Twilio-Signature`` signs this request with ``auth_token``.

    :param url: the full URL Twilio requested, with its query string, as
        Twilio saw it (https, public host; behind a proxy, Odoo's
        ``--proxy-mode``). Tried with and without the default port, as
        Twilio's own libraries do.
    :param params: the POST form fields (values str, or lists when repeated);
        not the query-string ones, which are already in ``url``
    """
    if not auth_token or not signature_header or not url:
        return False
    given = str(signature_header).strip().encode("utf-8", "replace")
    candidates = {url, _with_port(url), _without_port(url)}
    matches = [
        hmac.compare_digest(compute_signature(auth_token, u, params).encode(), given)
        for u in sorted(candidates)
    ]
    return any(matches)


def _first(value):
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is not None and not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _number(value):
    value = _first(value)
    if not value:
        return None
    address = value.removeprefix("whatsapp:").strip()
    digits = address.removeprefix("+")
    return "+" + digits if digits.isascii() and digits.isdigit() else address


def _sid(params, *names):
    for name in names:
        sid = _first(params.get(name))
        if sid:
            if not SID_RE.match(sid):
                raise ValueError(f"{name} is not a Twilio SID: {sid!r}")
            return sid
    return None


def _status(value, field):
    status = (_first(value) or "").strip().lower()
    if not STATUS_RE.match(status):
        raise ValueError(f"{field} is missing or not a status: {status!r}")
    return status


def _timestamp(value):
    value = _first(value)
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value[:64])
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        when = when.astimezone(timezone.utc)
    except (TypeError, ValueError, OverflowError, IndexError):
        raise ValueError(f"Timestamp is not a date: {shorten(value)}") from None
    return in_range(when)


def _reference(params, url):
    reference = _first(params.get(REFERENCE_PARAM))
    if not reference and url:
        query = dict(parse_qsl(urlsplit(url).query))
        reference = query.get(REFERENCE_PARAM)
    return reference or None


def _duration(params):
    value = _first(params.get("CallDuration") or params.get("Duration"))
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise ValueError(f"CallDuration is not a number of seconds: {shorten(value)}")
    return int(value)


def delivery_error(code, message=None):
    """A person's words for a callback's ``ErrorCode``, or None without one.

    >>> delivery_error("30007")
    'filtered by the carrier as spam (Twilio error 30007)'
    """
    if not code:
        return None
    text = DELIVERY_ERRORS.get(str(code)) or message or "delivery failed"
    return f"{text} (Twilio error {code})"


def parse_status(params, url=None):
    """Event dicts of a Twilio callback (form fields); ValueError if malformed.

    * SMS receipt -> ``{"kind": "status", "provider_id": "SM...", "status":
      queued|sent|delivered|undelivered|failed|read..., "recipient", "reference",
      "error", "error_code", "timestamp", "event_key"}``
    * call progress -> ``{"kind": "call", "provider_id": "CA...", "status":
      initiated|ringing|in-progress|completed|busy|no-answer|failed...,
      "answered_by", "duration", "recipient", "reference", "error",
      "timestamp", "event_key"}``
    * inbound SMS -> ``{"kind": "message", "provider_id", "from", "to",
      "text", "name", "timestamp", "num_media", "attachment" ("media" when
      it carries any, else None), "reaction" (False), "reference",
      "event_key"}``

    Our reference is the ``ref`` of the callback's query string: pass the
    requested ``url`` (or merge the query into ``params``).
    """
    if not isinstance(params, Mapping):
        raise ValueError("the callback must be form fields")
    return [check_event(event) for event in _parse_status(params, url)]


def _parse_status(params, url):
    reference = _reference(params, url)
    call_sid = _sid(params, "CallSid")
    message_sid = _sid(params, "MessageSid", "SmsSid")
    if call_sid and not message_sid:
        status = _status(params.get("CallStatus"), "CallStatus")
        return [
            {
                "kind": "call",
                "provider_id": call_sid,
                "status": status,
                "answered_by": _first(params.get("AnsweredBy")) or None,
                "duration": _duration(params),
                "recipient": _number(params.get("To")),
                "reference": reference,
                "error": delivery_error(_first(params.get("ErrorCode"))),
                "timestamp": _timestamp(params.get("Timestamp")),
                "event_key": f"{call_sid}:{status}",
            }
        ]
    if not message_sid:
        raise ValueError("neither MessageSid nor CallSid in the callback")
    raw_status = _first(params.get("MessageStatus") or params.get("SmsStatus"))
    if raw_status in (None, "", "received", "receiving") and "Body" in params:
        sender = _number(params.get("From"))
        if not sender:
            raise ValueError("an inbound message without From")
        media = _first(params.get("NumMedia")) or "0"
        return [
            {
                "kind": "message",
                "provider_id": message_sid,
                "from": sender,
                "to": _number(params.get("To")),
                "text": _first(params.get("Body")) or "",
                "name": _first(params.get("ProfileName")) or None,
                "timestamp": None,
                "num_media": int(media) if media.isdecimal() and len(media) < 4 else 0,
                "attachment": "media" if media.isdecimal() and int(media) else None,
                "reaction": False,
                "reference": None,
                "event_key": message_sid,
            }
        ]
    status = _status(raw_status, "MessageStatus")
    code = _first(params.get("ErrorCode")) or None
    return [
        {
            "kind": "status",
            "provider_id": message_sid,
            "status": status,
            "recipient": _number(params.get("To")),
            "reference": reference,
            "error": delivery_error(code, _first(params.get("ErrorMessage"))),
            "error_code": code,
            "timestamp": None,
            "event_key": f"{message_sid}:{status}",
        }
    ]


# === TwiML === #
class VoiceLanguage(NamedTuple):
    """Twilio's locale for ``<Say>``, for ``<Gather>`` speech, and the voice."""

    say: str
    gather: str
    voice: str


VOICES = {
    "es-MX": "Polly.Mia",
    "es-US": "Polly.Lupe",
    "es-ES": "Polly.Lucia",
    "pt-BR": "Polly.Camila",
    "pt-PT": "Polly.Ines",
    "en-US": "Polly.Joanna",
    "en-GB": "Polly.Amy",
}
# Latin-American Spanish the speech recogniser knows by country
GATHER_SPANISH = {
    "AR", "BO", "CL", "CO", "CR", "DO", "EC", "GT", "HN", "MX", "NI", "PA",
    "PE", "PR", "PY", "SV", "US", "UY", "VE",
}  # fmt: skip
PHRASES = {
    "es": {
        "prompt": "Marque 1 para recibir el enlace de pago, 2 para hablar con una "
        "persona, o díganos cuándo puede pagar.",
        "goodbye": "Gracias. Hasta luego.",
        "hints": "pagar,te pago,ya pagué,mañana,pasado mañana,la próxima semana,"
        "quincena,fin de mes,lunes,martes,miércoles,jueves,viernes,sábado,domingo,"
        "cuotas,en cuotas,plan de pagos,más tiempo,enlace,link,transferencia,cien,"
        "doscientos,trescientos,quinientos,mil,mil quinientos,pesos,dólares,persona,"
        "asesor,no es mío,no tengo trabajo,falleció",
    },
    "pt": {
        "prompt": "Tecle 1 para receber o link de pagamento, 2 para falar com uma "
        "pessoa, ou diga quando pode pagar.",
        "goodbye": "Obrigado. Até logo.",
        "hints": "pagar,eu pago,já paguei,amanhã,depois de amanhã,semana que vem,"
        "fim do mês,segunda-feira,terça-feira,quarta-feira,quinta-feira,sexta-feira,"
        "sábado,domingo,parcelar,parcelas,em vezes,mais prazo,link,pix,boleto,cem,"
        "duzentos,trezentos,quinhentos,mil,reais,pessoa,atendente,não é meu,"
        "desempregado,faleceu",
    },
    "en": {
        "prompt": "Press 1 to get the payment link, 2 to talk to a person, or tell "
        "us when you can pay.",
        "goodbye": "Thank you. Goodbye.",
        "hints": "pay,I'll pay,already paid,tomorrow,day after tomorrow,next week,"
        "end of the month,Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday,"
        "payday,installments,payment plan,more time,link,card,hundred,two fifty,"
        "five hundred,thousand,dollars,person,agent,not mine,lost my job,passed away",
    },
}


def twilio_language(lang):
    """Twilio's locales and voice for one of our languages (``es_MX``, ``pt``...).

    >>> twilio_language("es")
    VoiceLanguage(say='es-MX', gather='es-MX', voice='Polly.Mia')
    >>> twilio_language("pt_BR").say, twilio_language("en_US").say
    ('pt-BR', 'en-US')
    >>> twilio_language("de_DE").say
    'en-US'
    """
    base, _sep, country = str(lang or "").replace("-", "_").partition("_")
    base, country = base.lower(), country.upper()
    if base == "es":
        if country in ("", "MX"):
            return VoiceLanguage("es-MX", "es-MX", VOICES["es-MX"])
        if country == "ES":
            return VoiceLanguage("es-ES", "es-ES", VOICES["es-ES"])
        gather = f"es-{country}" if country in GATHER_SPANISH else "es-US"
        return VoiceLanguage("es-US", gather, VOICES["es-US"])
    if base == "pt":
        locale = "pt-PT" if country == "PT" else "pt-BR"
        return VoiceLanguage(locale, locale, VOICES[locale])
    if base == "en" and country == "GB":
        return VoiceLanguage("en-GB", "en-GB", VOICES["en-GB"])
    return VoiceLanguage("en-US", "en-US", VOICES["en-US"])


# Twilio's speech models: "phone_call" (with enhanced recognition) is tuned
# for calls in US English; "experimental_conversations" reads spoken numbers
# and dates in every language Twilio offers, Spanish and Portuguese included.
SPEECH_MODELS = {"en": "phone_call", "es": "experimental_conversations"}
DEFAULT_SPEECH_MODEL = "experimental_conversations"
# Below this Confidence (0 to 1, posted with SpeechResult) the agent reads
# the sentence back before acting on it.
LOW_CONFIDENCE = 0.5


def speech_model(lang):
    """Twilio's speech model for a language, and whether enhanced applies.

    >>> speech_model("en_US"), speech_model("pt_BR")
    (('phone_call', True), ('experimental_conversations', False))
    """
    base = twilio_language(lang).say[:2]
    model = SPEECH_MODELS.get(base, DEFAULT_SPEECH_MODEL)
    return model, model == "phone_call"


def _phrases(lang):
    base = twilio_language(lang).say[:2]
    return PHRASES.get(base, PHRASES["en"])


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(text):
    """Text XML can carry (control characters dropped); escaping is etree's."""
    return _XML_INVALID.sub("", str(text or "")).strip()


def _say(parent, text, language):
    say = ET.SubElement(
        parent, "Say", {"language": language.say, "voice": language.voice}
    )
    say.text = _clean_text(text)
    return say


def _document(root):
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(
        root, encoding="unicode"
    )


def reminder_twiml(
    message,
    language,
    gather_action_url,
    transfer_prompt=None,
    *,
    hints=None,
    goodbye=None,
    timeout=5,
    redirect_url=None,
):
    """The call's opening: the reminder and the choices, keypad or speech.

    Twilio posts ``Digits`` or ``SpeechResult`` to ``gather_action_url``;
    without an answer it says goodbye and hangs up.

    :param transfer_prompt: the choices, read after ``message`` (default:
        "press 1 for the payment link, 2 for a person, or say when you can
        pay" in the customer's language)
    :param hints: comma-separated words that help speech recognition
    :param redirect_url: where Twilio goes when the customer says nothing
        (posted without ``Digits`` or ``SpeechResult``), instead of the
        goodbye
    """
    lang = twilio_language(language)
    phrases = _phrases(language)
    model, enhanced = speech_model(language)
    root = ET.Element("Response")
    attributes = {
        "input": "dtmf speech",
        "numDigits": "1",
        "action": str(gather_action_url),
        "method": "POST",
        "language": lang.gather,
        "speechModel": model,
        "speechTimeout": "auto",
        "timeout": str(int(timeout)),
        "hints": _clean_text(hints or phrases["hints"]),
    }
    if enhanced:
        attributes["enhanced"] = "true"
    gather = ET.SubElement(root, "Gather", attributes)
    prompt = transfer_prompt or phrases["prompt"]
    _say(gather, f"{_clean_text(message)} {_clean_text(prompt)}", lang)
    if redirect_url:
        redirect = ET.SubElement(root, "Redirect", {"method": "POST"})
        redirect.text = str(redirect_url)
    else:
        _say(root, goodbye or phrases["goodbye"], lang)
    return _document(root)


def transfer_twiml(number, message, language, caller_id=None, *, timeout=30):
    """Tell the customer to hold, then connect them with ``number``.

    :param caller_id: the number shown to the person called (our Twilio
        number); required by Twilio to be one of the account's numbers
    """
    lang = twilio_language(language)
    root = ET.Element("Response")
    _say(root, message, lang)
    attributes = {"timeout": str(int(timeout))}
    if caller_id:
        attributes["callerId"] = _clean_text(caller_id)
    dial = ET.SubElement(root, "Dial", attributes)
    ET.SubElement(dial, "Number").text = "+" + e164_digits(number)
    return _document(root)


def voicemail_twiml(message, language):
    """What an answering machine records: the message, then hang up."""
    lang = twilio_language(language)
    root = ET.Element("Response")
    _say(root, message, lang)
    ET.SubElement(root, "Hangup")
    return _document(root)


def spoken_number(number):
    """A phone number as a voice reads it out: digit by digit, in the groups
    its country writes it in.

    >>> spoken_number("+525511110000")
    '5 2, 5 5, 1 1 1 1, 0 0 0 0'
    >>> spoken_number("not a number 12")
    '1 2'
    """
    try:
        written = phonenumbers.format_number(
            phonenumbers.parse(number, None),
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        )
    except phonenumbers.NumberParseException:
        written = number
    return ", ".join(" ".join(group) for group in re.findall(r"\d+", written))


def hangup_twiml():
    """End the call without a word (an answering machine still greeting, a
    fax)."""
    root = ET.Element("Response")
    ET.SubElement(root, "Hangup")
    return _document(root)


_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# a chat's "(yes/no)" after a question: a voice asks without it
_CHOICE = re.compile(r"\s*\((?:s[ií]|sim|yes)\s*/\s*(?:no|não|nao)\)", re.IGNORECASE)


def spoken_text(text):
    """``text`` as a voice should read it: no link (read aloud it means
    nothing: the call offers it by text message), no markup, no chat-style
    "(yes/no)", one space between words.

    >>> spoken_text("Pague aquí: https://x.example/p?a=1 o <b>responda</b>.")
    'Pague aquí: o responda.'
    >>> spoken_text("¿Lo registro? (sí/no)")
    '¿Lo registro?'
    """
    text = _URL.sub("", str(text or ""))
    text = _TAG.sub("", text)
    text = _CHOICE.sub("", text)
    text = re.sub(r"[ \t\r\n]+", " ", text)
    text = re.sub(r" ([,.;:?!])", r"\1", text)
    return text.strip()


def say_twiml(message, language, hangup=True):
    """Say ``message``; hang up after it unless ``hangup`` is False."""
    lang = twilio_language(language)
    root = ET.Element("Response")
    _say(root, message, lang)
    if hangup:
        ET.SubElement(root, "Hangup")
    return _document(root)
