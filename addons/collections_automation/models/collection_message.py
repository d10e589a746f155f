import logging
import threading
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, plaintext2html

from ..engine import policy as policy_engine
from .res_partner import CHANNEL_SELECTION

_logger = logging.getLogger(__name__)

STATES = [
    ("review", "To Review"),
    ("planned", "Planned"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("replied", "Replied"),
    ("failed", "Failed"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
#: States in which a row counts as a contact made, for the contact policy.
CONTACTED_STATES = ("sent", "delivered", "read", "replied")
#: Channels needing a valid phone number.
PHONE_CHANNELS = ("sms", "whatsapp", "voice")
DISPATCH_BATCH = 500


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
    ``read`` and ``replied``.
    """

    _name = "collection.message"
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
        [("journey", "Journey step"), ("promise_reminder", "Promise reminder")],
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
    sent_at = fields.Datetime("Sent")
    delivered_at = fields.Datetime("Delivered")
    read_at = fields.Datetime("Read")
    replied_at = fields.Datetime("Replied")
    subject = fields.Char()
    body = fields.Text(help="The rendered content, as sent.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_due = fields.Monetary(help="Overdue amount when planned.")
    payment_url = fields.Char("Payment Link")
    recipient = fields.Char(help="Email address or E.164 number used.")
    provider_ref = fields.Char("Provider Reference", index="btree_not_null")
    error = fields.Text()
    attempts = fields.Integer()
    refusal_rule = fields.Char(help="Code of the contact rule that refused it.")
    refusal_reason = fields.Char()
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

    # === Actions === #
    def action_approve(self):
        """Review-first journeys: send these as they are (or as edited)."""
        self.filtered(lambda m: m.state == "review").write({"state": "planned"})

    def action_skip(self):
        self.filtered(lambda m: m.state in ("review", "planned", "failed")).write(
            {"state": "cancelled"}
        )

    def action_retry(self):
        """Failed rows go back to the queue; the policy is checked again."""
        self.filtered(lambda m: m.state == "failed").write(
            {"state": "planned", "error": False, "scheduled_at": fields.Datetime.now()}
        )

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
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        while True:
            sent = self._dispatch(auto_commit=auto_commit)
            if sent < DISPATCH_BATCH or not auto_commit:
                break

    @api.model
    def _dispatch(self, now=None, limit=DISPATCH_BATCH, auto_commit=False):
        """Send due rows, a batch at a time; returns how many rows were taken.

        Rows are locked ``FOR UPDATE SKIP LOCKED``: a worker running at the
        same time takes other rows. Everything a row does (its chatter
        message, its mail or SMS, its state) commits together.
        """
        now = now or fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM collection_message
                 WHERE state = 'planned' AND scheduled_at <= %s
              ORDER BY scheduled_at, id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                now,
                limit,
            )
        )
        messages = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not messages:
            return 0
        planner = self.env["collection.planner"]
        context = planner._policy_context(messages.partner_id, now)
        for message in messages:
            message.attempts += 1
            target = (message.partner_id, message.channel, now, message.company_id)
            decision = planner._check(context, *target, kind=message.kind)
            if not decision.allowed:
                later = planner._next_allowed(context, *target, kind=message.kind)
                if later:
                    message.scheduled_at = later
                else:
                    message._mark_refused(decision)
                continue
            message._send_one(now)
            if message.state == "sent":
                planner._remember_contact(context, message, now)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(messages)

    def _send_one(self, now=None):
        """Render and send one row inside a savepoint; a failure stays on the row."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if not self.body:
                    self._render()
                reference = getattr(self, f"_send_{self.channel}")()
                self.write(
                    {
                        "state": "sent",
                        "sent_at": now or fields.Datetime.now(),
                        "provider_ref": reference,
                        "error": False,
                    }
                )
                self._log_on_invoices()
        except (UserError, ValueError) as error:
            self.write({"state": "failed", "error": str(error)})
            self.partner_id._message_log(
                body=self.env._(
                    "Collection reminder %(step)s failed: %(error)s",
                    step=self.step_id.name or "",
                    error=str(error),
                )
            )

    def _mark_refused(self, decision):
        reason = self.env["collection.planner"]._reason(decision)
        self.write(
            {
                "state": "refused",
                "refusal_rule": decision.rule,
                "refusal_reason": reason,
            }
        )
        self.partner_id._message_log(
            body=self.env._(
                "Collection reminder %(step)s by %(channel)s not sent: %(reason)s",
                step=self.step_id.name or "",
                channel=self.channel,
                reason=reason,
            )
        )

    # === Rendering === #
    def _render_or_fail(self):
        """Render now; a template error marks this row failed, not the batch."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._render()
        except UserError as error:
            self.write({"state": "failed", "error": str(error)})

    def _render(self):
        """Render subject and body in the customer's language."""
        self.ensure_one()
        template = self.template_id
        if not template:
            raise UserError(
                self.env._(
                    "No %(channel)s template on this step.", channel=self.channel
                )
            )
        lang = self.partner_id.lang or self.env.lang
        rendered = {"payment_url": self._payment_url()}
        self.payment_url = rendered["payment_url"]
        for fname in ("subject", "body"):
            if template[fname]:
                try:
                    rendered[fname] = template._render_field(
                        fname, self.ids, set_lang=lang
                    )[self.id]
                except Exception as error:
                    raise UserError(
                        self.env._(
                            "Template %(template)s could not be rendered: %(error)s",
                            template=template.display_name,
                            error=error,
                        )
                    ) from error
        self.write(rendered)

    def _payment_url(self):
        """Portal link of the oldest invoice, where the customer can pay online."""
        invoice = self.invoice_ids.sorted(
            lambda move: (move.collection_due_date or move.invoice_date_due, move.id)
        )[:1]
        if not invoice:
            return False
        return invoice.get_base_url() + invoice.get_portal_url()

    # === Channels === #
    def _send_email(self):
        partner = self.partner_id
        if not partner.email:
            raise UserError(self.env._("%s has no email address.", partner.name))
        self.recipient = partner.email
        message = partner.message_post(
            body=plaintext2html(self.body),
            subject=self.subject or False,
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return str(message.id)

    def _send_sms(self):
        partner = self.partner_id
        number = partner.collection_phone_e164
        if not number:
            raise UserError(
                partner.collection_phone_error
                or self.env._("%s has no phone number.", partner.name)
            )
        self.recipient = number
        message = partner._message_sms(
            self.body, partner_ids=partner.ids, sms_pid_to_number={partner.id: number}
        )
        return str(message.id)

    def _send_whatsapp(self):
        raise UserError(self.env._("No WhatsApp provider is configured."))

    def _send_voice(self):
        raise UserError(self.env._("No voice provider is configured."))

    def _log_on_invoices(self):
        """Where a reminder concerns one invoice, its chatter shows it too."""
        if len(self.invoice_ids) == 1:
            self.invoice_ids._message_log(
                body=Markup("%s<br/>%s")
                % (
                    self.env._(
                        "Collection reminder sent by %(channel)s.", channel=self.channel
                    ),
                    self.subject or self.body or "",
                )
            )

    # === Replies === #
    @api.model
    def _register_reply(self, partner, channel, body, at=None, provider_ref=None):
        """A customer replied: mark the last contact replied, pause the journey.

        Channels' inbound webhooks and incoming emails call this; the reply
        lands in the customer's chatter and the journey waits until a person
        marks it handled on the customer in collection.
        """
        at = at or fields.Datetime.now()
        commercial = partner.commercial_partner_id
        domain = [
            ("partner_id", "in", (partner | commercial).ids),
            ("state", "in", ("sent", "delivered", "read")),
        ]
        if provider_ref:
            domain.append(("provider_ref", "=", provider_ref))
        order = "sent_at desc, id desc"
        # the last contact on the reply's channel, else the last on any channel
        replied = self.search(
            domain + [("channel", "=", channel)], order=order, limit=1
        )
        if not replied:
            replied = self.search(domain, order=order, limit=1)
        if replied:
            replied.write({"state": "replied", "replied_at": at})
        debtors = self.env["collection.debtor"].search(
            [("partner_id", "=", commercial.id)]
        )
        debtors.write({"reply_pending": True, "last_reply_at": at})
        return replied

    @api.model
    def _channel_available(self, channel):
        """Whether a channel has a working provider (email and SMS: Odoo's)."""
        return channel in ("email", "sms")

    @api.model
    def _refusal_decision(self, rule, reason):
        return policy_engine.Decision(False, rule, reason, None)

    @api.autovacuum
    def _gc_cancelled(self):
        """Cancelled rows older than a year carry nothing worth keeping."""
        limit = fields.Datetime.now() - timedelta(days=365)
        self.search([("state", "=", "cancelled"), ("write_date", "<", limit)]).unlink()
