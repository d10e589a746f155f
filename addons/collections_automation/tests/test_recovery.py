"""Recovery after a crash, with real queue_job jobs: no person needed.

A worker killed mid-dispatch leaves its job ``started``; queue_job's runner
counts it against its channel's capacity for ever. The dispatcher's
recovery releases such jobs once their worker has no database session
left, and recovers the rows they held by the outbox's rules.
"""

import os
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common_providers import ProvidersCommon

#: No process ever has this id (Linux's pid_max is at most 2**22).
DEAD_PID = 2_000_000_000


@tagged("post_install", "-at_install")
class TestRecovery(ProvidersCommon):
    def setUp(self):
        super().setUp()
        self.Dispatcher = self.env["collection.dispatcher"]
        self.Job = self.env["queue.job"].sudo()
        self.now = fields.Datetime.now()
        # the recovery runs an hour later: past the 15-minute stuck delay
        self.later = self.now + timedelta(hours=1)

    def jobs_of(self, rows):
        """The send jobs holding any of ``rows``, read back from queue_job."""
        self.env.flush_all()
        self.Job.invalidate_model()
        jobs = self.Job.search(
            [
                ("model_name", "=", "collection.message"),
                ("method_name", "=", "_job_send"),
            ]
        )
        return jobs.filtered(lambda job: set(job.records.ids) & set(rows.ids))

    def enqueue(self, rows):
        """Queue ``rows`` through the real dispatch path; return their jobs.
        Due as of their schedule: a row made a second after ``setUp`` read
        the clock is not due yet at ``self.now``."""
        self.Dispatcher._enqueue_due(max(self.now, *rows.mapped("scheduled_at")))
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        return self.jobs_of(rows)

    def start(self, job, pid):
        """``job`` as a worker ``pid`` left it: started, an hour ago."""
        self.env.cr.execute(
            """
            UPDATE queue_job SET state = 'started', date_enqueued = %s,
                   date_started = %s, worker_pid = %s
             WHERE id = %s
            """,
            (self.now, self.now, pid, job.id),
        )
        job.invalidate_recordset()

    def claim(self, rows, minutes_before_recovery=1):
        rows.write(
            {
                "state": "sending",
                "claimed_at": self.later - timedelta(minutes=minutes_before_recovery),
            }
        )

    def test_a_dead_workers_job_is_released_and_its_rows_recovered(self):
        claimed = self.make_row("sms")
        unclaimed = self.make_row("sms")
        email = self.make_row("email")
        rows = claimed | unclaimed | email
        jobs = self.enqueue(rows)
        self.assertEqual(len(jobs), 2)  # the gateway's, and Odoo's own email
        for job in jobs:
            self.start(job, DEAD_PID)
        # the gateway's job had claimed one row when its worker died; the
        # email job's transaction died with it, leaving its row queued
        self.claim(claimed)

        count = self.Dispatcher._recover_stuck(self.later)

        self.assertEqual(count, 5)  # three rows and two jobs
        self.assertEqual(set(jobs.mapped("state")), {"cancelled"})
        self.assertIn("Its worker stopped", jobs[0].result)
        # the gateway deduplicates: the claimed row is sent again, safely
        self.assertEqual(set(rows.mapped("state")), {"planned"})
        # the next dispatch queues them again, in new jobs waiting to run
        self.assertEqual(self.Dispatcher._enqueue_due(self.later), 3)
        fresh = self.jobs_of(rows) - jobs
        self.assertEqual(set(fresh.mapped("state")), {"pending"})
        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 0)

    def test_a_live_workers_job_is_left_alone(self):
        claimed = self.make_row("sms")
        waiting = self.make_row("sms")
        job = self.enqueue(claimed | waiting)
        # this process has a database session named after it: a live worker
        # slowly sending (a low rate limit), past the stuck delay
        self.start(job, os.getpid())
        self.claim(claimed, minutes_before_recovery=50)

        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 0)

        self.assertEqual(job.state, "started")
        self.assertEqual((claimed.state, waiting.state), ("sending", "queued"))

    def test_a_queued_row_whose_job_waits_gets_no_second_job(self):
        waiting = self.make_row("sms")
        self.enqueue(waiting)
        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 0)
        self.assertEqual(waiting.state, "queued")
        self.assertEqual(self.Dispatcher._enqueue_due(self.later), 0)
        self.assertEqual(len(self.jobs_of(waiting)), 1)

    def test_a_queued_row_whose_job_is_gone_is_queued_again_once(self):
        row = self.make_row("sms")
        job = self.enqueue(row)
        # queue_job gave up on the job (it failed every retry): the row waits
        # for nothing
        self.env.cr.execute(
            "UPDATE queue_job SET state = 'failed' WHERE id = %s", (job.id,)
        )
        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 1)
        self.assertEqual(row.state, "planned")
        self.assertEqual(self.Dispatcher._enqueue_due(self.later), 1)
        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 0)
        self.assertEqual(len(self.jobs_of(row) - job), 1)

    def test_interrupted_sends_resend_only_where_the_provider_deduplicates(self):
        sms = self.make_row("sms")  # the generic gateway: Idempotency-Key
        call = self.make_row("voice")  # Twilio: no deduplication
        jobs = self.enqueue(sms | call)
        self.assertEqual(len(jobs), 2)
        for job in jobs:
            self.start(job, DEAD_PID)
        self.claim(sms | call)

        self.assertEqual(self.Dispatcher._recover_stuck(self.later), 4)

        self.assertEqual(sms.state, "planned")
        self.assertFalse(sms.error)
        self.assertEqual(call.state, "failed")
        self.assertIn("may or may not have sent it", call.error)
        self.assertEqual(set(jobs.mapped("state")), {"cancelled"})
        # a failed row waits for a person: the next dispatch leaves it
        self.assertEqual(self.Dispatcher._enqueue_due(self.later), 1)
        self.assertEqual(call.state, "failed")

    def test_a_receipt_that_arrived_meanwhile_wins(self):
        delivered = self.make_row("voice")
        accepted = self.make_row("voice")
        silent = self.make_row("voice")
        rows = delivered | accepted | silent
        job = self.enqueue(rows)
        self.start(job, DEAD_PID)
        self.claim(rows, minutes_before_recovery=70)  # before the receipts
        # Twilio told us about two of the calls before the recovery ran
        Event = self.env["collection.webhook.event"].sudo()
        result = Event._ingest(
            self.twilio,
            [
                {
                    "kind": "status",
                    "event_key": f"receipt-{delivered.idempotency_key}",
                    "status": "delivered",
                    "reference": delivered.idempotency_key,
                },
                {
                    "kind": "status",
                    "event_key": f"receipt-{accepted.idempotency_key}",
                    "status": "accepted",  # not a status the outbox tracks
                    "reference": accepted.idempotency_key,
                },
            ],
            "voice",
        )
        self.assertEqual(result.applied, 2)
        self.assertEqual((delivered.state, accepted.state), ("delivered", "sending"))

        self.Dispatcher._recover_stuck(self.later)

        # the receipt moved the first row already: the recovery leaves it
        self.assertEqual(delivered.state, "delivered")
        self.assertFalse(delivered.error)
        # the provider answered about the second: it went out
        self.assertEqual(accepted.state, "sent")
        self.assertTrue(accepted.sent_at)
        self.assertFalse(accepted.error)
        # of the third we know nothing: a person checks
        self.assertEqual(silent.state, "failed")
        self.assertEqual(job.state, "cancelled")

    def test_an_old_receipt_does_not_count_for_a_new_attempt(self):
        row = self.make_row("voice")
        job = self.enqueue(row)
        self.start(job, DEAD_PID)
        Event = self.env["collection.webhook.event"].sudo()
        Event._ingest(
            self.twilio,
            [
                {
                    "kind": "status",
                    "event_key": "receipt-of-an-earlier-attempt",
                    "status": "accepted",
                    "reference": row.idempotency_key,
                }
            ],
            "voice",
        )
        # claimed after that receipt came in
        self.env.flush_all()
        self.claim(row, minutes_before_recovery=-1)
        self.Dispatcher._recover_stuck(self.later)
        self.assertEqual(row.state, "failed")
