from collections import Counter

from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, mute_logger, split_every

COLLECTOR_GROUP = "collections_automation.group_collection_user"
#: Customers per job of a bulk send: one transaction each, on the job queue.
BULK_BATCH = 50
#: Job channel of the bulk send (its jobs only write outbox rows; the rows
#: then leave through the providers' own channels).
BULK_JOB_CHANNEL = "root.collections"


class CollectionManualReminder(models.AbstractModel):
    """Reminders a person sends by hand, to one customer or to a selection.

    Each customer's reminder is an outbox row (``kind`` ``manual_reminder``,
    purpose ``by_hand`` for the contact gate: every rule binds it but a
    promise's hold). Its idempotency key is (customer, channel, template,
    minute): a double click, or the same selection sent twice in a minute,
    sends once. Rows the gate defers or refuses are not written: nothing is
    sent, and the person is told why (and until when) before sending.
    """

    _name = "collection.manual.reminder"
    _description = "Reminders Sent by Hand"

    @api.model
    def _check_collector(self):
        if not self.env.su and not self.env.user.has_group(COLLECTOR_GROUP):
            raise AccessError(
                self.env._("Only a collector may send collection reminders by hand.")
            )

    @api.model
    def _minute_key(self, now):
        return fields.Datetime.to_datetime(now).strftime("%Y%m%d%H%M")

    @api.model
    def _current_step_templates(self, partners, channel, company):
        """``{commercial partner id: template}`` of each customer's journey's
        current step (the step of its latest journey reminder) for
        ``channel``, in one query for the whole selection."""
        Message = self.env["collection.message"]
        Message.flush_model(["partner_id", "company_id", "kind", "step_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (partner_id) partner_id, step_id
                  FROM collection_message
                 WHERE partner_id = ANY(%s) AND company_id = %s
                   AND kind = 'journey' AND step_id IS NOT NULL
              ORDER BY partner_id, scheduled_at DESC, id DESC
                """,
                partners.commercial_partner_id.ids,
                company.id,
            )
        )
        step_of = dict(self.env.cr.fetchall())
        Step = self.env["collection.journey.step"].sudo()
        template_of = {}
        for step_id in set(step_of.values()):
            step = Step.browse(step_id)
            templates = step.template_ids | step.variant_ids.template_ids
            template_of[step_id] = templates.filtered(
                lambda t: t.channel == channel and t.active
            )[:1]
        return {
            partner_id: template_of[step_id] for partner_id, step_id in step_of.items()
        }

    @api.model
    def _reached_template(self, steps, channel, days_overdue):
        """The template for ``channel`` of the step of ``steps`` a debt
        ``days_overdue`` days past due has reached (counted from the due
        date, the latest whose day has come), else of the first: what the
        journey would send such a customer, never a harsher step."""
        candidates = steps.filtered(
            lambda s: s.anchor == "due"
            and s.action == "message"
            and self._step_templates(s, channel)
        ).sorted(lambda s: (s.offset_days, s.sequence))
        reached = candidates.filtered(lambda s: s.offset_days <= days_overdue)
        step = reached[-1:] or candidates[:1]
        return self._step_templates(step, channel)[:1]

    @api.model
    def _step_templates(self, step, channel):
        return (step.template_ids | step.variant_ids.template_ids).filtered(
            lambda t: t.channel == channel and t.active
        )

    @api.model
    def _reached_step_templates(self, partners, channel, company):
        """``{commercial partner id: template}`` of the step each customer's
        journey has reached, for customers no step has reminded yet."""
        debtors = (
            self.env["collection.debtor"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", partners.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                    ("journey_id", "!=", False),
                ]
            )
        )
        # a bulk send's thousands of customers share a few journeys and days
        memo = {}
        result = {}
        for debtor in debtors:
            key = (debtor.journey_id, debtor.days_overdue)
            if key not in memo:
                memo[key] = self._reached_template(
                    debtor.journey_id.step_ids, channel, debtor.days_overdue
                )
            result[debtor.partner_id.id] = memo[key]
        return result

    @api.model
    def _any_template(self, channel, company):
        """A customer in no journey: the first reminder of the company's
        running journeys, else any template of the channel (not a promise's
        reminder), rather than whichever sorts first by name."""
        journeys = (
            self.env["collection.journey"]
            .sudo()
            .search(
                [("state", "=", "running"), ("company_id", "in", [False, company.id])]
            )
        )
        for journey in journeys:
            template = self._reached_template(journey.step_ids, channel, 0)
            if template:
                return template
        Template = self.env["collection.template"].sudo()
        domain = [
            ("channel", "=", channel),
            ("company_id", "in", [False, company.id]),
        ]
        return Template.search(
            [*domain, ("is_promise_reminder", "=", False)], limit=1
        ) or Template.search(domain, limit=1)

    @api.model
    def _templates_for(self, partners, channel, company, chosen=None):
        """``{partner id: template}``: the chosen template, else the journey's
        current step's, else the step its journey has reached (a customer not
        reminded yet), else the first reminder of the company's journeys."""
        if chosen:
            return dict.fromkeys(partners.ids, chosen)
        current = self._current_step_templates(partners, channel, company)
        reached = self._reached_step_templates(partners, channel, company)
        fallback = self._any_template(channel, company)
        return {
            partner.id: current.get(partner.commercial_partner_id.id)
            or reached.get(partner.commercial_partner_id.id)
            or fallback
            for partner in partners
        }

    @api.model
    def _template_for(self, partner, channel, company, chosen=None):
        return self._templates_for(partner, channel, company, chosen)[partner.id]

    @api.model
    def _review(self, partners, channel, company, template=None, now=None):
        """What the contact gate says now about each customer.

        :return: list of ``(partner, verdict, template)``; a customer with no
            template for the channel is refused here
        """
        now = now or fields.Datetime.now()
        gate = self.env["collection.contact.gate"].sudo()
        partners = partners.sudo()
        facts = gate._facts(partners, now)
        templates = self._templates_for(partners, channel, company, template)
        result = []
        for partner in partners:
            verdict = gate._decide(partner, channel, "by_hand", now, company, facts)
            chosen = templates[partner.id]
            if verdict.allowed and not chosen:
                verdict = verdict._replace(
                    state="refused",
                    rule="no_template",
                    reason=self.env._("No template for this channel."),
                )
            if verdict.allowed:
                gate._remember(facts, partner, channel, now)
            result.append((partner, verdict, chosen))
        return result

    @api.model
    def _summary(self, review):
        """Counts by outcome, and refusals and deferrals grouped by reason."""
        counts = Counter(verdict.state for _p, verdict, _t in review)
        reasons = Counter(
            (verdict.state, verdict.reason)
            for _p, verdict, _t in review
            if not verdict.allowed
        )
        return counts, reasons

    @api.model
    def _write_rows(self, review, channel, company, now, invoices=None):
        """Outbox rows for the allowed customers of ``review``, planned now;
        rows already written this minute (a double click) are not repeated.

        :return: the new rows
        """
        Message = self.env["collection.message"].sudo()
        minute = self._minute_key(now)
        allowed = [(p, t) for p, verdict, t in review if verdict.allowed]
        keys = {p.id: f"manual-{p.id}-{channel}-{t.id}-{minute}" for p, t in allowed}
        existing = set(
            Message.search([("idempotency_key", "in", list(keys.values()))]).mapped(
                "idempotency_key"
            )
        )
        debtors = {
            d.partner_id.id: d
            for d in self.env["collection.debtor"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", [p.id for p, _t in allowed]),
                    ("company_id", "=", company.id),
                ]
            )
        }
        open_moves = self.env["collection.invoice"].sudo()
        values = []
        for partner, template in allowed:
            if keys[partner.id] in existing:
                continue
            debtor = debtors.get(partner.id)
            moves = (invoices or self.env["account.move"]).filtered(
                lambda m, p=partner: m.commercial_partner_id == p
            ) or open_moves._open_moves(partner, company)
            values.append(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "debtor_id": debtor.id if debtor else False,
                    "kind": "manual_reminder",
                    "channel": channel,
                    "template_id": template.id,
                    "state": "planned",
                    "scheduled_at": now,
                    "idempotency_key": keys[partner.id],
                    "invoice_ids": [fields.Command.set(moves.ids)],
                    "amount_due": debtor._amount_to_pay() if debtor else 0.0,
                }
            )
        rows = Message.browse()
        for vals in values:
            # another send over the same customer in the same minute (two
            # bulk sends whose jobs run side by side) may write its row
            # meanwhile: this one is then skipped, not the whole batch lost
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                    rows |= Message.create(vals)
            except UniqueViolation:
                continue
        for row in rows:
            row.partner_id._message_log(
                body=self.env._(
                    "Collection reminder by %(channel)s sent by hand by %(user)s "
                    "(%(template)s).",
                    channel=row._channel_label(),
                    user=self.env.user.name,
                    template=row.template_id.display_name,
                )
            )
        return rows

    # === Bulk: jobs === #
    @api.model
    def _enqueue_bulk(self, partners, channel, company, template=None, invoices=None):
        """One queue_job job per batch of customers; returns the job count."""
        now = fields.Datetime.now()
        count = 0
        for chunk in split_every(BULK_BATCH, partners.ids):
            moves = (invoices or self.env["account.move"]).filtered(
                lambda m, ids=chunk: m.commercial_partner_id.id in ids
            )
            self.with_delay(
                channel=BULK_JOB_CHANNEL,
                description=self.env._(
                    "Send %(count)s collection reminders by hand", count=len(chunk)
                ),
                max_retries=3,
            )._job_send_reminders(
                list(chunk),
                channel,
                company.id,
                template.id if template else False,
                moves.ids,
                fields.Datetime.to_string(now),
            )
            count += 1
        return count

    @api.model
    def _job_send_reminders(
        self, partner_ids, channel, company_id, template_id, invoice_ids, at
    ):
        """queue_job: the gate is asked again for each customer (time has
        passed since the review); allowed ones get their row, and the rows
        leave through the outbox's send jobs. The key's minute is the one the
        person pressed the button in, so a retried job writes nothing twice."""
        self._check_collector()
        company = self.env["res.company"].browse(company_id)
        partners = self.env["res.partner"].browse(partner_ids).exists()
        template = self.env["collection.template"].sudo().browse(template_id).exists()
        invoices = self.env["account.move"].sudo().browse(invoice_ids).exists()
        pressed = fields.Datetime.to_datetime(at)
        now = fields.Datetime.now()
        review = self._review(partners, channel, company, template or None, now)
        rows = self._write_rows(review, channel, company, pressed, invoices)
        if rows:
            rows.write({"scheduled_at": now})
            self.env["collection.dispatcher"].sudo()._enqueue_due(now)
        counts, _reasons = self._summary(review)
        return (
            f"{len(rows)} reminder(s) written; {counts['deferred']} deferred and "
            f"{counts['refused']} refused by the contact policy."
        )
