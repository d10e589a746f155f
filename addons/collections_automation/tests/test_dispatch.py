import hashlib
import hmac
import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..channels.base import RetryableProviderError
from .common_providers import ProvidersCommon

# a Wednesday, 10:00 in Mexico City: inside every contact window
NOW = datetime(2026, 11, 25, 16, 0)


@tagged("post_install", "-at_install")
class TestDispatch(ProvidersCommon):
    def test_due_rows_are_queued_on_their_provider_channel(self):
        due = self.make_row("sms", scheduled_at=NOW - timedelta(minutes=1))
        later = self.make_row("sms", scheduled_at=NOW + timedelta(hours=1))
        email = self.make_row("email", scheduled_at=NOW)
        with trap_jobs() as trap:
            count = self.env["collection.dispatcher"]._enqueue_due(NOW)
        self.assertEqual(count, 2)
        self.assertEqual(
            (due.state, later.state, email.state), ("queued", "planned", "queued")
        )
        channels = sorted(job.channel for job in trap.enqueued_jobs)
        self.assertEqual(
            channels, ["root.collections.generic", "root.collections.odoo"]
        )
        # enqueuing again takes nothing: the rows are held by their jobs
        with trap_jobs() as trap:
            self.assertEqual(self.env["collection.dispatcher"]._enqueue_due(NOW), 0)
            self.assertFalse(trap.enqueued_jobs)

    def test_generic_provider_gets_a_signed_idempotent_request(self):
        row = self.make_row("sms", scheduled_at=NOW)
        self.assertEqual(self.Message._dispatch(now=NOW), 1)
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self.loopback.requests), 1)
        request = self.loopback.requests[0]
        headers, body = request["headers"], request["body"]
        self.assertEqual(headers["Idempotency-Key"], row.idempotency_key)
        self.assertEqual(body["id"], row.idempotency_key)
        self.assertEqual(body["to"], "+525512345678")
        self.assertEqual(body["channel"], "sms")
        self.assertIn("Lucía Méndez", body["body"])
        signature = dict(
            part.split("=", 1) for part in headers["X-Collections-Signature"].split(",")
        )
        expected = hmac.new(
            self.GENERIC_SECRET.encode(),
            f"{signature['t']}.".encode() + request["raw"],
            hashlib.sha256,
        ).hexdigest()
        self.assertEqual(signature["v1"], expected)
        self.assertTrue(row.provider_ref)
        self.assertEqual(row.recipient, "+525512345678")
        self.assertIn(
            "Collection reminder sent by SMS", self.customer.message_ids[0].body
        )

    def test_a_row_is_sent_once_whatever_runs_twice(self):
        row = self.make_row("sms", scheduled_at=NOW)
        self.Message._dispatch(now=NOW)
        # a duplicated job, or a second worker given the same ids
        row.with_context()._job_send(self.generic.id, now=NOW)
        self.Message._dispatch(now=NOW)
        self.assertEqual(len(self.loopback.requests), 1)
        self.assertEqual(row.state, "sent")

    def test_temporary_error_retries_later_then_fails_visibly(self):
        row = self.make_row("sms", scheduled_at=NOW)
        error = {"error": "upstream unavailable"}
        self.loopback.failures = [(503, error)] * 3
        self.Message._dispatch(now=NOW)
        self.assertEqual(row.state, "planned")
        self.assertGreater(row.scheduled_at, NOW)
        self.assertIn("503", row.error)
        for _attempt in range(2):
            self.Message._dispatch(now=row.scheduled_at)
        self.assertEqual(row.state, "failed")
        self.assertEqual(row.attempts, 3)
        self.assertIn("Gave up after 3 attempts", row.error)
        self.assertIn(row, self.Message.search([("state", "=", "failed")]))
        with freeze_time(NOW + timedelta(hours=1)):  # a retry made in the day
            row.action_retry()
        self.assertEqual((row.state, row.attempts), ("planned", 0))
        self.Message._dispatch(now=row.scheduled_at)
        self.assertEqual(row.state, "sent")

    def test_throttling_holds_back_the_rest_of_the_batch(self):
        first = self.make_row("sms", scheduled_at=NOW)
        second = self.make_row("sms", scheduled_at=NOW)
        self.loopback.failures = [(429, {"error": "slow down"})]
        self.Message._dispatch(now=NOW)
        # one request: the provider said "slow down", the second row waits too
        self.assertEqual(len(self.loopback.requests), 1)
        self.assertEqual((first.state, second.state), ("planned", "planned"))
        self.assertGreater(second.scheduled_at, NOW)
        self.assertIn("429", second.error)

    def test_a_batch_of_outcomes_is_recorded_row_by_row(self):
        """Temporary errors of several texts, a give-up, failures of several
        texts and a row a receipt already moved, recorded together: each row
        gets its own state and error, the moved row is left alone."""
        Dispatcher = self.env["collection.dispatcher"]
        attempts = self.generic.max_attempts
        down, busy, spent, bad, worse = (
            self.make_row("sms", state="sending", attempts=n)
            for n in (1, 1, attempts, 1, 1)
        )
        read = self.make_row("sms", state="read", error=False)
        retry = [
            (down, RetryableProviderError("503 upstream unavailable")),
            (busy, RetryableProviderError("502 bad gateway", seconds=600)),
            (spent, RetryableProviderError("503 upstream unavailable")),
        ]
        failed = {bad: "invalid number", worse: "number blocked", read: "late"}
        Dispatcher._record_results(self.generic, [], retry, failed, NOW)
        self.assertEqual(
            [r.state for r in (down, busy, spent, bad, worse, read)],
            ["planned", "planned", "failed", "failed", "failed", "read"],
        )
        self.assertEqual(down.error, "503 upstream unavailable")
        self.assertEqual(busy.error, "502 bad gateway")
        self.assertEqual(busy.scheduled_at, NOW + timedelta(seconds=600))
        self.assertGreater(down.scheduled_at, NOW)
        self.assertIn("Gave up after", spent.error)
        self.assertIn("503 upstream unavailable", spent.error)
        self.assertEqual((bad.error, worse.error), ("invalid number", "number blocked"))
        self.assertFalse(read.error)
        note = self.customer.message_ids[0].body
        for text in ("Gave up after", "invalid number", "number blocked"):
            self.assertIn(text, note)
        self.assertNotIn("late", note)

    def test_refused_request_fails_with_a_clear_error_and_no_secret(self):
        row = self.make_row("sms", scheduled_at=NOW)
        self.loopback.failures = [(400, {"error": "invalid number"})]
        self.Message._dispatch(now=NOW)
        self.assertEqual(row.state, "failed")
        self.assertTrue(row.error)
        self.assertNotIn(self.GENERIC_SECRET, row.error)
        self.assertIn("failed", self.customer.message_ids[0].body)

    def test_quiet_hours_reschedule_instead_of_sending(self):
        night = datetime(2026, 11, 25, 6, 0)  # midnight in Mexico City
        row = self.make_row("sms", scheduled_at=night)
        self.Message._dispatch(now=night)
        self.assertEqual(row.state, "planned")
        self.assertGreater(row.scheduled_at, night)
        self.assertFalse(self.loopback.requests)

    def test_interrupted_sends_are_recovered_without_duplicates(self):
        claimed = NOW - timedelta(hours=1)
        generic_row = self.make_row("sms", state="sending", claimed_at=claimed)
        call = self.make_row("voice", state="sending", claimed_at=claimed)
        fresh = self.make_row("sms", state="sending", claimed_at=NOW)
        self.env["collection.dispatcher"]._recover_stuck(NOW)
        # the generic protocol deduplicates: resending is safe
        self.assertEqual(generic_row.state, "planned")
        # Twilio does not: a person checks before anything is sent again
        self.assertEqual(call.state, "failed")
        self.assertIn("may or may not have sent it", call.error)
        self.assertEqual(fresh.state, "sending")

    def test_rate_limit_is_shared_through_the_provider_row(self):
        self.generic.rate_limit = 10
        first = self.generic._reserve_slots(50, now=NOW)
        second = self.generic._reserve_slots(50, now=NOW)
        self.assertEqual(first, NOW)
        self.assertEqual(second, NOW + timedelta(seconds=5))

    def test_whatsapp_outside_the_window_needs_an_approved_template(self):
        row = self.make_row("whatsapp", scheduled_at=NOW)
        self.Message._dispatch(now=NOW)
        self.assertEqual(row.state, "failed")
        self.assertIn("No approved WhatsApp template", row.error)
        self.assertFalse(self.loopback.requests)
        self.template_whatsapp.whatsapp_template_ids = [
            (0, 0, {"whatsapp_name": "payment_reminder", "whatsapp_lang": "en_US"})
        ]
        with freeze_time(NOW + timedelta(hours=1)):  # a retry made in the day
            row.action_retry()
        self.Message._dispatch(now=row.scheduled_at)
        self.assertEqual(row.state, "sent")
        request = self.loopback.requests[0]
        self.assertEqual(request["path"], "/v21.0/109876543210/messages")
        self.assertEqual(request["headers"]["Authorization"], f"Bearer {self.WA_TOKEN}")
        template = request["body"]["template"]
        self.assertEqual(template["name"], "payment_reminder")
        self.assertEqual(template["language"]["code"], "en_US")
        parameters = template["components"][0]["parameters"]
        self.assertEqual(
            [p["text"] for p in parameters], ["Lucía Méndez", row.idempotency_key]
        )
        self.assertEqual(
            request["body"]["biz_opaque_callback_data"], row.idempotency_key
        )
        self.assertTrue(row.provider_ref.startswith("wamid."))

    def test_whatsapp_inside_the_window_sends_free_text(self):
        self.customer.collection_whatsapp_inbound_at = datetime.now() - timedelta(
            hours=2
        )
        row = self.make_row("whatsapp", scheduled_at=NOW)
        self.Message._dispatch(now=NOW)
        self.assertEqual(row.state, "sent")
        body = self.loopback.requests[0]["body"]
        self.assertEqual(body["type"], "text")
        self.assertIn("please pay", body["text"]["body"])

    def test_voice_call_points_twilio_at_the_call_flow(self):
        row = self.make_row("voice", scheduled_at=NOW)
        self.Message._dispatch(now=NOW)
        self.assertEqual(row.state, "sent", row.error)
        request = self.loopback.requests[0]
        self.assertTrue(request["path"].endswith("/Calls.json"))
        body = request["body"]
        self.assertEqual(body["To"], "+525512345678")
        self.assertIn(f"/collections/voice/{row.id}?token=", body["Url"])
        self.assertIn(f"ref={row.idempotency_key}", body["StatusCallback"])
        self.assertEqual(body["MachineDetection"], "DetectMessageEnd")

    def test_provider_secrets_are_for_admins_only(self):
        manager = self.env.user.copy(
            {
                "login": "collection-manager",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref(
                                "collections_automation.group_collection_manager"
                            ).id,
                        ],
                    )
                ],
            }
        )
        provider = self.generic.with_user(manager)
        self.assertEqual(provider.name, "Gateway")
        with self.assertRaises(Exception):  # noqa: B017 (AccessError on the field)
            provider.read(["generic_secret"])
        data = json.dumps(provider.read(["name", "kind"]))
        self.assertNotIn(self.GENERIC_SECRET, data)
