import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..engine import outbox
from .res_partner import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)

STATES = [
    ("review", "To Review"),
    ("planned", "Planned"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("replied", "Replied"),
    ("failed", "Failed"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
#: States in which a row counts as a contact made, for the contact policy.
CONTACTED_STATES = outbox.CONTACTED


class CollectionMessage(models.Model):
    """The outbox: one row per planned contact, and what became of it.

    Life cycle: the planner (:meth:`_plan`) creates rows ``planned`` (or
    ``review`` when the journey wants a person to approve them first), or
    ``refused`` with the rule that refused them. The unique idempotency key
    (customer, step, day) makes planning idempotent: a rerun, or two
    planners at once, insert each row once. Dispatch (:meth:`_dispatch`)
    locks due rows with ``FOR UPDATE SKIP LOCKED``, so two workers never take
    the same row, checks the contact policy again at the time of sending,
    renders and sends each row in its own savepoint (a failure marks that row
    ``failed`` with the error, never the batch) and commits the batch with
    the sent state, so a crash before the commit leaves rows ``planned``, to
    be sent once by the next run. Receipts move rows on to ``delivered``,
    ``read`` and ``replied``. Every change of state follows the outbox's state
    machine (``engine/outbox.py``).

    This file keeps the record; rendering (``collection.message.render``),
    sending per channel (``collection.message.send``) and the voice call
    (``collection.message.voice``) are mixins of their own files.
    """

    _name = "collection.message"
    _inherit = [
        "collection.message.render",
        "collection.message.send",
        "collection.message.voice",
    ]
    _description = "Collection Message"
    _order = "scheduled_at desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    debtor_id = fields.Many2one("collection.debtor", index=True, ondelete="cascade")
    invoice_ids = fields.Many2many(
        "account.move",
        "collection_message_invoice_rel",
        "message_id",
        "move_id",
        string="Invoices",
    )
    kind = fields.Selection(
        [
            ("journey", "Journey step"),
            ("promise_reminder", "Promise reminder"),
            ("optout_confirmation", "Opt-out confirmation"),
            ("payment_link", "Payment link on request"),
            ("manual_reminder", "Reminder sent by hand"),
        ],
        required=True,
        default="journey",
    )
    journey_id = fields.Many2one("collection.journey", index=True)
    step_id = fields.Many2one("collection.journey.step", index=True)
    variant_id = fields.Many2one("collection.journey.variant")
    template_id = fields.Many2one("collection.template")
    channel = fields.Selection(
        [*CHANNEL_SELECTION, ("collector", "Collector")],
        index=True,
    )
    state = fields.Selection(
        STATES,
        required=True,
        default="planned",
        index=True,
        help="Planned: waits for its time. To Review: waits for a person. "
        "Queued: a dispatch job holds it. Sending: a worker is sending it. "
        "Refused: the contact policy refused it (see the rule). Failed: the "
        "channel or the template failed (see the error); retry once fixed.",
    )
    idempotency_key = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        help="Customer, step and day: one reminder each, whatever happens.",
    )
    anchor_date = fields.Date(
        help="The due date (or broken promise) the step was counted from."
    )
    scheduled_at = fields.Datetime(
        "Scheduled", index=True, help="Earliest time the contact policy allows."
    )
    claimed_at = fields.Datetime(
        "Claimed", help="When a dispatch worker took it to send."
    )
    sent_at = fields.Datetime("Sent")
    delivered_at = fields.Datetime("Delivered")
    read_at = fields.Datetime("Read")
    replied_at = fields.Datetime("Replied")
    subject = fields.Char()
    body = fields.Text(help="The rendered content, as sent.")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    amount_due = fields.Monetary(help="Overdue amount when planned.")
    payment_url = fields.Char("Payment Link")
    recipient = fields.Char(help="Email address or E.164 number used.")
    provider_ref = fields.Char("Provider Reference", index="btree_not_null")
    error = fields.Text()
    attempts = fields.Integer()
    refusal_rule = fields.Char(help="Code of the contact rule that refused it.")
    refusal_reason = fields.Char()
    deferral_rule = fields.Char(
        help="Code of the contact rule that moved it later (quiet hours, a "
        "cap, a day without contact, a holiday)."
    )
    deferral_reason = fields.Char(
        "Deferred Because", help="Why the contact policy moved it, and until when."
    )
    channel_notes = fields.Text(
        help="Why the channels before the one used were passed over."
    )

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "This reminder was already planned.",
        ),
    ]

    @api.depends("partner_id", "step_id", "channel")
    def _compute_display_name(self):
        for message in self:
            message.display_name = " / ".join(
                filter(None, [message.partner_id.name, message.step_id.name])
            )

    # === Low level === #
    def write(self, vals):
        """A state written without naming its event (a form, an import, an
        RPC call) may only do what an event or a receipt of the outbox's state
        machine could (``engine/outbox.py``): nothing sent goes back to the
        queue, nothing refused or cancelled comes back."""
        if "state" in vals:
            wrong = self.filtered(lambda m: not outbox.can_move(m.state, vals["state"]))
            if wrong:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "A message that is %(current)s cannot become %(new)s.",
                        current=labels.get(wrong[0].state, wrong[0].state),
                        new=labels.get(vals["state"], vals["state"]),
                    )
                )
        return super().write(vals)

    # === Actions === #
    def action_approve(self):
        """Review-first journeys: send these as they are (or as edited)."""
        self._apply_event("approve")

    def action_skip(self):
        self._apply_event("cancel")

    def action_retry(self):
        """Failed rows go back to the queue; the policy is checked again."""
        self._apply_event(
            "retry",
            {
                "error": False,
                "attempts": 0,
                "scheduled_at": fields.Datetime.now(),
                "deferral_rule": False,
                "deferral_reason": False,
            },
        )

    def _apply_event(self, event, values=None):
        """Move the rows ``event`` applies to (``engine/outbox.py``) in one
        write; the others are left as they are. Returns the rows moved."""
        moved = self.filtered(lambda m: m.state in outbox.sources(event))
        if moved:
            moved.write(dict(values or {}, state=outbox.target(event)))
        return moved

    # === Planning === #
    @api.model
    def _cron_plan(self):
        self._plan()

    @api.model
    def _plan(self, now=None, company_ids=None):
        """Plan today's journey steps for every customer in a journey.

        :return: number of rows created (planned, to review or refused)
        """
        return self.env["collection.planner"]._plan(now, company_ids)

    # === Dispatch === #
    @api.model
    def _cron_dispatch(self):
        """Enqueue due rows on their providers' job channels (see the
        dispatcher); the jobs send them."""
        self.env["collection.dispatcher"]._cron_run()

    @api.model
    def _dispatch(self, now=None, limit=50000):
        """Send due rows now, in this transaction; returns how many were taken."""
        return self.env["collection.dispatcher"]._dispatch_now(now, limit)

    def action_send_now(self):
        """Send the selected planned rows now, through the job queue.

        The contact gate is asked first, so that the person who pressed the
        button is told at once which rows wait, why and until when (quiet
        hours, a cap) and which the policy refuses, instead of seeing them
        silently stay planned.
        """
        now = fields.Datetime.now()
        planned = self.filtered(lambda m: m.state == "planned")
        ready = self.env["collection.dispatcher"]._allowed_now(planned, now)
        notes = [
            f"{message.display_name}: {message._held_because()}"
            for message in planned - ready
        ]
        ready.write(
            {"scheduled_at": now, "deferral_rule": False, "deferral_reason": False}
        )
        sent = self.env["collection.dispatcher"]._enqueue_due(now) if ready else 0
        message = self.env._("%s message(s) queued for sending.", sent)
        if notes:
            message = "\n".join([message, *notes])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Send now"),
                "message": message,
                "type": "warning" if notes else "success",
                "sticky": bool(notes),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _job_send(self, provider_id=False, now=None):
        """queue_job: send these rows through ``provider_id`` (else Odoo's
        email and SMS). Rows no longer ``queued`` (sent by a job that ran
        before, cancelled meanwhile) are left alone."""
        now = now or fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message SET attempts = COALESCE(attempts, 0) + 1
                 WHERE id IN (SELECT id FROM collection_message
                               WHERE id = ANY(%s) AND state = 'queued'
                               ORDER BY id FOR UPDATE SKIP LOCKED)
             RETURNING id
                """,
                self.ids,
            )
        )
        messages = self.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        self.invalidate_recordset(["attempts"])
        if not messages:
            return "Nothing left to send."
        dispatcher = self.env["collection.dispatcher"]
        allowed = dispatcher._allowed_now(messages, now)
        provider = self.env["collection.provider"].sudo().browse(provider_id).exists()
        if provider:
            dispatcher._send_external(allowed, provider, now)
        else:
            for message in allowed:
                message._send_one(now)
        return f"{len(allowed)} of {len(messages)} rows allowed by the contact policy."

    def _held_because(self):
        """Why the contact gate holds this row: deferred until, or refused."""
        self.ensure_one()
        if self.state == "refused":
            return self.refusal_reason
        return self.deferral_reason

    def _mark_refused(self, verdict):
        """The contact gate refused this row (``verdict``): say why, on the
        row and on the customer's chatter."""
        moved = self._apply_event(
            "refuse",
            {"refusal_rule": verdict.rule, "refusal_reason": verdict.reason},
        )
        moved._log_batch(
            lambda message: self.env._(
                "Collection reminder %(step)s by %(channel)s not sent: %(reason)s",
                step=message.step_id.name or "",
                channel=message._channel_label(),
                reason=verdict.reason,
            )
        )

    def _defer(self, verdict):
        """The contact gate moved this row later (``verdict``): it waits
        ``planned`` until then, with the rule and the reason on the row."""
        gate = self.env["collection.contact.gate"]
        # the note depends on the customer's time zone only: one write per zone
        by_note = defaultdict(lambda: self.browse())
        for message in self:
            by_note[gate._deferral_note(verdict, message.partner_id)] |= message
        for note, messages in by_note.items():
            messages._apply_event(
                "defer",
                {
                    "scheduled_at": verdict.until,
                    "deferral_rule": verdict.rule,
                    "deferral_reason": note,
                },
            )

    def _log_sent(self):
        """The sent reminders in their customers' chatter, in a few batches."""
        self._log_batch(
            lambda m: self.env._(
                "Collection reminder sent by %(channel)s: %(text)s",
                channel=m._channel_label(),
                text=m.subject or m.body or "",
            )
        )
        self._log_on_invoices()

    def _log_failed(self):
        self._log_batch(
            lambda m: self.env._(
                "Collection reminder %(step)s by %(channel)s failed: %(error)s",
                step=m.step_id.name or "",
                channel=m._channel_label(),
                error=m.error or "",
            )
        )

    def _log_batch(self, describe):
        """One note per customer (its rows' lines joined) in one batch call."""
        lines = defaultdict(list)
        for message in self:
            lines[message.partner_id.id].append(describe(message))
        if lines:
            self.env["res.partner"].browse(list(lines))._message_log_batch(
                bodies={
                    partner_id: Markup("<br/>").join(texts)
                    for partner_id, texts in lines.items()
                }
            )

    def _channel_label(self):
        return dict(self._fields["channel"]._description_selection(self.env)).get(
            self.channel, self.channel
        )

    def _log_on_invoices(self):
        """Where a reminder concerns one invoice, its chatter shows it too
        (one batch call for all of these rows)."""
        notes = defaultdict(list)
        for message in self.filtered(lambda m: len(m.invoice_ids) == 1):
            notes[message.invoice_ids.id].append(
                Markup("%s<br/>%s")
                % (
                    self.env._(
                        "Collection reminder sent by %(channel)s.",
                        channel=message.channel,
                    ),
                    message.subject or message.body or "",
                )
            )
        if notes:
            self.env["account.move"].browse(list(notes))._message_log_batch(
                bodies={key: Markup("<br/>").join(rows) for key, rows in notes.items()}
            )

    # === Replies === #
    @api.model
    def _register_reply(
        self, partner, channel, body, at=None, provider_ref=None, company=None
    ):
        """A customer replied: mark the last contact replied, pause the journey.

        Channels' inbound webhooks and incoming emails call this; the reply
        lands in the customer's chatter and the journey waits until a person
        marks it handled on the customer in collection.

        :param company: the company whose provider carried the reply: only
            its rows and its journey are touched (a call's row answering on
            itself stands for its company); none (an email) touches every
            company's
        :return: the row marked replied, if any
        """
        at = at or fields.Datetime.now()
        commercial = partner.commercial_partner_id
        call = self if len(self) == 1 else self.browse()
        company = company or call.company_id
        states = [s for s in outbox.CONTACTED if outbox.receipt_target(s, "replied")]
        domain = [
            ("partner_id", "in", (partner | commercial).ids),
            ("state", "in", states),
        ]
        if company:
            domain.append(("company_id", "=", company.id))
        if provider_ref:
            domain.append(("provider_ref", "=", provider_ref))
        order = "sent_at desc, id desc"
        # the row answered (a call), else the last contact on the reply's
        # channel, else the last on any channel
        replied = call.filtered_domain(domain)
        if not replied:
            replied = self.search(
                domain + [("channel", "=", channel)], order=order, limit=1
            )
        if not replied:
            replied = self.search(domain, order=order, limit=1)
        if replied:
            replied.write({"state": "replied", "replied_at": at})
        debtor_domain = [("partner_id", "=", commercial.id)]
        if company:
            debtor_domain.append(("company_id", "=", company.id))
        debtors = self.env["collection.debtor"].search(debtor_domain)
        debtors.write({"reply_pending": True, "last_reply_at": at})
        return replied

    @api.model
    def _channel_available(self, channel, company=None):
        """Whether a channel has a provider: email and SMS always (Odoo's
        own), WhatsApp and voice when a provider of the company carries them."""
        if channel in ("email", "sms"):
            return True
        company = company or self.env.company
        return channel in self.env["collection.provider"]._channels_of(company.id)

    @api.autovacuum
    def _gc_cancelled(self):
        """Cancelled rows older than a year carry nothing worth keeping."""
        limit = fields.Datetime.now() - timedelta(days=365)
        self.search([("state", "=", "cancelled"), ("write_date", "<", limit)]).unlink()
