import hashlib
import re
from urllib.parse import quote

from odoo import api, fields, models
from odoo.tools.misc import hmac as hmac_tool
from odoo.tools.translate import _lt

from ..channels import twilio

#: Where the provider fetches a call's TwiML.
VOICE_PATH = "/collections/voice"


# A yes to "I understood: ... Is that right?", in the customer's words.
_YES = re.compile(
    r"^(?:s[ií]|sim|yes|yeah|yep|correct|right|that's right|exacto|exato|correcto|"
    r"correto|claro|isso|eso|ok|okay|dale|va|certo|perfecto|perfeito)\b",
    re.IGNORECASE,
)


#: Prompts without an answer before the call says goodbye.
MAX_SILENCE = 2

# What the call says, translatable: the customer's language all through.
INTRO = _lt("Hello, this is %s calling about your account.")
CHOICES = _lt(
    "Press 1 to receive the payment link by text message, 2 to talk to a "
    "person, or tell us when you can pay."
)
UNSURE = _lt("I understood: %s. Is that right? Say yes, or say it again.")
ALSO_A_PERSON = _lt("You can also press 2 to talk to a person.")
HOLD = _lt("Please hold, we are connecting you with a person.")
CALL_BACK = _lt(
    "No one can take your call right now: a person from our team will call "
    "you back soon. Thank you, goodbye."
)
LINK_SENT = _lt("We are sending you the payment link. Thank you, goodbye.")
LINK_FAILED = _lt(
    "We could not send you the link now; a person will contact you. Goodbye."
)
NOTED = _lt("Thank you, we have noted it. Goodbye.")
GOODBYE = _lt("Thank you. Goodbye.")
NOT_HEARD = _lt("Sorry, I did not hear you.")
NOT_A_KEY = _lt("That key is not one of the choices.")
NOT_FOLLOWED = _lt(
    "Sorry, I could not follow that. Could you say it again in a few words?"
)
# An answering machine may be heard by anyone: a limited-content message
# (Regulation F, 12 CFR 1006.2(j)): who it is for, who calls, a number to
# call back; nothing of the debt.
VOICEMAIL = _lt(
    "Hello, this is a message for %(name)s from %(company)s. Please call us "
    "back at %(number)s. Thank you."
)
VOICEMAIL_NO_NUMBER = _lt(
    "Hello, this is a message for %(name)s from %(company)s. Please call us "
    "back. Thank you."
)
NOT_HEARD_BYE = _lt("We could not hear you. We will try again another time. Goodbye.")


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

    # === What the caller hears === #
    def _voice_lang(self):
        return self.partner_id.lang or self.env.lang

    def _voice_phrase(self, phrase, *args):
        """``phrase`` (one of this file's ``_lt``) in the customer's
        language."""
        text = phrase._translate(self._voice_lang())
        return text % args if args else text

    def _voicemail(self, provider):
        """What an answering machine records: a limited-content message
        (:data:`VOICEMAIL`), the number to call back read digit by digit."""
        number = provider and (
            provider.voice_transfer_number or provider.twilio_from_number
        )
        words = {
            "name": self.partner_id.name or "",
            "company": self.company_id.name or "",
        }
        if number:
            words["number"] = twilio.spoken_number(number)
            return self._voice_phrase(VOICEMAIL) % words
        return self._voice_phrase(VOICEMAIL_NO_NUMBER) % words

    def _voice_gather_url(self, **params):
        """Where Twilio posts the next answer; ``n`` counts the answers of
        the call (a retried request is the same ``n``), ``silence`` the
        prompts in a row without any."""
        query = "".join(
            f"&{name}={quote(str(value))}" for name, value in params.items() if value
        )
        return (
            f"{self.get_base_url()}{VOICE_PATH}/{self.id}/gather"
            f"?token={self._voice_token()}{query}"
        )

    def _voice_listen(self, message, n, prompt=None, silence=0, **params):
        """Say ``message`` and listen; silence comes back here (bounded)."""
        lang = self._voice_lang()
        return twilio.reminder_twiml(
            twilio.spoken_text(message),
            lang,
            self._voice_gather_url(n=n, **params),
            prompt or self._voice_phrase(ALSO_A_PERSON),
            redirect_url=self._voice_gather_url(n=n, silence=silence + 1),
        )

    def _voice_goodbye(self, message):
        return twilio.say_twiml(twilio.spoken_text(message), self._voice_lang())

    def _voice_note(self, text):
        """What happened on the call, in words, on the row."""
        notes = self.sudo().channel_notes
        self.sudo().channel_notes = f"{notes}\n{text}" if notes else text

    def _voice_twiml(self, answered_by=None, provider=None):
        """The call's opening: who calls and why, the reminder, then keypad
        or speech answers. An answering machine gets a short message once
        its greeting is over (``machine_end_*``), saying nothing of the debt
        (:meth:`_voicemail`); no conversation, and nothing over its greeting
        (``machine_start``) or to a fax."""
        self.ensure_one()
        lang = self._voice_lang()
        body = twilio.spoken_text(self.body or "")
        company = self.company_id.name or ""
        if company and company.lower() not in body.lower():
            body = f"{self._voice_phrase(INTRO, company)} {body}"
        if answered_by and (answered_by.startswith("machine") or answered_by == "fax"):
            if answered_by.startswith("machine_end"):
                self._voice_note(
                    self.env._(
                        "An answering machine took the call: a voicemail was left."
                    )
                )
                return twilio.voicemail_twiml(self._voicemail(provider), lang)
            self._voice_note(
                self.env._(
                    "An answering machine or a fax took the call: hung up "
                    "without a message."
                )
            )
            return twilio.hangup_twiml()
        return self._voice_listen(body, 1, self._voice_phrase(CHOICES))

    def _voice_answer(
        self,
        provider,
        digits=None,
        speech=None,
        confidence=None,
        heard=None,
        n=None,
        silence=0,
        odd=False,
    ):
        """What the customer answered: 1 sends the link, 2 transfers (or
        promises a call back), words are a reply (the chatter and the agent
        get them); silence or a key that is no choice asks again, a few
        times. A request Twilio retries (the same ``n`` and answer) gets the
        answer given the first time, and changes nothing again.

        Words the recogniser was unsure of (``confidence`` below
        twilio.LOW_CONFIDENCE) are read back first; ``heard`` is that sentence
        on the next turn: a yes confirms it, anything else is the new answer.
        """
        self.ensure_one()
        claimed = None
        if n and provider:
            key = hashlib.sha256(
                repr((digits, speech, heard, silence, odd)).encode()
            ).hexdigest()[:16]
            call_sid = self.env.context.get("collection_voice_call_sid") or ""
            Event = self.env["collection.webhook.event"].sudo()
            event = {
                "kind": "call",
                "event_key": f"{call_sid}:{self.id}:answer:{n}:{key}",
                "status": "answer",
            }
            claimed = Event._claim_event(provider, event, "voice")
            if not claimed:
                given = Event.search(
                    [
                        ("provider_id", "=", provider.id),
                        ("event_key", "=", event["event_key"]),
                    ],
                    limit=1,
                )
                if given.text:
                    return given.text
        xml = self._voice_respond(
            provider, digits, speech, confidence, heard, int(n or 0), silence, odd
        )
        if claimed:
            self.env["collection.webhook.event"].sudo().browse(claimed).write(
                {"text": xml, "partner_id": self.partner_id.id}
            )
        return xml

    def _voice_respond(
        self, provider, digits, speech, confidence, heard, n, silence, odd
    ):
        phrase = self._voice_phrase
        following = n + 1
        if odd:
            return self._voice_listen(phrase(NOT_FOLLOWED), following)
        speech = (speech or "").strip()
        if heard and speech and _YES.match(speech):
            speech, confidence = heard, None
        if speech and confidence is not None and confidence < twilio.LOW_CONFIDENCE:
            if heard:
                # read back once; unsure again, the words are taken as said
                confidence = None
            else:
                return self._voice_listen(
                    phrase(UNSURE, speech[:300]), following, heard=speech[:300]
                )
        if digits == "2":
            self._register_reply(
                self.partner_id, "voice", self.env._("Asked for a person (keypad 2).")
            )
            return self._voice_person(provider)
        if digits == "1":
            self._register_reply(
                self.partner_id,
                "voice",
                self.env._("Asked for the payment link (keypad 1)."),
            )
            link = self._voice_link_message()
            return self._voice_goodbye(phrase(LINK_SENT if link else LINK_FAILED))
        if speech:
            self._register_reply(self.partner_id, "voice", speech)
            self.partner_id.message_post(
                body=self.env._("Said on the call: %s", speech),
                author_id=self.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            answer, ending = self._voice_agent_reply(provider, speech)
            if answer and ending == "transfer":
                return self._voice_person(provider, answer, ask=False)
            if answer and ending == "hangup":
                return self._voice_goodbye(f"{answer} {phrase(GOODBYE)}")
            if answer:
                # the agent answered: say it and listen for the next sentence
                return self._voice_listen(answer, following)
            return self._voice_goodbye(phrase(NOTED))
        # silence, or a key that is no choice: the choices again, a few times
        if silence >= MAX_SILENCE:
            return self._voice_goodbye(phrase(NOT_HEARD_BYE))
        sorry = phrase(NOT_A_KEY) if digits else phrase(NOT_HEARD)
        return self._voice_listen(
            sorry, following, phrase(CHOICES), silence=silence if not digits else 0
        )

    def _voice_agent_reply(self, provider, speech):
        """The agent's spoken answer to ``speech`` and how the call goes on:
        ``(text or None, None | "transfer" | "hangup")``."""
        event = self.env["collection.webhook.event"].sudo()
        answer = event._hand_to_agent(self.partner_id, "voice", speech, source=self)
        return (answer if isinstance(answer, str) and answer else None), None

    def _voice_person(self, provider, said=None, ask=True):
        """The customer wants a person: the collectors' number takes the
        call, else a collector is asked to call back and the caller told."""
        lang = self._voice_lang()
        if provider and provider.voice_transfer_number:
            hold = self._voice_phrase(HOLD)
            return twilio.transfer_twiml(
                provider.voice_transfer_number,
                twilio.spoken_text(f"{said} {hold}" if said else hold),
                lang,
                provider.twilio_from_number,
            )
        if ask:
            company = self.company_id
            self.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Call the customer back: they asked for a person"),
                note=self.env._(
                    "Asked for a person on the reminder call; no number to "
                    "transfer the call to is configured."
                ),
                user_id=self.partner_id._collection_follow_up_user(company).id,
            )
        if said:
            return self._voice_goodbye(f"{said} {self._voice_phrase(GOODBYE)}")
        return self._voice_goodbye(self._voice_phrase(CALL_BACK))

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
