import logging
import os
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..channels import base as channel_base
from ..engine import outbox, pace
from .collection_contact_gate import Verdict
from .collection_message_render import FIGURE_KINDS
from .collection_provider import ODOO_JOB_CHANNEL

_logger = logging.getLogger(__name__)

#: Sends reserved at once from the provider's rate limit, and sent within
#: their slot.
SEND_CHUNK = 50
#: Rows sent by Odoo's own email and SMS per job.
ODOO_BATCH = 100
#: Rows enqueued per dispatch run.
ENQUEUE_LIMIT = 50000
#: A claimed row not finished within these minutes belongs to a worker that
#: died (``collections.dispatch_stuck_minutes`` overrides it).
STUCK_MINUTES = 15


def _utcnow():
    """Now in UTC, naive, to the microsecond (``fields.Datetime.now()``
    drops them: a send slot is a fraction of a second)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _testing():
    return getattr(threading.current_thread(), "testing", False)


class CollectionDispatcher(models.AbstractModel):
    """Sends due outbox rows through their channel's provider, at volume.

    Life of a row here: ``planned`` -> ``queued`` (a queue_job job holds it;
    both commit together) -> ``sending`` (claimed: committed *before* the
    provider is called) -> ``sent`` (then receipts: delivered, read,
    replied) or ``failed``, or back to ``planned`` later on a temporary
    error. Two workers never send one row: the claim is a state transition
    taken under ``FOR UPDATE SKIP LOCKED``. A worker killed mid-send leaves
    its rows ``sending``; :meth:`_recover_stuck` requeues them only where the
    provider deduplicates (the generic protocol's ``Idempotency-Key``), and
    otherwise marks them failed with a note to check before retrying, unless
    a receipt quoting the row's reference arrived meanwhile.

    Odoo's own email and SMS are transactional (row, chatter and mail queue
    commit together), so they need no claim: a crash rolls everything back.
    """

    _name = "collection.dispatcher"
    _description = "Collection Dispatcher"

    # === Enqueue === #
    @api.model
    def _cron_run(self):
        now = fields.Datetime.now()
        self._recover_stuck(now)
        self._enqueue_due(now)

    @api.model
    def _due_groups(self, now, limit):
        """Lock due ``planned`` rows; group their ids by provider (or Odoo)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id, company_id, channel FROM collection_message
                 WHERE state = 'planned' AND scheduled_at <= %s
              ORDER BY scheduled_at, id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                now,
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        routes = self.env["collection.provider"]._routes({row[1] for row in rows})
        groups = defaultdict(list)
        for message_id, company_id, channel in rows:
            provider = routes.get((company_id, channel))
            groups[provider.id if provider else False].append(message_id)
        return groups

    @api.model
    def _enqueue_due(self, now=None, limit=ENQUEUE_LIMIT):
        """One queue_job job per batch of due rows, on its provider's channel.

        The rows turn ``queued`` in the same transaction that stores the
        jobs: both exist or neither does.
        """
        now = now or fields.Datetime.now()
        Message = self.env["collection.message"]
        Provider = self.env["collection.provider"].sudo()
        count = 0
        for provider_id, ids in self._due_groups(now, limit).items():
            provider = Provider.browse(provider_id)
            size = provider.batch_size if provider else ODOO_BATCH
            channel = provider.job_channel if provider else ODOO_JOB_CHANNEL
            for chunk in split_every(size, ids):
                chunk = self._apply_event(chunk, "enqueue")
                Message.browse(chunk).with_delay(
                    channel=channel,
                    description=self.env._(
                        "Send %(count)s collection messages by %(route)s",
                        count=len(chunk),
                        route=provider.name or "Odoo",
                    ),
                    max_retries=5,
                )._job_send(provider_id)
                count += len(chunk)
        return count

    @api.model
    def _dispatch_now(self, now=None, limit=ENQUEUE_LIMIT):
        """Send due rows in this transaction, without the job queue.

        For tests and for "send now" from the interface; returns how many
        rows were taken.
        """
        now = now or fields.Datetime.now()
        Message = self.env["collection.message"]
        count = 0
        for provider_id, ids in self._due_groups(now, limit).items():
            ids = self._apply_event(ids, "enqueue")
            Message.browse(ids)._job_send(provider_id, now=now)
            count += len(ids)
        return count

    @api.model
    def _apply_event(self, ids, event, extra=None):
        """Apply the outbox ``event`` (``engine/outbox.py``) to the rows
        ``ids`` in one statement; rows in a state the event does not apply to
        are left alone. Returns the ids moved."""
        assignments = SQL(", ").join(
            [
                SQL("state = %s", outbox.target(event)),
                SQL("write_date = %s", fields.Datetime.now()),
                *(
                    SQL("%s = %s", SQL.identifier(k), v)
                    for k, v in (extra or {}).items()
                ),
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message SET %s
                 WHERE id = ANY(%s) AND state = ANY(%s)
             RETURNING id
                """,
                assignments,
                list(ids),
                list(outbox.sources(event)),
            )
        )
        moved = sorted(row[0] for row in self.env.cr.fetchall())
        self.env["collection.message"].invalidate_model(["state", *(extra or {})])
        return moved

    @api.model
    def _apply_outcomes(self, outcomes):
        """Apply ``{(event, scheduled_at or None, error): ids}`` in one
        statement, as ``_apply_event`` would each (the event's target state,
        the error, and ``scheduled_at`` where given; rows in a state the event
        does not apply to are left alone). Returns the set of ids moved."""
        rows = [
            (message_id, event, error, scheduled)
            for (event, scheduled, error), ids in outcomes.items()
            for message_id in ids
        ]
        if not rows:
            return set()
        events = sorted({event for _id, event, _error, _at in rows})
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message m
                   SET state = CASE v.event %(targets)s END,
                       error = v.error,
                       scheduled_at = COALESCE(v.scheduled_at, m.scheduled_at),
                       write_date = %(now)s
                  FROM UNNEST(%(ids)s::int[], %(events)s::varchar[],
                              %(errors)s::text[], %(scheduled)s::timestamp[])
                       AS v(id, event, error, scheduled_at)
                 WHERE m.id = v.id AND (%(sources)s)
             RETURNING m.id
                """,
                targets=SQL(" ").join(
                    SQL("WHEN %s THEN %s", event, outbox.target(event))
                    for event in events
                ),
                sources=SQL(" OR ").join(
                    SQL(
                        "(v.event = %s AND m.state = ANY(%s))",
                        event,
                        list(outbox.sources(event)),
                    )
                    for event in events
                ),
                now=fields.Datetime.now(),
                ids=[row[0] for row in rows],
                events=[row[1] for row in rows],
                errors=[row[2] for row in rows],
                scheduled=[row[3] for row in rows],
            )
        )
        moved = {row[0] for row in self.env.cr.fetchall()}
        self.env["collection.message"].invalidate_model(
            ["state", "error", "scheduled_at"]
        )
        return moved

    # === Recovery === #
    @api.model
    def _recover_stuck(self, now=None):
        """What dead workers left behind: their jobs, and the rows they held.

        A worker killed mid-dispatch (a SIGKILL, the out-of-memory killer, a
        server restarted) leaves its queue_job job ``started`` (or
        ``enqueued``), and queue_job's runner goes on counting it against its
        channel's capacity: enough of them and nothing goes out. A send job
        started (or enqueued) longer than the stuck delay
        (:data:`STUCK_MINUTES`) whose worker has no database session left is
        released: its rows are recovered by the rules below, then the job is
        cancelled with a note saying why, which gives its place back.

        Rows, by the events of ``engine/outbox.py``:

        - ``queued`` rows of a released job, or queued before the delay and
          held by no job waiting or running: ``release`` (back to
          ``planned``; the next dispatch queues them again). Odoo's own email
          and SMS are transactional: a dead job sent none of them.
        - ``sending`` rows of a released job, or claimed before the delay and
          held by no job still alive: a receipt received since the claim
          proves the provider has it (``sent``); otherwise ``resend`` where
          the provider deduplicates (``_resend_is_safe``), else
          ``interrupted`` (failed, "the provider may or may not have sent
          it"). A receipt that moved the row first already took it out of
          ``sending``.

        :return: rows recovered plus jobs released
        """
        now = now or fields.Datetime.now()
        minutes = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("collections.dispatch_stuck_minutes", STUCK_MINUTES)
        )
        limit = now - timedelta(minutes=minutes)
        self.env.flush_all()
        dead = self._dead_send_jobs(limit)
        orphans = sorted({row_id for ids in dead.values() for row_id in ids})
        queued, sending = self._stuck_rows(limit, orphans, list(dead))
        released = self._apply_event(queued, "release") if queued else []
        sent, resend, unknown = self._recover_sending(sending)
        if dead:
            self.env["queue.job"].sudo().browse(sorted(dead))._change_job_state(
                "cancelled",
                result=self.env._(
                    "Its worker stopped (a crash or a restart) while it ran. The "
                    "collections dispatcher took its messages back: those not "
                    "sent will be sent again, those that may have been sent "
                    "are marked failed to be checked."
                ),
            )
        self.env["collection.message"].invalidate_model()
        if dead or released or sent or resend or unknown:
            _logger.warning(
                "Collections dispatch recovery: %s jobs of dead workers released, "
                "%s queued rows requeued, %s interrupted rows resent, %s marked "
                "failed, %s found sent by a receipt",
                len(dead),
                len(released),
                len(resend),
                len(unknown),
                len(sent),
            )
        return len(released) + len(sent) + len(resend) + len(unknown) + len(dead)

    @api.model
    def _dead_send_jobs(self, limit):
        """Send jobs started (or enqueued) before ``limit`` whose worker is
        gone, locked: ``{job id: ids of the rows it holds}``.

        A running job's worker keeps a database session named after its
        process (Odoo's ``application_name``, ``odoo-<pid>`` unless
        ``ODOO_PGAPPNAME`` says otherwise); a job whose worker has none left
        will never finish. An ``enqueued`` job has no worker yet: past the
        delay its request to start was lost.
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT id, state, worker_pid, (records #>> '{}')::jsonb -> 'ids'
                  FROM queue_job
                 WHERE model_name = 'collection.message'
                   AND method_name = '_job_send'
                   AND ((state = 'started' AND date_started < %(limit)s)
                        OR (state = 'enqueued' AND date_enqueued < %(limit)s))
                   FOR UPDATE SKIP LOCKED
                """,
                limit=limit,
            )
        )
        candidates = self.env.cr.fetchall()
        if not candidates:
            return {}
        self.env.cr.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity"
            " WHERE application_name <> ''"
        )
        sessions = {row[0] for row in self.env.cr.fetchall()}
        template = os.environ.get("ODOO_PGAPPNAME", "odoo-{pid}")
        return {
            job_id: [int(row_id) for row_id in ids or ()]
            for job_id, state, pid, ids in candidates
            if not (
                state == "started"
                and pid
                and template.replace("{pid}", str(pid))[:63] in sessions
            )
        }

    @staticmethod
    def _held_rows_sql(released):
        """Ids of rows held by a send job waiting or running, but the ones
        released now (queue_job stores ``records`` as JSON text in a jsonb
        column: ``#>> '{}'`` reads the text, which is then parsed)."""
        return SQL(
            """
            SELECT (jsonb_array_elements_text(
                        (j.records #>> '{}')::jsonb -> 'ids'))::int AS id
              FROM queue_job j
             WHERE j.model_name = 'collection.message'
               AND j.state IN ('pending', 'enqueued', 'wait_dependencies',
                               'started')
               AND j.id <> ALL(%s)
            """,
            released,
        )

    @api.model
    def _stuck_rows(self, limit, orphans, released):
        """The rows to recover, read in one statement (the rows that live
        jobs hold are listed once for both):

        - ``queued`` rows of released jobs, and those queued before
          ``limit`` that no job holds any more (to go back to ``planned``);
        - ``sending`` rows of released jobs, and those claimed before
          ``limit`` that no live job holds, with whether a receipt came
          since the claim.

        Returns ``(queued ids, [(id, company id, channel, has receipt)])``,
        the rows locked."""
        release = list(outbox.sources("release"))
        sending = sorted(
            set(outbox.sources("resend")) | set(outbox.sources("interrupted"))
        )
        self.env.cr.execute(
            SQL(
                """
                WITH held AS MATERIALIZED (%(held)s)
                SELECT m.id, m.state = ANY(%(release)s), m.company_id, m.channel,
                       m.state = ANY(%(sending)s)
                       AND EXISTS (SELECT 1 FROM collection_webhook_event e
                                    WHERE e.message_id = m.id
                                      AND e.kind IN ('status', 'call')
                                      AND e.received_at >= COALESCE(m.claimed_at,
                                                                    m.write_date))
                  FROM collection_message m
                 WHERE (m.state = ANY(%(release)s)
                        AND (m.id = ANY(%(orphans)s)
                             OR (m.write_date < %(limit)s
                                 AND NOT EXISTS (SELECT 1 FROM held h
                                                  WHERE h.id = m.id))))
                    OR (m.state = ANY(%(sending)s)
                        AND (m.id = ANY(%(orphans)s)
                             OR (COALESCE(m.claimed_at, m.write_date) < %(limit)s
                                 AND NOT EXISTS (SELECT 1 FROM held h
                                                  WHERE h.id = m.id))))
                   FOR UPDATE OF m SKIP LOCKED
                """,
                held=self._held_rows_sql(released),
                release=release,
                sending=sending,
                orphans=orphans,
                limit=limit,
            )
        )
        queued, stuck = [], []
        for (
            message_id,
            is_queued,
            company_id,
            channel,
            has_receipt,
        ) in self.env.cr.fetchall():
            if is_queued:
                queued.append(message_id)
            else:
                stuck.append((message_id, company_id, channel, has_receipt))
        return queued, stuck

    @api.model
    def _recover_sending(self, stuck):
        """``sending`` rows left behind (``_stuck_rows``): sent (a receipt
        came since the claim), resent (the provider deduplicates) or
        failed."""
        routes = self.env["collection.provider"]._routes({row[1] for row in stuck})
        received, resend, unknown = [], [], []
        for message_id, company_id, channel, has_receipt in stuck:
            provider = routes.get((company_id, channel))
            if has_receipt:
                received.append(message_id)
            elif provider and provider._resend_is_safe():
                resend.append(message_id)
            else:
                unknown.append(message_id)
        # the provider answered about it: it went out, whatever we recorded
        sent = (
            self._apply_event(
                received,
                "sent",
                {
                    "error": None,
                    "sent_at": SQL("COALESCE(sent_at, %s)", fields.Datetime.now()),
                },
            )
            if received
            else []
        )
        resend = self._apply_event(resend, "resend") if resend else []
        unknown = (
            self._apply_event(
                unknown,
                "interrupted",
                {
                    "error": self.env._(
                        "Interrupted while sending: the provider may or may not "
                        "have sent it. Check with the provider before retrying."
                    )
                },
            )
            if unknown
            else []
        )
        return sent, resend, unknown

    # === Policy at send time === #
    @api.model
    def _allowed_now(self, messages, now):
        """The rows the contact gate allows now. The others are deferred
        (back to ``planned`` at the next allowed minute, with the rule and
        until when on the row) or refused, with the reason on the row."""
        gate = self.env["collection.contact.gate"]
        # before reading their history: another job deciding for one of
        # these customers now makes this one run again (collection.contact.lock)
        self.env["collection.contact.lock"]._take(messages.partner_id.ids, now)
        context = gate._facts(messages.partner_id, now)
        allowed = self.env["collection.message"]
        deferred = defaultdict(lambda: self.env["collection.message"])
        refused = defaultdict(lambda: self.env["collection.message"])
        settled = self._settled(messages)
        for message in messages:
            partner = message.partner_id
            if message in settled:
                refused[self._nothing_due_verdict()] |= message
                continue
            verdict = gate._decide(
                partner,
                message.channel,
                gate._purpose_of(message),
                now,
                message.company_id,
                context,
            )
            if verdict.allowed:
                allowed |= message
                gate._remember(
                    context, partner, message.channel, now, message.debtor_id
                )
            elif verdict.state == "deferred":
                deferred[verdict] |= message
            else:
                refused[verdict] |= message
        # quiet hours defer whole batches to a handful of times; refusals
        # share a few reasons too
        for verdict, rows in deferred.items():
            rows._defer(verdict)
        for verdict, rows in refused.items():
            rows._mark_refused(verdict)
        return allowed

    @api.model
    def _settled(self, messages):
        """The reminders whose customer owes nothing any more: a row waits
        (deferred to the morning, past a weekend) and the customer paid
        meanwhile. Only rows asking for the debt (``FIGURE_KINDS``: the
        journey's and those sent by hand) are concerned; an answer, a link
        the customer asked for or a promise's reminder are not."""
        chasing = messages.filtered(lambda m: m.kind in FIGURE_KINDS and m.debtor_id)
        if not chasing:
            return chasing
        chasing.debtor_id._compute_stated_amounts()
        return chasing.filtered(
            lambda m: m.debtor_id.currency_id.compare_amounts(
                m.debtor_id._amount_to_pay(), 0
            )
            <= 0
        )

    @api.model
    def _nothing_due_verdict(self):
        return Verdict(
            "refused",
            "nothing_due",
            self.env._(
                "The customer has nothing left to pay (paid or credited "
                "since the reminder was planned)."
            ),
        )

    # === Sending through an external provider === #
    @api.model
    def _send_external(self, messages, provider, now):
        """Claim, send, record. The claim commits before the first request."""
        messages = self._render_all(messages)
        if not messages:
            return
        messages = messages.browse(
            self._apply_event(messages.ids, "claim", {"claimed_at": now})
        )
        if not _testing():
            self.env.cr.commit()  # pylint: disable=invalid-commit
        adapter = provider._adapter()
        sent, retry, failed = [], [], {}
        pending = list(messages)
        while pending:
            chunk, pending = pending[:SEND_CHUNK], pending[SEND_CHUNK:]
            start = provider._reserve_slots(len(chunk), now=_utcnow())
            # never before the slot: the rate holds however long the queue
            while (wait := (start - _utcnow()).total_seconds()) > 0:
                time.sleep(min(wait, 60))
            slot = pace.SlotPace(start, len(chunk), provider.rate_limit)
            for position, message in enumerate(chunk):
                if not slot.allows(position, _utcnow()):
                    # late, or slower than the pace: the rest takes a slot of
                    # its own, never the time other workers reserved
                    pending = chunk[position:] + pending
                    break
                try:
                    sent.append((message, message._send_by_provider(adapter)))
                except channel_base.RetryableProviderError as error:
                    if error.ambiguous and not provider._resend_is_safe():
                        failed[message] = self.env._(
                            "%s The provider may have sent it: check before "
                            "retrying.",
                            error,
                        )
                        continue
                    retry.append((message, error))
                    if error.throttled:
                        # the provider asks to slow down: the rest waits too
                        retry.extend((m, error) for m in chunk[position + 1 :])
                        retry.extend((m, error) for m in pending)
                        pending = []
                        break
                except channel_base.ProviderError as error:
                    failed[message] = str(error)
                except UserError as error:
                    failed[message] = str(error)
        self._record_results(provider, sent, retry, failed, now)

    @api.model
    def _render_all(self, messages):
        """Render what is not rendered yet; a template error fails its row."""
        messages.filtered(lambda m: not m.body)._render_all_or_fail()
        return messages.filtered(lambda m: m.state in outbox.sources("claim"))

    @api.model
    def _record_results(self, provider, sent, retry, failed, now):
        """Write every outcome in a few statements; a receipt that came in
        first (delivered, read) is kept rather than overwritten."""
        if sent:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE collection_message m
                       SET state = CASE WHEN m.state = ANY(%s) THEN %s
                                        ELSE m.state END,
                           provider_ref = COALESCE(m.provider_ref, v.ref),
                           recipient = v.recipient,
                           sent_at = COALESCE(m.sent_at, %s),
                           error = NULL, write_date = %s
                      FROM UNNEST(%s::int[], %s::varchar[], %s::varchar[])
                           AS v(id, ref, recipient)
                     WHERE m.id = v.id
                    """,
                    list(outbox.sources("sent")),
                    outbox.target("sent"),
                    now,
                    fields.Datetime.now(),
                    [message.id for message, _result in sent],
                    [result.provider_id for _message, result in sent],
                    [message._provider_recipient() for message, _result in sent],
                )
            )
        # rows sharing an outcome are written together (a provider outage
        # fails a whole batch the same way)
        outcomes = defaultdict(list)
        for message, error in retry:
            attempts = message.attempts
            if outbox.gives_up(attempts, provider.max_attempts):
                failed[message] = self.env._(
                    "Gave up after %(attempts)s attempts: %(error)s",
                    attempts=attempts,
                    error=error,
                )
                continue
            delay = outbox.retry_delay(attempts, error.seconds)
            scheduled = now + timedelta(seconds=delay)
            outcomes[("retry_later", scheduled, str(error))].append(message.id)
        for message, error in failed.items():
            outcomes[("fail", None, error)].append(message.id)
        moved = self._apply_outcomes(outcomes)
        failed_ids = [
            message_id
            for (event, _scheduled, _error), ids in outcomes.items()
            if event == "fail"
            for message_id in sorted(ids)
            if message_id in moved
        ]
        self.env["collection.message"].invalidate_model()
        messages = self.env["collection.message"].browse(
            [message.id for message, _result in sent]
        )
        messages._log_sent()
        self.env["collection.message"].browse(failed_ids)._log_failed()
