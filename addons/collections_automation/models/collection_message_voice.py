import re
from urllib.parse import quote

from odoo import api, fields, models
from odoo.tools.misc import hmac as hmac_tool

from ..channels import twilio

#: Where the provider fetches a call's TwiML.
VOICE_PATH = "/collections/voice"


# A yes to "I understood: ... Is that right?", in the customer's words.
_YES = re.compile(
    r"^(?:s[ií]|sim|yes|yeah|yep|correct|right|that's right|exacto|exato|correcto|"
    r"correto|claro|isso|eso|ok|okay|dale|va|certo|perfecto|perfeito)\b",
    re.IGNORECASE,
)


class CollectionMessageVoice(models.AbstractModel):
    """The voice call of an outbox row: the TwiML that reads the reminder,
    what the customer answers (a key, or words the agent reads), the payment
    link asked for by keypad, and the call's expiring access token."""

    _name = "collection.message.voice"
    _description = "Outbox Row Voice Call"

    def _voice_path(self):
        """The TwiML address of this row's call, with its access token (an
        hour to answer; Twilio names the call when it fetches it)."""
        return f"{VOICE_PATH}/{self.id}?token={self._voice_token(call_sid='')}"

    def _voice_token(self, call_sid=None, expires=None):
        """``<expiry>.<signature>`` giving one call of this row access to its
        TwiML until ``expires`` (unix seconds).

        :param call_sid: the call (Twilio's ``CallSid``) the token is for;
            by default the one the controller serves (context
            ``collection_voice_call_sid``), else none yet (the call is
            being started): such a token only serves the call the row
            records, or the row's first call before it records one
        :param expires: default: in 30 minutes for a call, an hour otherwise
        """
        self.ensure_one()
        if call_sid is None:
            call_sid = self.env.context.get("collection_voice_call_sid") or ""
        if expires is None:
            epoch = fields.Datetime.to_datetime("1970-01-01")
            now = int((fields.Datetime.now() - epoch).total_seconds())
            expires = now + (1800 if call_sid else 3600)
        signature = hmac_tool(
            self.env(su=True), "collections-voice", (self.id, call_sid, int(expires))
        )
        return f"{int(expires)}.{signature}"

    def _voice_twiml(self, answered_by=None):
        """The call's opening: the reminder, then keypad or speech answers;
        a short message for an answering machine."""
        self.ensure_one()
        customer = self.with_context(lang=self.partner_id.lang or self.env.lang)
        lang = customer.env.lang
        if answered_by and answered_by.startswith("machine"):
            return twilio.voicemail_twiml(self.body or "", lang)
        return twilio.reminder_twiml(
            self.body or "",
            lang,
            f"{self.get_base_url()}{VOICE_PATH}/{self.id}/gather"
            f"?token={self._voice_token()}",
            customer.env._(
                "Press 1 to receive the payment link by text message, 2 to "
                "talk to a person, or tell us when you can pay."
            ),
        )

    def _voice_answer(
        self, provider, digits=None, speech=None, confidence=None, heard=None
    ):
        """What the customer answered: 1 sends the link, 2 transfers, words
        are a reply (the chatter and the agent get them).

        Words the recogniser was unsure of (``confidence`` below
        twilio.LOW_CONFIDENCE) are read back first; ``heard`` is that sentence
        on the next turn: a yes confirms it, anything else is the new answer.
        """
        self.ensure_one()
        customer = self.with_context(lang=self.partner_id.lang or self.env.lang)
        say = customer.env._
        lang = customer.env.lang
        if heard and speech and _YES.match(speech.strip()):
            speech, confidence = heard, None
        if speech and confidence is not None and confidence < twilio.LOW_CONFIDENCE:
            return twilio.reminder_twiml(
                say(
                    "I understood: %s. Is that right? Say yes, or say it again.", speech
                ),
                lang,
                f"{self.get_base_url()}{VOICE_PATH}/{self.id}/gather"
                f"?token={self._voice_token()}&heard={quote(speech[:300])}",
                say("You can also press 2 to talk to a person."),
            )
        if digits == "2" and provider.voice_transfer_number:
            self._register_reply(
                self.partner_id, "voice", say("Asked for a person (keypad 2).")
            )
            return twilio.transfer_twiml(
                provider.voice_transfer_number,
                say("Please hold, we are connecting you with a person."),
                lang,
                provider.twilio_from_number,
            )
        if digits == "1":
            self._register_reply(
                self.partner_id, "voice", say("Asked for the payment link (keypad 1).")
            )
            link = self._voice_link_message()
            return twilio.say_twiml(
                say("We are sending you the payment link. Thank you, goodbye.")
                if link
                else say(
                    "We could not send you the link now; a person will "
                    "contact you. Goodbye."
                ),
                lang,
            )
        if speech:
            event = self.env["collection.webhook.event"].sudo()
            self._register_reply(self.partner_id, "voice", speech)
            self.partner_id.message_post(
                body=say("Said on the call: %s", speech),
                author_id=self.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            answer = event._hand_to_agent(self.partner_id, "voice", speech, source=self)
            if isinstance(answer, str) and answer:
                # the agent answered: say it and listen for the next sentence
                return twilio.reminder_twiml(
                    answer,
                    lang,
                    f"{self.get_base_url()}{VOICE_PATH}/{self.id}/gather"
                    f"?token={self._voice_token()}",
                    say("You can also press 2 to talk to a person."),
                )
            return twilio.say_twiml(say("Thank you, we have noted it. Goodbye."), lang)
        return twilio.say_twiml(say("Thank you. Goodbye."), lang)

    def _voice_link_message(self):
        """An SMS with the payment link, through the contact policy like any
        reminder; one per call."""
        key = f"{self.idempotency_key}-link"
        existing = self.search([("idempotency_key", "=", key)], limit=1)
        if existing:
            return existing
        link = self._payment_url()
        if not link:
            return self.browse()
        return self._link_by_sms(
            self.partner_id,
            self.company_id,
            self.debtor_id,
            link,
            key,
            self.invoice_ids,
        )

    @api.model
    def _link_by_sms(self, partner, company, debtor, link, key, invoices=None):
        """A payment link asked for on a call, sent by SMS through the outbox
        (and so through the contact gate), written with the server's rights."""
        customer = self.with_context(lang=partner.lang or self.env.lang)
        return self.sudo().create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "debtor_id": debtor.id,
                "invoice_ids": [(6, 0, (invoices or self.env["account.move"]).ids)],
                "kind": "payment_link",
                "channel": "sms",
                "state": "planned",
                "scheduled_at": fields.Datetime.now(),
                "idempotency_key": key,
                "payment_url": link,
                "body": customer.env._("Your payment link: %s", link),
            }
        )
