import gc
from collections import defaultdict
from contextlib import contextmanager

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..engine import journeys as journey_engine
from ..engine import policy as policy_engine
from ..tools import pg_array

#: Customers planned per batch. Some of a batch's reads walk a whole table
#: (its customers are scattered over it, most urgent first), so fewer
#: batches read less: at 200,000 invoices 10,000 a batch planned in 19.3 to
#: 20.1 s against 20.1 to 20.5 s at 5,000, for 270 MB of peak memory
#: instead of 235 (2026-12-07).
PLAN_BATCH = 10000
#: Where ``_insert`` leaves, for the rendering of the rows it inserted, the
#: invoice each row's link opens (row id -> invoice id), in the transaction's
#: cache (``cr.cache``).
OLDEST_INVOICES = "collection.planner.oldest_invoices"


@contextmanager
def _older_objects_frozen():
    """Keep Python's garbage collector, for this block, off the objects
    alive when it starts (the registry's models and fields, some 200,000).

    A planning allocates millions of short-lived objects; each of the
    collector's full passes scanned those old objects again: 18 passes,
    2.4 s of a planning at 200,000 invoices, against 0.65 s with them set
    aside (``gc.freeze``). ``gc.unfreeze`` gives them back to the collector
    afterwards, so nothing is kept longer than the block.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class CollectionPlanner(models.AbstractModel):
    """Plans journey steps: gathers facts in bulk, asks the engines, writes rows.

    The rules live in ``engine/journeys.py`` (which step); whether and
    when a contact is allowed is the contact gate's to say
    (``collection.contact.gate``). This service only reads what they need in
    a few set-based queries and inserts the resulting outbox rows in one
    statement that skips rows already planned (the idempotency key).
    """

    _name = "collection.planner"
    _description = "Collection Planner"

    # === Planning === #
    @api.model
    def _plan(self, now=None, company_ids=None):
        """Create today's outbox rows for every customer whose step is due."""
        now = now or fields.Datetime.now()
        domain = [
            ("journey_id.state", "=", "running"),
            ("oldest_due_date", "!=", False),
            ("total_due", ">", 0),
        ]
        if company_ids:
            domain.append(("company_id", "in", list(company_ids)))
        Debtor = self.env["collection.debtor"]
        journeys = self.env["collection.journey"].search([("state", "=", "running")])
        steps_by_journey = {
            journey: journey.step_ids._to_engine() for journey in journeys
        }
        shared = {"rules": {}, "memo": {}, "steps": {}}
        planned = 0
        with _older_objects_frozen():
            # batches keep memory flat however large the portfolio
            for ids in split_every(PLAN_BATCH, Debtor.search(domain).ids):
                planned += self._plan_batch(
                    Debtor.browse(ids), steps_by_journey, shared, now
                )
                self.env.invalidate_all()
        return planned

    @api.model
    def _plan_batch(self, debtors, steps_by_journey, shared, now):
        rows = self._rows_for(debtors, steps_by_journey, shared, now)
        return self._insert(rows, now.date(), now)

    @api.model
    def _rows_for(self, debtors, steps_by_journey, shared, now, every_refusal=False):
        """The outbox rows today's steps make for ``debtors``, as dicts, not
        yet written: what planning inserts and what a journey's simulation
        shows. A refusal already on record for the step is left out unless
        ``every_refusal``."""
        today = now.date()
        debtors.fetch(
            [
                "partner_id",
                "company_id",
                "journey_id",
                "oldest_due_date",
                "broken_promise_date",
                "total_overdue",
                "reply_pending",
                "last_reply_at",
            ]
        )
        # what each customer is asked to pay (_amount_to_pay), for the whole
        # batch in one query: read customer by customer, the figures came
        # 1,000 at a time, each time reading every open invoice again
        debtors._compute_stated_amounts()
        step_records = self.env["collection.journey.step"].browse(
            [s.step_id for steps in steps_by_journey.values() for s in steps]
        )
        progress = self._journey_progress(debtors)
        waiting = self._steps_waiting(debtors, today)
        invoices = self._open_invoices(debtors)
        decided = []
        for debtor in debtors:
            reached, refusals, last_step_date, last_sent_at = progress.get(
                debtor.id, ({}, {}, None, None)
            )
            step_waiting = debtor.id in waiting
            steps = steps_by_journey.get(debtor.journey_id, ())
            last_reply = debtor.last_reply_at
            state = journey_engine.JourneyState(
                customer_id=debtor.partner_id.id,
                oldest_due_date=debtor.oldest_due_date,
                broken_promise_date=debtor.broken_promise_date or None,
                amount_overdue=debtor.total_overdue,
                done_step_ids=self._done_steps(steps, reached),
                last_step_date=last_step_date,
                replied_since_last_step=bool(
                    last_reply and (not last_sent_at or last_reply > last_sent_at)
                ),
                reply_pending=debtor.reply_pending,
                last_reply_date=last_reply.date() if last_reply else None,
                step_waiting=step_waiting,
            )
            decision = journey_engine.next_step(steps, state, today)
            if decision:
                decided.append((debtor, state, decision, refusals))
        context = self._gate_facts(decided, step_records, invoices, shared, now)
        skipped_notes = {}
        rows = []
        for debtor, state, decision, refusals in decided:
            base = {
                "debtor": debtor,
                "journey_id": debtor.journey_id.id,
                "invoice_ids": invoices.get(debtor.id, ([], 0.0))[0],
                # what the customer is asked to pay, as the reminder says it
                "amount_due": debtor._amount_to_pay(),
            }
            step = step_records.browse(decision.step.step_id)
            row = dict(
                base,
                step=step,
                anchor=self._anchor(decision.step, state),
                variant_id=int(decision.variant.template) if decision.variant else None,
            )
            if not base["invoice_ids"]:
                row.update(
                    state="refused",
                    refusal_rule="hold_invoices",
                    refusal_reason=self.env._("Every open invoice is on hold."),
                )
            elif step.action == "escalate":
                row.update(self._escalation(context, debtor.partner_id, now))
            else:
                row.update(self._choose_channel(context, debtor, step, decision, now))
            if decision.skipped:
                # earlier steps count as passed once a later one is planned
                # (a few combinations per batch: written once each)
                key = tuple((s.step_id, reason) for s, reason in decision.skipped)
                if key not in skipped_notes:
                    skipped = ", ".join(
                        f"{step_records.browse(step_id).name} "
                        f"({self._skip_reason(reason)})"
                        for step_id, reason in key
                    )
                    skipped_notes[key] = self.env._("Skipped: %s", skipped)
                notes = row.get("channel_notes")
                row["channel_notes"] = "\n".join(
                    filter(None, [notes, skipped_notes[key]])
                )
            previous = refusals.get(step.id)
            repeated = row["state"] == "refused" and previous == row.get("refusal_rule")
            if repeated and not every_refusal:
                continue  # the same refusal is on record already
            rows.append(row)
        return rows

    @api.model
    def _gate_facts(self, decided, step_records, invoices, shared, now):
        """What the contact gate needs of the customers ``decided`` (debtor,
        state, decision, refusals), read in bulk: every fact for those whose
        step goes to a channel, only the holds for those handed to a
        collector (seven in ten on a first planning), whose escalation asks
        nothing else."""
        gate = self.env["collection.contact.gate"]
        contacting, escalating = [], []
        for debtor, _state, decision, _refusals in decided:
            if not invoices.get(debtor.id):
                continue  # refused for its holds, whatever the step
            step = step_records.browse(decision.step.step_id)
            (escalating if step.action == "escalate" else contacting).append(debtor.id)
        Debtor = self.env["collection.debtor"]
        contacting = Debtor.browse(contacting)
        context = dict(gate._facts(contacting.partner_id, now), **shared)
        context["last_contacts"] = self._last_contacts(contacting)
        partners = Debtor.browse(escalating).partner_id
        if partners:
            partners.fetch(["collection_do_not_contact", "collection_hold"])
            context["promise_holds"] = context["promise_holds"] | gate._promise_holds(
                partners, now
            )
        return context

    @api.model
    def _skip_reason(self, reason):
        """Why a step was passed over, in words (``engine/journeys.py``)."""
        return {
            journey_engine.SKIP_SUPERSEDED: self.env._("a later step was due"),
            journey_engine.SKIP_MIN_AMOUNT: self.env._("below the step's amount"),
            journey_engine.SKIP_REPLIED: self.env._("the customer replied"),
        }.get(reason, reason)

    @api.model
    def _anchor(self, engine_step, state):
        if engine_step.anchor == journey_engine.ANCHOR_BROKEN_PROMISE:
            return state.broken_promise_date
        return state.oldest_due_date

    @api.model
    def _escalation(self, context, partner, now):
        """Hand the customer to a collector, unless a hold says to leave it.

        An open promise does not stop an escalation; the other holds do.
        """
        holds = self.env["collection.contact.gate"]._holds(context, partner)
        for hold in policy_engine.HOLD_ORDER:
            if hold in holds and hold != "promise":
                rule = f"hold_{hold}"
                return {
                    "channel": "collector",
                    "state": "refused",
                    "refusal_rule": rule,
                    "refusal_reason": self.env._(policy_engine.REASONS[rule]),  # pylint: disable=translation-required
                }
        return {"channel": "collector", "state": "sent", "sent_at": now}

    @api.model
    def _choose_channel(self, context, debtor, step, decision, now):
        """The first channel allowed now or soon; else the refusal."""
        partner = debtor.partner_id
        gate = self.env["collection.contact.gate"]
        variant = self.env["collection.journey.variant"].browse(
            int(decision.variant.template) if decision.variant else []
        )
        cache = context.setdefault("steps", {})
        if step.id not in cache:
            cache[step.id] = step._channel_order()
        channels = list(cache[step.id])
        preferred = partner.collection_preferred_channel
        if preferred in channels:
            channels.remove(preferred)
            channels.insert(0, preferred)
        notes, first_refusal = [], None
        last = context.get("last_contacts", {}).get(debtor.id)
        if last:
            last_channel, state, sent_at, window_hours = last
            outcome = journey_engine.contact_outcome(state, sent_at, now, window_hours)
            escalated = list(
                journey_engine.escalate_channels(channels, last_channel, outcome)
            )
            if escalated != channels:
                channels = escalated
                notes.append(
                    self.env._(
                        "%(channel)s went last: the previous step's message was "
                        "not delivered or not answered.",
                        channel=gate._channel_label(last_channel),
                    )
                )
        for channel in channels:
            key = (step.id, variant.id, channel)
            if key not in cache:
                cache[key] = step._template_for(channel, variant)
            template = cache[key]
            if not template:
                notes.append(
                    self.env._(
                        "%s: no template in the step.", gate._channel_label(channel)
                    )
                )
                continue
            verdict = gate._decide(
                partner, channel, "journey", now, debtor.company_id, context
            )
            if verdict.state != "refused":
                state = "review" if debtor.journey_id.review_first else "planned"
                row = {
                    "channel": channel,
                    "template_id": template.id,
                    "scheduled_at": verdict.until or now,
                    "state": state,
                    "channel_notes": "\n".join(notes) or None,
                }
                if verdict.state == "deferred":
                    row["deferral_rule"] = verdict.rule
                    # quiet hours defer a whole run to a few minutes per
                    # time zone: one note each
                    notes_memo = context.setdefault("deferral_notes", {})
                    note_key = (verdict, partner.tz, partner.country_id.id)
                    if note_key not in notes_memo:
                        notes_memo[note_key] = gate._deferral_note(verdict, partner)
                    row["deferral_reason"] = notes_memo[note_key]
                else:
                    # sent now: what the policy assumed of the customer's
                    # local time, said on the row
                    zone_notes = context.setdefault("zone_notes", {})
                    zone_key = (partner.tz, partner.country_id.id)
                    if zone_key not in zone_notes:
                        zone_notes[zone_key] = gate._zone_note(partner)
                    if zone_notes[zone_key]:
                        row["channel_notes"] = "\n".join(
                            filter(None, [row["channel_notes"], zone_notes[zone_key]])
                        )
                return row
            notes.append(f"{gate._channel_label(channel)}: {verdict.reason}")
            # the policy's word (a hold, an opt-out) says more than a channel
            # without provider or number
            channel_rules = policy_engine.CHANNEL_RULES
            if not first_refusal or (
                first_refusal.rule in channel_rules
                and verdict.rule not in channel_rules
            ):
                first_refusal = verdict
        return {
            "channel": channels[0] if channels else None,
            "state": "refused",
            "refusal_rule": first_refusal.rule if first_refusal else "no_channel",
            "refusal_reason": "\n".join(notes)
            or self.env._("The step has no channel."),
            "channel_notes": "\n".join(notes) or None,
        }

    @api.model
    def _done_steps(self, steps, reached):
        """Steps passed: those up to the furthest one planned for each anchor."""
        return frozenset(
            step.step_id
            for step in steps
            if step.sequence <= reached.get(step.anchor, -(2**31))
        )

    @api.model
    def _journey_progress(self, debtors):
        """Per debtor: the furthest step sequence planned for each current
        anchor, standing refusals per step, the last day a step was planned
        and the last time one was sent."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT m.debtor_id,
                       MAX(s.sequence) FILTER (WHERE m.state != 'refused'
                           AND s.anchor = 'due'
                           AND m.anchor_date = d.oldest_due_date),
                       MAX(s.sequence) FILTER (WHERE m.state != 'refused'
                           AND s.anchor = 'broken_promise'
                           AND m.anchor_date = d.broken_promise_date),
                       ARRAY_AGG(m.step_id || ':' || m.refusal_rule)
                           FILTER (WHERE m.state = 'refused'),
                       MAX(m.create_date)
                           FILTER (WHERE m.state NOT IN ('refused', 'cancelled')),
                       MAX(m.sent_at)
                  FROM collection_message m
                  JOIN collection_debtor d ON d.id = m.debtor_id
                  JOIN collection_journey_step s ON s.id = m.step_id
                 WHERE m.debtor_id = ANY(%s::int[])
                   AND (m.anchor_date = d.oldest_due_date
                        OR m.anchor_date = d.broken_promise_date)
              GROUP BY m.debtor_id
                """,
                pg_array(debtors.ids),
            )
        )
        progress = {}
        for row in self.env.cr.fetchall():
            debtor_id, due_seq, broken_seq, refused, last_planned, last_sent = row
            refusals = {}
            for item in refused or ():
                step_id, rule = item.split(":", 1)
                refusals[int(step_id)] = rule
            reached = {}
            if due_seq is not None:
                reached[journey_engine.ANCHOR_DUE] = due_seq
            if broken_seq is not None:
                reached[journey_engine.ANCHOR_BROKEN_PROMISE] = broken_seq
            progress[debtor_id] = (
                reached,
                refusals,
                last_planned.date() if last_planned else None,
                last_sent,
            )
        return progress

    @api.model
    def _steps_waiting(self, debtors, today):
        """Debtors with a step planned before ``today`` that has not gone out
        yet: deferred by the contact policy (a night, a weekend, a holiday,
        a cap), waiting in the job queue or for a retry. The journey waits for
        it: planned now, a later step would wait for the same allowed minute
        and both would go out together."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT debtor_id FROM collection_message
                 WHERE debtor_id = ANY(%s::int[]) AND kind = 'journey'
                   AND state IN ('planned', 'queued', 'sending')
                   AND channel != 'collector'
                   AND create_date::date < %s
                """,
                pg_array(debtors.ids),
                today,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _last_contacts(self, debtors):
        """Per debtor: channel, state, sent time and reply window of the last
        journey message that went out (or failed to), for channel escalation."""
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ON (m.debtor_id)
                       m.debtor_id, m.channel, m.state, m.sent_at,
                       COALESCE(s.response_hours, 48)
                  FROM collection_message m
                  JOIN collection_journey_step s ON s.id = m.step_id
                 WHERE m.debtor_id = ANY(%s::int[]) AND m.kind = 'journey'
                   AND m.state IN ('sent', 'delivered', 'read', 'replied', 'failed')
                   AND m.channel != 'collector'
              ORDER BY m.debtor_id, m.create_date DESC, m.id DESC
                """,
                pg_array(debtors.ids),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _open_invoices(self, debtors):
        """Per debtor: its open invoices not on hold, oldest first (as the
        payment link finds its invoice, ``_oldest_invoices``), and their
        residual in company currency."""
        self.env.cr.execute(
            SQL(
                """
                SELECT d.id,
                       ARRAY_AGG(ci.move_id
                                 ORDER BY COALESCE(
                                     ci.due_date,
                                     (SELECT am.invoice_date_due FROM account_move am
                                       WHERE am.id = ci.move_id)),
                                 ci.move_id),
                       SUM(ci.amount_residual)
                  FROM collection_debtor d
                  JOIN collection_invoice ci
                    ON ci.partner_id = d.partner_id
                   AND ci.company_id = d.company_id
                 WHERE d.id = ANY(%s::int[]) AND ci.move_id NOT IN (%s)
              GROUP BY d.id
                """,
                pg_array(debtors.ids),
                self.env["account.move"]._collection_held_sql(),
            )
        )
        return {row[0]: (row[1], row[2]) for row in self.env.cr.fetchall()}

    @api.model
    def _insert(self, rows, today, now):
        """Insert the rows in one statement; those already planned are skipped."""
        if not rows:
            return 0
        columns = {
            "partner_id": [],
            "company_id": [],
            "debtor_id": [],
            "journey_id": [],
            "step_id": [],
            "variant_id": [],
            "template_id": [],
            "channel": [],
            "state": [],
            "idempotency_key": [],
            "anchor_date": [],
            "scheduled_at": [],
            "sent_at": [],
            "amount_due": [],
            "refusal_rule": [],
            "refusal_reason": [],
            "channel_notes": [],
            "deferral_rule": [],
            "deferral_reason": [],
        }
        invoice_ids_by_key = {}
        for row in rows:
            debtor = row["debtor"]
            key = journey_engine.idempotency_key(debtor.id, row["step"].id, today)
            invoice_ids_by_key[key] = row["invoice_ids"]
            values = {
                "partner_id": debtor.partner_id.id,
                "company_id": debtor.company_id.id,
                "debtor_id": debtor.id,
                "journey_id": row["journey_id"],
                "step_id": row["step"].id,
                "idempotency_key": key,
                "anchor_date": row["anchor"],
                "scheduled_at": row.get("scheduled_at") or now,
            }
            for name, column in columns.items():
                column.append(values[name] if name in values else row.get(name))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_message
                       (partner_id, company_id, debtor_id, journey_id, step_id,
                        variant_id, template_id, channel, state, idempotency_key,
                        anchor_date, scheduled_at, sent_at, amount_due,
                        refusal_rule, refusal_reason, channel_notes,
                        deferral_rule, deferral_reason, attempts,
                        kind, create_uid, write_uid, create_date, write_date)
                SELECT *, 0, 'journey', %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM UNNEST(
                       %(partner_id)s::int[], %(company_id)s::int[],
                       %(debtor_id)s::int[], %(journey_id)s::int[],
                       %(step_id)s::int[], %(variant_id)s::int[],
                       %(template_id)s::int[], %(channel)s::varchar[],
                       %(state)s::varchar[], %(idempotency_key)s::varchar[],
                       %(anchor_date)s::date[], %(scheduled_at)s::timestamp[],
                       %(sent_at)s::timestamp[], %(amount_due)s::numeric[],
                       %(refusal_rule)s::varchar[], %(refusal_reason)s::varchar[],
                       %(channel_notes)s::text[], %(deferral_rule)s::varchar[],
                       %(deferral_reason)s::varchar[])
           ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id, idempotency_key, state, channel
                """,
                uid=self.env.uid,
                now=now,
                **{name: pg_array(column) for name, column in columns.items()},
            )
        )
        inserted = self.env.cr.fetchall()
        links = [
            (message_id, move_id)
            for message_id, key, _state, _channel in inserted
            for move_id in invoice_ids_by_key[key]
        ]
        if links:
            message_ids, move_ids = zip(*links, strict=True)
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO collection_message_invoice_rel (message_id, move_id)
                    SELECT * FROM UNNEST(%s::int[], %s::int[])
                    """,
                    pg_array(message_ids),
                    pg_array(move_ids),
                )
            )
        self._forget_messages()
        # the invoice each row's link opens is the first of its invoices:
        # rendering need not look it up (a query reading every link and
        # invoice of the ledger again for each batch)
        self.env.cr.cache[OLDEST_INVOICES] = {
            message_id: invoice_ids_by_key[key][0]
            for message_id, key, _state, _channel in inserted
            if invoice_ids_by_key[key]
        }
        self._after_insert([row[0] for row in inserted])
        return len(inserted)

    @api.model
    def _forget_messages(self):
        """Forget what the cache holds of outbox rows, after rows were
        inserted in SQL: the rows and every relation listing them. The rest
        stays, above all the customers' figures read for the batch, which
        rendering reads again (recomputed, they cost a query over the
        customers' invoices each time)."""
        self.env["collection.message"].invalidate_model()
        for model in self.env.registry.values():
            names = [
                name
                for name, field in model._fields.items()
                if field.type in ("one2many", "many2many")
                and field.comodel_name == "collection.message"
            ]
            if names:
                self.env[model._name].invalidate_model(names)

    @api.model
    def _after_insert(self, message_ids):
        """Chatter notes for refusals, activities for escalations, and the
        content of rows to review or planned, so that a person reads what will
        be sent (rendered in batch, one call per template and language).
        Notes and activities are created in batches: a first run may escalate
        tens of thousands of customers."""
        Message = self.env["collection.message"]
        oldest = self.env.cr.cache.pop(OLDEST_INVOICES, None)
        # the rows sorted by what follows, each kind read on its own: filtered
        # through the ORM, the first test read every column of all the rows
        # (seven in ten are escalations, which need none of it)
        self.env.cr.execute(
            SQL(
                "SELECT id, state, channel FROM collection_message"
                " WHERE id = ANY(%s::int[])",
                pg_array(message_ids),
            )
        )
        found = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        kinds = defaultdict(list)
        for message_id in message_ids:
            state, channel = found[message_id]
            if state in ("review", "planned"):
                kinds["render"].append(message_id)
            elif state == "refused":
                kinds["refused"].append(message_id)
            elif channel == "collector" and state == "sent":
                kinds["escalation"].append(message_id)
        Message.browse(kinds["render"])._render_all_or_fail(oldest=oldest)
        refused = Message.browse(kinds["refused"])
        if refused:
            partners = refused.partner_id
            bodies = {}
            for message in refused:
                bodies[message.partner_id.id] = self.env._(
                    "Collection step %(step)s not planned: %(reason)s",
                    step=message.step_id.name,
                    reason=message.refusal_reason,
                )
            partners._message_log_batch(bodies=bodies)
        escalations = Message.browse(kinds["escalation"])
        if escalations:
            self._schedule_calls(escalations)

    @api.model
    def _schedule_calls(self, escalations):
        """A to-do activity "call this customer" per escalation, for the
        customer's salesperson, else the journey's responsible, else us.

        Inserted in one statement: a first run may escalate tens of thousands
        of customers, and ``mail.activity.create`` (followers, HTML cleaning,
        names computed one by one) took 25 s for 35,000 of them. These rows
        are plain: no follower to add (the assignee sees them in their
        activities), a note we build ourselves from escaped text.
        """
        todo = self.env.ref("mail.mail_activity_data_todo")
        users, partner_ids, summaries, notes = [], [], [], []
        for message in escalations:
            partner = message.partner_id
            user = partner.user_id or message.journey_id.user_id or self.env.user
            users.append(user.id)
            partner_ids.append(partner.id)
            summaries.append(self.env._("Collection: call %s", partner.name))
            notes.append(
                str(
                    Markup("<p>%s</p>")
                    % self.env._(
                        "Journey step %(step)s escalated this customer to a "
                        "collector.",
                        step=message.step_id.name,
                    )
                )
            )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity
                       (res_model_id, res_model, res_id, res_name,
                        activity_type_id, user_id, summary, note, date_deadline,
                        automated, active, create_uid, write_uid, create_date,
                        write_date)
                SELECT %(model_id)s, 'res.partner', v.partner_id, p.complete_name,
                       %(type_id)s, v.user_id, v.summary, v.note, %(today)s,
                       TRUE, TRUE, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM UNNEST(%(partners)s::int[], %(users)s::int[],
                              %(summaries)s::varchar[], %(notes)s::text[])
                       AS v(partner_id, user_id, summary, note)
                  JOIN res_partner p ON p.id = v.partner_id
                """,
                model_id=self.env["ir.model"]._get_id("res.partner"),
                type_id=todo.id,
                today=fields.Date.context_today(self),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                partners=pg_array(partner_ids),
                users=pg_array(users),
                summaries=pg_array(summaries),
                notes=pg_array(notes),
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.env["res.partner"].invalidate_model(["activity_ids"])
