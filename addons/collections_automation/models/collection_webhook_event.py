import logging
from datetime import UTC
from typing import NamedTuple

from markupsafe import Markup

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..channels import base as channels_base
from ..engine import optout as optout_engine
from ..engine import outbox

_logger = logging.getLogger(__name__)

#: Providers' words for a message's fate, in the outbox's words
#: (``engine/outbox.py`` decides what each does to a row).
STATUS_MAP = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
}
#: A call not answered failed; one answered was delivered (a person) or
#: sent (a machine took a voicemail).
CALL_FAILED = ("busy", "no-answer", "failed", "canceled")
CALL_ANSWERED = ("in-progress", "answered", "completed")
#: Fields of a provider that must never show in a row's error.
SECRET_FIELDS = (
    "whatsapp_access_token",
    "whatsapp_app_secret",
    "whatsapp_verify_token",
    "twilio_auth_token",
    "generic_secret",
)
#: Longest provider error kept on a row.
MAX_ERROR = 1000


class IngestResult(NamedTuple):
    """What became of a webhook's events: applied, replays, those that
    could not be applied (stored to review, see the server log), those
    ignored (a receipt about no message sent through the provider) and
    those kept for a person (a message from a number no customer has)."""

    applied: int
    replayed: int
    failed: int
    ignored: int = 0
    review: int = 0


class CollectionWebhookEvent(models.Model):
    """Every webhook event received, once per provider: receipts, replies, calls.

    The unique ``(provider_id, event_key)`` makes a replayed webhook a no-op:
    the insert finds the key and nothing else happens. Two providers (two
    companies' gateways) may use the same event ids without one hiding the
    other's. Replies from a number no customer of the provider's company has
    wait here for a person (state *To Review*).
    """

    _name = "collection.webhook.event"
    _description = "Collection Webhook Event"
    _order = "received_at desc, id desc"

    provider_kind = fields.Selection(
        [("whatsapp", "WhatsApp"), ("twilio", "Twilio"), ("generic", "Generic")],
        required=True,
        readonly=True,
    )
    provider_id = fields.Many2one("collection.provider", readonly=True)
    company_id = fields.Many2one(related="provider_id.company_id", store=True)
    event_key = fields.Char(required=True, readonly=True)
    kind = fields.Selection(
        [("status", "Receipt"), ("message", "Inbound Message"), ("call", "Call")],
        required=True,
        readonly=True,
    )
    received_at = fields.Datetime(required=True, readonly=True)
    message_id = fields.Many2one(
        "collection.message", "Outbox Row", readonly=True, index="btree_not_null"
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    sender = fields.Char(readonly=True)
    channel = fields.Char(readonly=True)
    text = fields.Text(readonly=True)
    status = fields.Char(readonly=True)
    state = fields.Selection(
        [("done", "Done"), ("review", "To Review"), ("ignored", "Ignored")],
        default="done",
        required=True,
    )
    note = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "event_uniq",
            "unique(provider_id, event_key)",
            "This webhook event was received already.",
        ),
    ]

    def action_done(self):
        self.write({"state": "done"})

    # === Intake === #
    @api.model
    def _ingest(self, provider, events, channel=None):
        """Store and apply each new event of ``provider``; an
        :class:`IngestResult`.

        ``channel`` is the channel of inbound messages that do not name
        theirs (whatsapp, sms...). Each event is applied in a savepoint of
        its own: one that fails (a bug, never a replay) is stored to review
        and logged, and the others are kept.
        """
        applied = replayed = failed = ignored = review = 0
        for event in events:
            state = None
            try:
                with self.env.cr.savepoint():
                    event_id = self._claim_event(provider, event, channel)
                    if event_id:
                        stored = self.browse(event_id)
                        stored._apply(provider, event)
                        state = stored.state
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # the whole request is retried by Odoo
            except Exception:  # pylint: disable=broad-except
                _logger.exception(
                    "Webhook event %s of provider %s could not be applied",
                    event.get("event_key"),
                    provider.id,
                )
                failed += 1
                self._keep_failed(provider, event, channel)
                continue
            if not event_id:
                replayed += 1
            elif state == "ignored":
                ignored += 1
            elif state == "review":
                review += 1
            else:
                applied += 1
        return IngestResult(applied, replayed, failed, ignored, review)

    @api.model
    def _keep_failed(self, provider, event, channel):
        """Store an event that could not be applied, for a person to see."""
        try:
            with self.env.cr.savepoint():
                self._claim_event(
                    provider,
                    event,
                    channel,
                    state="review",
                    note=self.env._("Could not be applied; see the server log."),
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Webhook event of provider %s not stored", provider.id)

    def _apply(self, provider, event):
        self.ensure_one()
        if event["kind"] == "message":
            self._apply_inbound(provider, event)
        else:
            self._apply_status(provider, event)

    @api.model
    def _claim_event(self, provider, event, channel, state="done", note=None):
        """Insert the event; its id, or None when this provider sent it before."""
        self.env.flush_all()
        kind = event["kind"] if event["kind"] in ("status", "message") else "call"
        if kind == "message":
            channel = event.get("channel") or channel
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_webhook_event
                       (provider_kind, provider_id, company_id, event_key, kind,
                        received_at, sender, channel, text, status, state, note,
                        create_uid, write_uid, create_date, write_date)
                VALUES (%(kind)s, %(provider)s, %(company)s, %(key)s, %(type)s,
                        %(now)s, %(sender)s, %(channel)s, %(text)s, %(status)s,
                        %(state)s, %(note)s, %(uid)s, %(uid)s, %(now)s, %(now)s)
           ON CONFLICT (provider_id, event_key) DO NOTHING
             RETURNING id
                """,
                kind=provider.kind,
                provider=provider.id,
                company=provider.company_id.id,
                key=str(event["event_key"]),
                type=kind,
                now=fields.Datetime.now(),
                sender=event.get("from") or event.get("recipient"),
                channel=(event.get("channel") or channel)
                if kind == "message"
                else None,
                text=event.get("text"),
                status=event.get("status"),
                state=state,
                note=note,
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    # === Receipts === #
    def _find_row(self, provider, event):
        """The outbox row a receipt of ``provider`` is about, or none.

        Only rows this provider may have sent: its company's row with the
        provider's message id, else its company's row with our reference on
        a channel the company routes through this provider (a receipt
        quoting a row we never stored the provider's id of). A row whose
        stored provider id differs is another message.
        """
        Message = self.env["collection.message"]
        company = provider.company_id
        provider_ref = event.get("provider_id")

        def routed_here(row):
            return provider._route_id(company.id, row.channel) == provider.id

        if provider_ref:
            rows = Message.search(
                [("provider_ref", "=", provider_ref), ("company_id", "=", company.id)],
                order="id desc",
            )
            # else one on a channel this provider carries (routes may have
            # changed since it was sent); a row on a channel it does not
            # carry with the same id (an email, whose id is Odoo's own
            # message's) is another message
            if rows:
                channels = provider._channels()
                return (
                    rows.filtered(routed_here)
                    or rows.filtered(lambda row: row.channel in channels)
                )[:1]
        reference = event.get("reference")
        if not reference:
            return Message
        row = Message.search(
            [("idempotency_key", "=", reference), ("company_id", "=", company.id)],
            limit=1,
        )
        if not row or not routed_here(row):
            return Message
        if row.provider_ref and provider_ref and row.provider_ref != provider_ref:
            return Message
        return row

    def _receipt_status(self, event):
        """The outbox's word for a receipt (sent, delivered, read, failed), or None.

        Calls report progress (Twilio's "call" events, or a generic gateway's
        "answered"/"no-answer" statuses).
        """
        status = event.get("status")
        if event["kind"] != "call" and status in STATUS_MAP:
            return STATUS_MAP[status]
        if status in CALL_FAILED:
            return "failed"
        if status in CALL_ANSWERED:
            answered_by = event.get("answered_by") or "human"
            return "delivered" if answered_by.startswith("human") else "sent"
        return None

    def _apply_status(self, provider, event):
        """A receipt: move the row as ``engine/outbox.py`` says, or keep it as
        unknown. A failure after "sent" fails the row with the provider's
        reason and says so in the customer's chatter, so the journey's next
        step escalates to another channel."""
        row = self._find_row(provider, event)
        if not row:
            self.write(
                {
                    "state": "ignored",
                    "note": self.env._("No message sent through this provider."),
                }
            )
            return
        values = {"message_id": row.id, "partner_id": row.partner_id.id}
        status = self._receipt_status(event)
        target = status and outbox.receipt_target(row.state, status)
        if not target:
            self.write(values)
            return
        self.write(values)
        now = fields.Datetime.now()
        at = event.get("timestamp") or now
        if at.tzinfo:
            at = at.astimezone(UTC).replace(tzinfo=None)
        at = min(at, now)  # a receipt does not come from the future
        update = {"state": target}
        if not row.provider_ref and event.get("provider_id"):
            update["provider_ref"] = event["provider_id"]
        if target in ("sent", "delivered", "read") and not row.sent_at:
            update["sent_at"] = at
        if target in ("delivered", "read") and not row.delivered_at:
            update["delivered_at"] = at
        if target == "read" and not row.read_at:
            update["read_at"] = at
        if target == "failed":
            update["error"] = self._provider_error(provider, event)
        elif row.state == "failed":
            update["error"] = False  # it arrived after all
        row.write(update)
        if target == "failed":
            row._log_failed()

    def _provider_error(self, provider, event):
        """The provider's reason for a failure, without any of its secrets."""
        error = event.get("error")
        if not error and event.get("kind") == "call":
            error = {
                "no-answer": self.env._("The call was not answered."),
                "busy": self.env._("The line was busy."),
                "canceled": self.env._(
                    "The call was cancelled before it was answered."
                ),
                "failed": self.env._("The call could not be connected."),
            }.get(event.get("status"))
        if not error:
            return self.env._("The provider could not deliver it.")
        provider = provider.sudo()
        secrets = [provider[name] for name in SECRET_FIELDS if provider[name]]
        return channels_base.redact(str(error), secrets)[:MAX_ERROR]

    # === Inbound messages === #
    def _apply_inbound(self, provider, event):
        """A message from a customer: chatter, reply, opt-out, the agent."""
        number = event.get("from")
        channel = self.channel
        company = provider.company_id
        partners = self._partners_for(number, company, channel)
        partner = partners[:1]
        if not partner:
            self.write(
                {
                    "state": "review",
                    "note": self.env._("No customer has this number."),
                }
            )
            return
        text = event.get("text") or ""
        self.write({"partner_id": partner.id})
        label = self.env["collection.contact.gate"]._channel_label(channel)
        if channel == "whatsapp":
            partner.collection_whatsapp_inbound_at = fields.Datetime.now()
        if event.get("reaction"):
            # an emoji on one of our messages: read, not an answer to wait on
            partner.message_post(
                body=self.env._(
                    "Reacted with %(emoji)s by %(channel)s from %(number)s.",
                    emoji=text,
                    channel=label,
                    number=number,
                ),
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            return
        attachment = self._attachment_label(event.get("attachment"))
        heading = (
            self.env._(
                "Reply by %(channel)s from %(number)s, who sent %(attachment)s:",
                channel=label,
                number=number,
                attachment=attachment,
            )
            if attachment
            else self.env._(
                "Reply by %(channel)s from %(number)s:", channel=label, number=number
            )
        )
        partner.message_post(
            body=Markup("%s<br/>%s") % (heading, text),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        Message = self.env["collection.message"]
        replied = Message._register_reply(partner, channel, text, company=company)
        if replied:
            self.message_id = replied
        if optout_engine.is_opt_out(text):
            partner._collection_opt_out(channel, provider, text)
            # the number asked: every customer of the company behind it stops
            # (one confirmation is enough)
            for other in partners - partner:
                other._collection_opt_out(channel, provider, text, confirm=False)
            return
        if attachment:
            # often a photo of a receipt: for a person to open, in the
            # provider's console (its media is not downloaded here)
            partner.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._(
                    "Open %(attachment)s the customer sent by %(channel)s",
                    attachment=self._attachment_label(
                        event["attachment"], article="the"
                    ),
                    channel=label,
                ),
                note=text,
                user_id=partner._collection_follow_up_user(company).id,
            )
            if not text:
                return  # nothing for the agent to read
        self._hand_to_agent(partner, channel, text, source=replied)

    def _attachment_label(self, attachment, article="a"):
        """What a customer sent besides words, in words, with the article
        each language needs ("a photo", article "the": "the photo"); None
        when they sent only words."""
        if not attachment:
            return None
        labels = {
            "image": (self.env._("a photo"), self.env._("the photo")),
            "document": (self.env._("a document"), self.env._("the document")),
            "audio": (self.env._("a voice message"), self.env._("the voice message")),
            "video": (self.env._("a video"), self.env._("the video")),
            "sticker": (self.env._("a sticker"), self.env._("the sticker")),
            "location": (self.env._("a location"), self.env._("the location")),
            "contacts": (self.env._("a contact card"), self.env._("the contact card")),
        }
        default = (self.env._("an attachment"), self.env._("the attachment"))
        return labels.get(attachment, default)[article == "the"]

    def _hand_to_agent(self, partner, channel, text, source=None):
        """Where the AI agent (collections_ai_agent) takes the reply over.

        :param source: the outbox row answered (a call, for voice), if known
        :return: what to say back on a call (voice), or a falsy value
        """
        return False

    @api.model
    def _partners_for(self, number, company, channel=None):
        """The customers behind a number, among the contacts of ``company``
        (its own and the shared ones): those with open items in the company
        first, the most recently updated first.

        A WhatsApp id is matched with the number's mobile variants (Mexico's
        ``521...``, Argentina's ``549...``, see
        :func:`~..channels.base.phone_variants`); an email channel matches
        the address.
        """
        Partner = self.env["res.partner"]
        if not number:
            return Partner
        domain = [("company_id", "in", [company.id, False])]
        if channel == "email":
            domain.append(("email_normalized", "=", str(number).strip().lower()))
        else:
            try:
                variants = channels_base.phone_variants(number)
            except ValueError:
                variants = (number,)
            domain.append(("collection_phone_e164", "in", list(variants)))
        partners = Partner.search(domain, order="write_date desc, id desc")
        with_debts = partners.filtered(
            lambda p: p.commercial_partner_id.collection_debtor_ids.filtered(
                lambda d: d.company_id == company
            )
        )
        return with_debts + (partners - with_debts)
