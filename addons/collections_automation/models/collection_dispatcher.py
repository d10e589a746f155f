import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..channels import base as channel_base
from .collection_provider import ODOO_JOB_CHANNEL

_logger = logging.getLogger(__name__)

#: Rows sent by Odoo's own email and SMS per job.
ODOO_BATCH = 100
#: Rows enqueued per dispatch run.
ENQUEUE_LIMIT = 50000
#: A claimed row not finished within these minutes belongs to a worker that
#: died (``collections.dispatch_stuck_minutes`` overrides it).
STUCK_MINUTES = 15
#: Back-off of temporary errors: 1, 2, 4, 8... minutes, at most an hour.
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 3600


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
                self._set_state(chunk, "queued")
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
            self._set_state(ids, "queued")
            Message.browse(ids)._job_send(provider_id, now=now)
            count += len(ids)
        return count

    @api.model
    def _set_state(self, ids, state, extra=None):
        assignments = SQL(", ").join(
            [
                SQL("state = %s", state),
                SQL("write_date = %s", fields.Datetime.now()),
                *(
                    SQL("%s = %s", SQL.identifier(k), v)
                    for k, v in (extra or {}).items()
                ),
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE collection_message SET %s WHERE id = ANY(%s)",
                assignments,
                list(ids),
            )
        )
        self.env["collection.message"].invalidate_model(["state", *(extra or {})])

    # === Recovery === #
    @api.model
    def _recover_stuck(self, now=None):
        """Rows a dead worker left behind.

        ``queued`` without a live job (one waiting, or started within the
        delay) goes back to ``planned``; ``sending`` past the delay
        (:data:`STUCK_MINUTES`) is resent only where resending is safe, else
        failed with a clear note.
        """
        now = now or fields.Datetime.now()
        minutes = float(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("collections.dispatch_stuck_minutes", STUCK_MINUTES)
        )
        limit = now - timedelta(minutes=minutes)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message m SET state = 'planned'
                 WHERE m.state = 'queued' AND m.write_date < %s
                   AND NOT EXISTS (
                       SELECT 1 FROM queue_job j
                        WHERE j.model_name = 'collection.message'
                          AND (j.state IN ('pending', 'enqueued',
                                           'wait_dependencies')
                               OR (j.state = 'started' AND j.date_started >= %s))
                          AND j.records::jsonb -> 'ids' @> to_jsonb(m.id))
             RETURNING id
                """,
                limit,
                limit,
            )
        )
        requeued = len(self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """
                SELECT m.id, m.company_id, m.channel FROM collection_message m
                 WHERE m.state = 'sending' AND m.claimed_at < %s
                   FOR UPDATE SKIP LOCKED
                """,
                limit,
            )
        )
        stuck = self.env.cr.fetchall()
        routes = self.env["collection.provider"]._routes({row[1] for row in stuck})
        resend, unknown = [], []
        for message_id, company_id, channel in stuck:
            provider = routes.get((company_id, channel))
            (resend if provider and provider._resend_is_safe() else unknown).append(
                message_id
            )
        if resend:
            self._set_state(resend, "planned")
        if unknown:
            self._set_state(
                unknown,
                "failed",
                {
                    "error": self.env._(
                        "Interrupted while sending: the provider may or may not "
                        "have sent it. Check with the provider before retrying."
                    )
                },
            )
        self.env["collection.message"].invalidate_model()
        if requeued or stuck:
            _logger.warning(
                "Collections dispatch recovery: %s queued rows requeued, %s "
                "resent, %s marked failed after an interrupted send",
                requeued,
                len(resend),
                len(unknown),
            )
        return requeued + len(stuck)

    # === Policy at send time === #
    @api.model
    def _allowed_now(self, messages, now):
        """The rows the contact policy allows now; others are rescheduled
        (back to ``planned``) or refused, with the reason on the row."""
        planner = self.env["collection.planner"]
        context = planner._policy_context(messages.partner_id, now)
        allowed = self.env["collection.message"]
        postponed = defaultdict(list)
        for message in messages:
            if message.kind == "optout_confirmation":
                allowed |= message  # the answer the law asks for, sent once
                continue
            target = (message.partner_id, message.channel, now, message.company_id)
            decision = planner._check(context, *target, kind=message.kind)
            if decision.allowed:
                allowed |= message
                planner._remember_contact(context, message, now)
                continue
            later = planner._next_allowed(context, *target, kind=message.kind)
            if later:
                postponed[later].append(message.id)
            else:
                message._mark_refused(decision)
        # quiet hours postpone whole batches to a handful of times
        for later, ids in postponed.items():
            allowed.browse(ids).write({"state": "planned", "scheduled_at": later})
        return allowed

    # === Sending through an external provider === #
    @api.model
    def _send_external(self, messages, provider, now):
        """Claim, send, record. The claim commits before the first request."""
        messages = self._render_all(messages)
        if not messages:
            return
        self._set_state(messages.ids, "sending", {"claimed_at": now})
        if not _testing():
            self.env.cr.commit()  # pylint: disable=invalid-commit
        adapter = provider._adapter()
        sent, retry, failed = [], [], {}
        pending = list(messages)
        while pending:
            chunk, pending = pending[:50], pending[50:]
            start = provider._reserve_slots(len(chunk))
            wait = (start - fields.Datetime.now()).total_seconds()
            if wait > 0:
                time.sleep(min(wait, 60))
            for position, message in enumerate(chunk):
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
        for message in messages.filtered(lambda m: not m.body):
            message._render_or_fail()
        return messages.filtered(lambda m: m.state == "queued")

    @api.model
    def _record_results(self, provider, sent, retry, failed, now):
        """Write every outcome in a few statements; a receipt that came in
        first (delivered, read) is kept rather than overwritten."""
        if sent:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE collection_message m
                       SET state = CASE WHEN m.state = 'sending' THEN 'sent'
                                        ELSE m.state END,
                           provider_ref = COALESCE(m.provider_ref, v.ref),
                           recipient = v.recipient,
                           sent_at = COALESCE(m.sent_at, %s),
                           error = NULL, write_date = %s
                      FROM UNNEST(%s::int[], %s::varchar[], %s::varchar[])
                           AS v(id, ref, recipient)
                     WHERE m.id = v.id
                    """,
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
            if attempts >= (provider.max_attempts or 5):
                failed[message] = self.env._(
                    "Gave up after %(attempts)s attempts: %(error)s",
                    attempts=attempts,
                    error=error,
                )
                continue
            delay = max(
                error.seconds or 0,
                min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS),
            )
            scheduled = now + timedelta(seconds=delay)
            outcomes[("planned", scheduled, str(error))].append(message.id)
        for message, error in failed.items():
            outcomes[("failed", None, error)].append(message.id)
        Message = self.env["collection.message"]
        for (state, scheduled, error), ids in outcomes.items():
            values = {"state": state, "error": error}
            if scheduled:
                values["scheduled_at"] = scheduled
            Message.browse(ids).write(values)
        self.env["collection.message"].invalidate_model()
        messages = self.env["collection.message"].browse(
            [message.id for message, _result in sent]
        )
        messages._log_sent()
        failures = self.env["collection.message"].browse([m.id for m in failed])
        failures._log_failed()
