"""Inbound webhooks of the providers, and the TwiML of collection calls.

Every route checks the provider's own signature before it reads anything
(403 without a valid one), then the payload's shape (400 when malformed),
then applies each event once (a replay is acknowledged and changes
nothing). Bodies are short plain text: never a stack trace.
"""

import hmac
import json
import logging
import time

from werkzeug.wrappers import Response

from odoo import http
from odoo.http import request

from ..channels import generic, twilio, whatsapp

_logger = logging.getLogger(__name__)

WEBHOOK = "/collections/webhook"


def _text(status, body):
    return Response(body, status=status, content_type="text/plain; charset=utf-8")


class CollectionsWebhook(http.Controller):
    # === Helpers === #
    @staticmethod
    def _providers(kind):
        return request.env["collection.provider"].sudo().search([("kind", "=", kind)])

    @staticmethod
    def _ingest(provider, events, channel):
        applied, replayed = (
            request.env["collection.webhook.event"]
            .sudo()
            .with_company(provider.company_id)
            ._ingest(provider, events, channel)
        )
        return _text(200, f"ok: {applied} applied, {replayed} already received")

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
    def whatsapp_subscribe(self, **params):
        """Meta's verification handshake: echo the challenge to our token."""
        for provider in self._providers("whatsapp"):
            token = provider.whatsapp_verify_token
            if token:
                challenge = whatsapp.verify_subscription(params, token)
                if challenge is not None:
                    return _text(200, challenge)
        return _text(403, "verification failed")

    @http.route(
        f"{WEBHOOK}/whatsapp", type="http", auth="public", methods=["POST"], csrf=False
    )
    def whatsapp_events(self, **_params):
        raw = request.httprequest.get_data()
        header = request.httprequest.headers.get("X-Hub-Signature-256", "")
        provider = next(
            (
                p
                for p in self._providers("whatsapp")
                if p.whatsapp_app_secret
                and whatsapp.verify_signature(p.whatsapp_app_secret, raw, header)
            ),
            None,
        )
        if provider is None:
            return _text(403, "invalid signature")
        try:
            events = whatsapp.parse_webhook(json.loads(raw))
        except ValueError as error:  # JSONDecodeError is a ValueError
            return _text(400, f"malformed payload: {error}")
        return self._ingest(provider, events, "whatsapp")

    # === Twilio === #
    @http.route(
        f"{WEBHOOK}/twilio", type="http", auth="public", methods=["POST"], csrf=False
    )
    def twilio_events(self, **_params):
        provider = self._twilio_provider()
        if provider is None:
            return _text(403, "invalid signature")
        form = request.httprequest.form.to_dict(flat=True)
        try:
            events = twilio.parse_status(form, url=self._signed_url())
        except ValueError as error:
            return _text(400, f"malformed payload: {error}")
        channel = "voice" if form.get("CallSid") else "sms"
        return self._ingest(provider, events, channel)

    def _twilio_provider(self):
        """The Twilio provider whose auth token signed this request."""
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
        for provider in self._providers("twilio"):
            if sid and provider.twilio_account_sid != sid:
                continue
            if provider.twilio_auth_token and twilio.validate_signature(
                provider.twilio_auth_token, url, params, header
            ):
                return provider
        return None

    # === Generic signed webhook === #
    @http.route(
        f"{WEBHOOK}/generic", type="http", auth="public", methods=["POST"], csrf=False
    )
    def generic_events(self, **_params):
        raw = request.httprequest.get_data()
        header = request.httprequest.headers.get(generic.SIGNATURE_HEADER, "")
        now = time.time()
        provider = next(
            (
                p
                for p in self._providers("generic")
                if p.generic_secret
                and generic.verify(p.generic_secret, raw, header, now)
            ),
            None,
        )
        if provider is None:
            return _text(403, "invalid or stale signature")
        try:
            payload = json.loads(raw)
            events = generic.parse_webhook(payload)
        except ValueError as error:
            return _text(400, f"malformed payload: {error}")
        channel = payload.get("channel") if isinstance(payload, dict) else None
        inbound = {e.get("channel") for e in events if e["kind"] == "message"}
        channel = channel or (inbound.pop() if len(inbound) == 1 else None) or "sms"
        return self._ingest(provider, events, channel)

    # === Voice calls (Twilio fetches the call flow here) === #
    def _call_row(self, message_id, token):
        """The outbox row of a call, if the token is its own and Twilio signed."""
        message = request.env["collection.message"].sudo().browse(message_id).exists()
        if not message or not hmac.compare_digest(
            str(token or ""), message._voice_token()
        ):
            return None, None
        provider = self._twilio_provider()
        if provider is None or provider.company_id != message.company_id:
            return None, None
        return message, provider

    @http.route(
        "/collections/voice/<int:message_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    def voice_flow(self, message_id, token=None, **params):
        message, _provider = self._call_row(message_id, token)
        if message is None:
            return _text(403, "forbidden")
        return self._twiml(message._voice_twiml(params.get("AnsweredBy")))

    @http.route(
        "/collections/voice/<int:message_id>/gather",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
    )
    def voice_gather(self, message_id, token=None, **params):
        message, provider = self._call_row(message_id, token)
        if message is None:
            return _text(403, "forbidden")
        return self._twiml(
            message._voice_answer(
                provider, params.get("Digits"), params.get("SpeechResult")
            )
        )

    @staticmethod
    def _twiml(xml):
        return Response(xml, status=200, content_type="text/xml; charset=utf-8")
