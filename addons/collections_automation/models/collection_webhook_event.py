import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import optout as optout_engine

_logger = logging.getLogger(__name__)

#: How far a receipt moves a row; a late "delivered" never undoes "read".
STATUS_RANK = {
    "queued": 0,
    "sending": 0,
    "failed": 1,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "replied": 4,
}
#: Provider statuses to ours.
STATUS_MAP = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "undelivered": "failed",
}


class CollectionWebhookEvent(models.Model):
    """Every webhook event received, once: receipts, replies and calls.

    The unique ``(provider_kind, event_key)`` makes a replayed webhook a
    no-op: the insert finds the key and nothing else happens. Replies from a
    number no customer has wait here for a person (state *To Review*).
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
            "unique(provider_kind, event_key)",
            "This webhook event was received already.",
        ),
    ]

    def action_done(self):
        self.write({"state": "done"})

    # === Intake === #
    @api.model
    def _ingest(self, provider, events, channel):
        """Apply each new event; return ``(applied, replayed)`` counts.

        ``channel`` is the channel of inbound messages (whatsapp, sms...);
        receipts find their row by the provider's id or our reference.
        """
        applied = replayed = 0
        for event in events:
            event_id = self._claim_event(provider, event, channel)
            if not event_id:
                replayed += 1
                continue
            record = self.browse(event_id)
            if event["kind"] == "message":
                record._apply_inbound(provider, event)
            else:
                record._apply_status(event)
            applied += 1
        return applied, replayed

    @api.model
    def _claim_event(self, provider, event, channel):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_webhook_event
                       (provider_kind, provider_id, company_id, event_key, kind,
                        received_at, sender, channel, text, status, state,
                        create_uid, write_uid, create_date, write_date)
                VALUES (%(kind)s, %(provider)s, %(company)s, %(key)s, %(type)s,
                        %(now)s, %(sender)s, %(channel)s, %(text)s, %(status)s,
                        'done', %(uid)s, %(uid)s, %(now)s, %(now)s)
           ON CONFLICT (provider_kind, event_key) DO NOTHING
             RETURNING id
                """,
                kind=provider.kind,
                provider=provider.id,
                company=provider.company_id.id,
                key=str(event["event_key"])[:255],
                type=event["kind"]
                if event["kind"] in ("status", "message")
                else "call",
                now=fields.Datetime.now(),
                sender=event.get("from") or event.get("recipient"),
                channel=channel if event["kind"] == "message" else None,
                text=event.get("text"),
                status=event.get("status"),
                uid=self.env.uid,
            )
        )
        row = self.env.cr.fetchone()
        return row and row[0]

    def _find_row(self, event):
        Message = self.env["collection.message"]
        row = Message
        if event.get("provider_id"):
            row = Message.search([("provider_ref", "=", event["provider_id"])], limit=1)
        if not row and event.get("reference"):
            row = Message.search(
                [("idempotency_key", "=", event["reference"])], limit=1
            )
        return row

    def _apply_status(self, event):
        """A receipt: move the row on (never back), or keep it as unknown."""
        row = self._find_row(event)
        values = {"message_id": row.id, "partner_id": row.partner_id.id}
        if not row:
            self.write({"state": "ignored", "note": "unknown message"})
            return
        # calls report progress (Twilio's "call" events, or a generic
        # gateway's "answered"/"no-answer" statuses)
        if event["kind"] == "call":
            status = self._call_status(event)
        else:
            status = STATUS_MAP.get(event.get("status")) or self._call_status(event)
        if not status:
            self.write(dict(values, note=f"status {event.get('status')} not tracked"))
            return
        self.write(values)
        current = row.state
        if STATUS_RANK.get(status, 0) <= STATUS_RANK.get(current, -1) and not (
            status == "failed" and current == "sending"
        ):
            return
        at = event.get("timestamp") or fields.Datetime.now()
        at = at.replace(tzinfo=None) if hasattr(at, "tzinfo") else at
        update = {"state": status}
        if not row.provider_ref and event.get("provider_id"):
            update["provider_ref"] = event["provider_id"]
        if status in ("sent", "delivered", "read") and not row.sent_at:
            update["sent_at"] = at
        if status in ("delivered", "read") and not row.delivered_at:
            update["delivered_at"] = at
        if status == "read":
            update["read_at"] = at
        if status == "failed":
            update["error"] = event.get("error") or self.env._(
                "The provider could not deliver it."
            )
        row.write(update)
        if status == "failed":
            row._log_failed()

    def _call_status(self, event):
        """A call answered by a person counts as delivered; not answered or
        answered by a machine, as sent (a voicemail was left) or failed."""
        status = event.get("status")
        if status in ("busy", "no-answer", "failed", "canceled"):
            return "failed"
        if status in ("in-progress", "answered", "completed"):
            answered_by = event.get("answered_by") or "human"
            return "delivered" if answered_by.startswith("human") else "sent"
        return None

    def _apply_inbound(self, provider, event):
        """A message from a customer: chatter, reply, opt-out, the agent."""
        number = event.get("from")
        partner = self._partner_for(number, provider.company_id)
        if not partner:
            self.write(
                {
                    "state": "review",
                    "note": self.env._("No customer has this number."),
                }
            )
            return
        channel = self.channel
        text = event.get("text") or ""
        self.write({"partner_id": partner.id})
        if channel == "whatsapp":
            partner.collection_whatsapp_inbound_at = fields.Datetime.now()
        partner.message_post(
            body=Markup("%s<br/>%s")
            % (
                self.env._(
                    "Reply by %(channel)s from %(number)s:",
                    channel=channel,
                    number=number,
                ),
                text,
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        Message = self.env["collection.message"]
        replied = Message._register_reply(partner, channel, text)
        if replied:
            self.message_id = replied
        if optout_engine.is_opt_out(text):
            partner._collection_opt_out(channel, provider, text)
            return
        self._hand_to_agent(partner, channel, text, source=replied)

    def _hand_to_agent(self, partner, channel, text, source=None):
        """Where the AI agent (collections_ai_agent) takes the reply over.

        :param source: the outbox row answered (a call, for voice), if known
        :return: what to say back on a call (voice), or a falsy value
        """
        return False

    @api.model
    def _partner_for(self, number, company):
        """The customer behind a number: one with open items in the company
        first, the most recently updated otherwise."""
        if not number:
            return self.env["res.partner"]
        partners = self.env["res.partner"].search(
            [("collection_phone_e164", "=", number)], order="write_date desc"
        )
        with_debts = partners.filtered(
            lambda p: p.commercial_partner_id.collection_debtor_ids.filtered(
                lambda d: d.company_id == company
            )
        )
        return (with_debts or partners)[:1]
