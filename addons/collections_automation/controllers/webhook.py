"""Inbound webhooks of the providers, and the TwiML of collection calls.

Every route checks the provider's own signature before it reads anything
(403 without a valid one), then the size and shape of what it got (413, 400
with a plain sentence), then applies each event once (a replay is
acknowledged and changes nothing). In a batch, a malformed event is refused
alone: the good ones are stored and applied, and the answer names the ones
refused. Each event belongs to the provider that signed it (for WhatsApp,
to the provider owning the business number it names), and so to that
provider's company. Bodies are short plain text: never a stack trace.
"""

import functools
import hmac
import json
import logging
import re
import time
from collections import defaultdict

from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

from ..channels import generic, twilio, whatsapp
from ..engine import outbox
from ..models.collection_webhook_event import IngestResult

_logger = logging.getLogger(__name__)

WEBHOOK = "/collections/webhook"
#: Largest body read from a provider (bytes); larger ones get a 413.
MAX_BODY = 1_000_000
#: Refusals quoted in an answer, at most, and their length.
MAX_QUOTED = 10
MAX_QUOTE = 200
#: Largest parameter a call's TwiML request may carry.
MAX_SPEECH = 2_000
MAX_PARAM = 64
#: Outbox row ids are PostgreSQL integers.
MAX_ID = 2**31 - 1
#: Rows whose call cannot be running.
NO_CALL = (*outbox.NOT_SENT, "refused", "cancelled")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(status, body):
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


def _plain(text, size=MAX_QUOTE):
    """One line of ``text`` safe to echo: no control characters, short."""
    text = _CONTROL.sub(" ", str(text))
    return text if len(text) <= size else text[: size - 3] + "..."


def _refusal(errors):
    quoted = "; ".join(_plain(error) for error in errors[:MAX_QUOTED])
    more = len(errors) - MAX_QUOTED
    return quoted + (f"; and {more} more" if more > 0 else "")


def _guarded(route):
    """No traceback ever reaches a provider: an unexpected error is logged,
    the request's changes are rolled back and a plain 500 answers (Odoo still
    retries the request on a serialization failure)."""

    @functools.wraps(route)
    def guarded(self, *args, **kwargs):
        try:
            return route(self, *args, **kwargs)
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Collections webhook %s failed", request.httprequest.path)
            request.env.cr.rollback()
            return _text(500, "internal error")

    return guarded


class CollectionsWebhook(http.Controller):
    # === Helpers === #
    @staticmethod
    def _providers(kind):
        return request.env["collection.provider"].sudo().search([("kind", "=", kind)])

    @staticmethod
    def _body():
        """The raw body, or None when larger than :data:`MAX_BODY`."""
        length = request.httprequest.content_length
        if length is not None and length > MAX_BODY:
            return None
        raw = request.httprequest.get_data()
        return raw if len(raw) <= MAX_BODY else None

    @staticmethod
    def _not_json():
        """The answer to a body sent as a form, else None: the web framework
        reads a form's body before us, so its signature could only look
        forged (``curl -d`` sends a form unless told otherwise)."""
        if request.httprequest.mimetype in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return _text(
                415, "the body must be JSON, sent with Content-Type: application/json"
            )
        return None

    @staticmethod
    def _ingest(batches, channel):
        """Apply ``{provider: events}``; the summed IngestResult counts."""
        totals = [0] * len(IngestResult._fields)
        Event = request.env["collection.webhook.event"].sudo()
        for provider, events in batches.items():
            result = Event.with_company(provider.company_id)._ingest(
                provider, events, channel
            )
            totals = [
                total + count for total, count in zip(totals, result, strict=True)
            ]
        return IngestResult(*totals)

    def _answer(self, batches, refused, channel):
        """Store and apply the good events; say what became of each kind.
        An event stored and not applied (a receipt about a message we did
        not send, a message from an unknown number) is acknowledged all the
        same: sending it again would change nothing."""
        if refused and not any(batches.values()):
            return _text(400, f"malformed payload: {_refusal(refused)}")
        result = self._ingest(batches, channel)
        answer = f"ok: {result.applied} applied, {result.replayed} already received"
        if result.ignored:
            answer += (
                f", {result.ignored} ignored (about no message sent through "
                "this provider)"
            )
        if result.review:
            answer += f", {result.review} kept for a person to review"
        if result.failed:
            answer += f", {result.failed} could not be applied (kept for review)"
        if refused:
            answer += f", {len(refused)} refused: {_refusal(refused)}"
        return _text(200, answer)

    @staticmethod
    def _json(raw):
        """The JSON of ``raw``; ValueError when it is not JSON (any depth)."""
        try:
            return json.loads(raw)
        except RecursionError:
            raise ValueError("the body is nested too deeply") from None

    @staticmethod
    def _signed_url():
        """The address the provider called, as it signed it.

        Behind a proxy that terminates TLS Odoo must run with
        ``--proxy-mode`` so that the scheme and host are the public ones.
        """
        return request.httprequest.url

    # === WhatsApp Business Cloud API === #
    @http.route(
        f"{WEBHOOK}/whatsapp", type="http", auth="public", methods=["GET"], csrf=False
    )
    @_guarded
    def whatsapp_subscribe(self, **params):
        """Meta's verification handshake: echo the challenge to our token."""
        for provider in self._providers("whatsapp"):
            token = provider.whatsapp_verify_token
            if token:
                challenge = whatsapp.verify_subscription(params, token)
                if challenge is not None:
                    return _text(200, _plain(challenge, MAX_PARAM))
        return _text(403, "verification failed")

    @http.route(
        f"{WEBHOOK}/whatsapp", type="http", auth="public", methods=["POST"], csrf=False
    )
    @_guarded
    def whatsapp_events(self, **_params):
        refusal = self._not_json()
        if refusal:
            return refusal
        raw = self._body()
        if raw is None:
            return _text(413, "payload too large")
        header = request.httprequest.headers.get("X-Hub-Signature-256", "")
        signed = self._providers("whatsapp").filtered(
            lambda p: p.whatsapp_app_secret
            and whatsapp.verify_signature(p.whatsapp_app_secret, raw, header)
        )
        if not signed:
            return _text(403, "invalid signature")
        try:
            events, refused = whatsapp.parse_batch(self._json(raw))
        except ValueError as error:  # JSONDecodeError is a ValueError
            return _text(400, f"malformed payload: {_plain(error)}")
        # one Meta app may serve several companies' numbers: each event goes
        # to the provider owning the business number it names
        batches = defaultdict(list)
        for event in events:
            number_id = event.get("phone_number_id")
            owner = signed._whatsapp_owner(number_id, signed)
            if owner:
                batches[owner].append(event)
            else:
                refused.append(
                    f"{event['kind']} {event['event_key']}: no WhatsApp provider "
                    f"has the phone number ID {number_id}"
                )
        return self._answer(batches, refused, "whatsapp")

    # === Twilio === #
    @http.route(
        f"{WEBHOOK}/twilio", type="http", auth="public", methods=["POST"], csrf=False
    )
    @_guarded
    def twilio_events(self, **_params):
        if (request.httprequest.content_length or 0) > MAX_BODY:
            return _text(413, "payload too large")
        provider = self._twilio_provider()
        if provider is None:
            return _text(403, "invalid signature")
        form = request.httprequest.form.to_dict(flat=True)
        try:
            events = twilio.parse_status(form, url=self._signed_url())
        except ValueError as error:
            return _text(400, f"malformed payload: {_plain(error)}")
        channel = "voice" if form.get("CallSid") else "sms"
        return self._answer({provider: events}, [], channel)

    def _twilio_provider(self):
        """The Twilio provider whose auth token signed this request.

        Two companies may share a Twilio account: the provider whose sender
        is our side of the message (``To`` of an inbound one, ``From`` of a
        receipt) is the one.
        """
        form = request.httprequest.form.to_dict(flat=False)
        params = {
            key: values if len(values) > 1 else values[0]
            for key, values in form.items()
        }
        header = request.httprequest.headers.get("X-Twilio-Signature", "")
        if not header:
            return None
        url = self._signed_url()
        sid = form.get("AccountSid", [""])[0]
        signed = self._providers("twilio").filtered(
            lambda p: (not sid or p.twilio_account_sid == sid)
            and p.twilio_auth_token
            and twilio.validate_signature(p.twilio_auth_token, url, params, header)
        )
        if len(signed) > 1:
            ours = {
                str(value).removeprefix("whatsapp:")
                for name in ("To", "From", "MessagingServiceSid")
                for value in form.get(name, [])
            }
            signed = signed.filtered(lambda p: p.twilio_from_number in ours) or signed
        return signed[:1] or None

    # === Generic signed webhook === #
    @http.route(
        f"{WEBHOOK}/generic", type="http", auth="public", methods=["POST"], csrf=False
    )
    @_guarded
    def generic_events(self, **_params):
        refusal = self._not_json()
        if refusal:
            return refusal
        raw = self._body()
        if raw is None:
            return _text(413, "payload too large")
        header = request.httprequest.headers.get(generic.SIGNATURE_HEADER, "")
        now = time.time()
        signed = self._providers("generic").filtered(
            lambda p: p.generic_secret
            and generic.verify(p.generic_secret, raw, header, now)
        )
        if not signed:
            return _text(403, "invalid or stale signature")
        try:
            events, refused = generic.parse_batch(self._json(raw))
        except ValueError as error:
            return _text(400, f"malformed payload: {_plain(error)}")
        return self._answer(self._generic_owners(signed, events), refused, "sms")

    @staticmethod
    def _generic_owners(signed, events):
        """``{provider: events}``: two gateways sharing one secret (an SMS
        gateway and a WhatsApp one of the same vendor) both verify the
        signature; each receipt goes to the one that sent its message, else
        to the first."""
        if len(signed) == 1:
            return {signed: events}
        Event = request.env["collection.webhook.event"].sudo()
        batches = defaultdict(list)
        for event in events:
            owner = next(
                (
                    provider
                    for provider in signed
                    if Event.with_company(provider.company_id)._find_row(
                        provider, event
                    )
                ),
                signed[:1],
            )
            batches[owner].append(event)
        return batches

    # === Voice calls (Twilio fetches the call flow here) === #
    def _call_row(self, message_id, token, call_sid):
        """The outbox row of a running call, and its provider; or (None, None).

        The token must be the row's and not expired
        (``collection.message._voice_token``), Twilio must have signed the
        request, and the call must be this row's: the token names the call
        (``CallSid``) or the row's provider id is that call; a call Twilio
        reported completed takes no more requests.
        """
        nothing = None, None
        if not 0 < message_id <= MAX_ID or not isinstance(token, str):
            return nothing
        if not isinstance(call_sid, str) or not twilio.SID_RE.match(call_sid):
            return nothing
        expires, _sep, _digest = token.partition(".")
        if not re.fullmatch(r"[0-9]{1,12}", expires) or int(expires) < time.time():
            return nothing
        message = request.env["collection.message"].sudo().browse(message_id).exists()
        if not message or message.state in NO_CALL:
            return nothing
        if message.provider_ref and message.provider_ref != call_sid:
            return nothing

        def matches(bound_to):
            expected = message._voice_token(call_sid=bound_to, expires=int(expires))
            return hmac.compare_digest(
                expected.encode(), token.encode("utf-8", "replace")
            )

        if not (matches(call_sid) or matches("")):
            return nothing
        provider = self._twilio_provider()
        if provider is None or provider.company_id != message.company_id:
            return nothing
        over = (
            request.env["collection.webhook.event"]
            .sudo()
            .search_count(
                [
                    ("provider_id", "=", provider.id),
                    ("event_key", "=", f"{call_sid}:completed"),
                ],
                limit=1,
            )
        )
        if over:
            return nothing
        return message.with_context(collection_voice_call_sid=call_sid), provider

    @staticmethod
    def _param(params, name, size=MAX_PARAM):
        """A TwiML request's parameter, or ValueError when it cannot be one."""
        value = params.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > size or "\x00" in value:
            raise ValueError(f"{name} is malformed")
        return value

    @http.route(
        "/collections/voice/<int:message_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    @_guarded
    def voice_flow(self, message_id, token=None, **params):
        message, provider = self._call_row(message_id, token, params.get("CallSid"))
        if message is None:
            return _text(403, "forbidden")
        try:
            answered_by = self._param(params, "AnsweredBy")
        except ValueError as error:
            return _text(400, f"malformed request: {error}")
        return self._twiml(message._voice_twiml(answered_by, provider))

    @http.route(
        "/collections/voice/<int:message_id>/gather",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    @_guarded
    def voice_gather(self, message_id, token=None, **params):
        message, provider = self._call_row(message_id, token, params.get("CallSid"))
        if message is None:
            return _text(403, "forbidden")
        try:
            digits = self._param(params, "Digits")
            confidence = self._param(params, "Confidence")
            confidence = float(confidence) if confidence else None
            n = self._count(params, "n")
            silence = self._count(params, "silence")
        except ValueError as error:
            return _text(400, f"malformed request: {error}")
        if confidence is not None and not 0 <= confidence <= 1:
            return _text(400, "malformed request: Confidence must be between 0 and 1")
        # words the recogniser heard are the caller's: whatever they are
        # (too long, odd characters) the caller hears an answer, never an
        # error, and nothing odd reaches the agent
        odd = False
        try:
            speech = self._param(params, "SpeechResult", MAX_SPEECH)
            heard = self._param(params, "heard", MAX_SPEECH)
        except ValueError:
            speech = heard = None
            odd = True
        return self._twiml(
            message._voice_answer(
                provider, digits, speech, confidence, heard, n, silence, odd
            )
        )

    @classmethod
    def _count(cls, params, name):
        """A small counter of our own gather URL (0 when absent)."""
        value = cls._param(params, name, 4)
        if value in (None, ""):
            return 0
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"{name} is malformed")
        return int(value)

    @staticmethod
    def _twiml(xml):
        return Response(xml, status=200, content_type="text/xml; charset=utf-8")
