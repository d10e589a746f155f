"""Send reminders to a selection of customers or invoices: reviewed first
(how many go, how many the contact gate defers or refuses and why), then
written by queue_job jobs in batches, never one transaction per customer."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from ..wizards.collection_manual_reminder import BULK_BATCH
from .test_by_hand import ByHandCommon

ALLOWED, NIGHT, NO_EMAIL = 160, 25, 15


@tagged("post_install", "-at_install")
class TestBulkReminders(ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        day_country, day_tz = cls.day_place
        night_country, night_tz = cls.night_place

        def values(index, place, email):
            country, tz = place
            return {
                "name": f"Bulk Customer {index:03d}",
                "email": f"bulk{index}@example.com" if email else False,
                "country_id": cls.env.ref(country).id,
                "tz": tz,
                "lang": "en_US",
            }

        rows = [values(i, (day_country, day_tz), True) for i in range(ALLOWED)]
        rows += [
            values(ALLOWED + i, (night_country, night_tz), True) for i in range(NIGHT)
        ]
        rows += [
            values(ALLOWED + NIGHT + i, (day_country, day_tz), False)
            for i in range(NO_EMAIL)
        ]
        cls.customers = Partner.create(rows)
        cls.assign_case(cls.customers, cls.user)

    def perform(self, trap):
        """Run what the web request enqueued, as its user, in this test's
        transaction (the request's cursor is closed by now)."""
        for job in trap.enqueued_jobs:
            env = job.recordset.env
            job.recordset = job.recordset.with_env(
                self.env(user=env.uid, su=env.su, context=dict(env.context))
            )
        trap.perform_enqueued_jobs()

    def test_bulk_over_200_customers_runs_as_jobs(self):
        self.assertEqual(len(self.customers), 200)
        Manual = self.env["collection.manual.reminder"]
        Message = self.env["collection.message"]
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder",
            "res.partner",
            self.customers.ids,
            {"channel": "email"},
            [
                "customer_count",
                "allowed_count",
                "deferred_count",
                "refused_count",
                "review_html",
            ],
        )
        self.assertEqual(
            (
                data["customer_count"],
                data["allowed_count"],
                data["deferred_count"],
                data["refused_count"],
            ),
            (200, ALLOWED, NIGHT, NO_EMAIL),
        )
        self.assertIn(
            f"<b>Refused</b> ({NO_EMAIL}): No email address.", data["review_html"]
        )
        self.assertIn(f"<b>Deferred</b> ({NIGHT}):", data["review_html"])

        with trap_jobs() as trap:
            result = self.button("collection.send.reminder", "action_send", [wizard_id])
            jobs = -(-200 // BULK_BATCH)
            trap.assert_jobs_count(jobs, only=Manual._job_send_reminders)
            # what will be sent, the others counted apart
            self.assertIn(
                f"Reminders to {ALLOWED} customers", result["params"]["message"]
            )
            self.assertIn(
                f"{NIGHT} deferred and {NO_EMAIL} refused", result["params"]["message"]
            )
            batches = [call.args[0] for call in trap.calls]
            self.assertEqual(sorted(sum(batches, [])), sorted(self.customers.ids))
            self.assertTrue(all(len(batch) <= BULK_BATCH for batch in batches))
            self.assertFalse(
                Message.search_count([("partner_id", "in", self.customers.ids)]),
                "nothing written in the request itself",
            )
            # the bulk jobs write the rows and hand them to the outbox's
            # send jobs
            self.perform(trap)
            rows = Message.search([("partner_id", "in", self.customers.ids)])
            self.assertEqual(len(rows), ALLOWED)
            self.assertEqual(set(rows.mapped("kind")), {"manual_reminder"})
            self.assertEqual(set(rows.mapped("state")), {"queued"})
            send_jobs = [
                job for job in trap.enqueued_jobs if job.method_name == "_job_send"
            ]
            self.assertEqual(
                sorted(sum((job.recordset.ids for job in send_jobs), [])),
                sorted(rows.ids),
                "the rows leave through the outbox's send jobs",
            )
            self.perform(trap)
        self.assertEqual(set(rows.mapped("state")), {"sent"})
        self.assertFalse(
            Message.search_count(
                [
                    ("partner_id", "in", self.customers.ids),
                    ("partner_id.email", "=", False),
                ]
            )
        )

    def test_bulk_from_invoices_and_retried_job_sends_once(self):
        first, second = self.customers[:2]
        moves = self.make_invoice(first, 100, due_in=-10) | self.make_invoice(
            second, 200, due_in=-40
        )
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder",
            "account.move",
            moves.ids,
            {"channel": "email"},
            ["customer_count", "allowed_count"],
        )
        self.assertEqual((data["customer_count"], data["allowed_count"]), (2, 2))
        with trap_jobs() as trap:
            self.button("collection.send.reminder", "action_send", [wizard_id])
            trap.assert_jobs_count(1)
            [call] = trap.calls
            self.perform(trap)
        Message = self.env["collection.message"]
        rows = Message.search([("partner_id", "in", (first | second).ids)])
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            rows.filtered(lambda r: r.partner_id == first).invoice_ids, moves[0]
        )
        # a job retried (the same arguments) writes nothing twice
        with trap_jobs():
            self.env["collection.manual.reminder"].with_user(
                self.user
            )._job_send_reminders(*call.args)
        self.assertEqual(
            Message.search_count([("partner_id", "in", (first | second).ids)]), 2
        )
