"""Two send jobs for one customer at the same minute (an SMS through one
provider, a WhatsApp or an email through another, both released at 09:00)
must not both go out where the policy allows one: a row another job is
sending counts in the history, and two jobs never decide for one customer at
once (``collection.contact.lock``)."""

import threading
from datetime import datetime

import psycopg2.errors

from odoo.tests import TransactionCase, tagged

from .test_dunning_leftovers import one_email_a_day
from .test_statement import StatementPortfolio


@tagged("post_install", "-at_install")
class TestARowBeingSentCounts(TransactionCase):
    """One email a day: a row another job claimed and is sending is that
    email (it has no sent time yet)."""

    NOW = datetime(2026, 12, 9, 12, 0)  # a Wednesday, 13:00 in Brussels

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        one_email_a_day(cls.env, cls.env.ref("base.be"))
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Brussels Customer",
                "email": "customer@example.be",
                "country_id": cls.env.ref("base.be").id,
                "tz": "Europe/Brussels",
            }
        )
        cls.gate = cls.env["collection.contact.gate"]

    def row(self, state, key, **values):
        return self.env["collection.message"].create(
            {
                "partner_id": self.partner.id,
                "company_id": self.env.company.id,
                "channel": "email",
                "template_id": self.env.ref(
                    "collections_automation.template_overdue_email"
                ).id,
                "state": state,
                "scheduled_at": self.NOW.replace(hour=11),
                "idempotency_key": key,
                **values,
            }
        )

    def test_a_claimed_row_holds_back_a_second_email(self):
        self.row("queued", "lock-waiting")
        self.assertTrue(
            self.gate._decide(self.partner, "email", "journey", self.NOW).allowed,
            "a row only waiting in the queue is no contact yet",
        )
        self.row("sending", "lock-sending", claimed_at=self.NOW.replace(hour=11))
        verdict = self.gate._decide(self.partner, "email", "journey", self.NOW)
        self.assertEqual(verdict.state, "deferred")
        self.assertEqual(verdict.rule, "daily_cap")

    def test_deciding_at_send_time_takes_the_customers_lock(self):
        row = self.row("queued", "lock-decided")
        self.env["collection.dispatcher"]._allowed_now(row, self.NOW)
        self.env.cr.execute(
            "SELECT decided_at FROM collection_contact_lock WHERE partner_id = %s",
            [self.partner.id],
        )
        self.assertEqual(self.env.cr.fetchall(), [(self.NOW,)])


@tagged("post_install", "-at_install")
class TestAStatementTakesTheLock(StatementPortfolio):
    """A statement of account emailed is a contact the caps count: its
    sending decides under the customer's lock too."""

    def test_sending_a_statement_takes_the_customers_lock(self):
        with self.noon():
            self.assertTrue(self.env["collection.statement"]._send_by_hand(self.dora))
        self.env.cr.execute(
            "SELECT COUNT(*) FROM collection_contact_lock WHERE partner_id = %s",
            [self.dora.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 1)


@tagged("post_install", "-at_install")
class TestTwoJobsForOneCustomer(TransactionCase):
    """Two transactions of their own (committed demo data), as two job
    runners' workers: the second to decide for a customer waits for the
    first, then PostgreSQL refuses its view from before the first's claim
    (a serialization failure, which queue_job retries a few seconds later)."""

    NOW = datetime(2026, 12, 9, 8, 0)

    def setUp(self):
        super().setUp()
        self.partner_ids = [
            self.env.ref(f"collections_automation.demo_partner_{name}").id
            for name in ("levante", "lucia")
        ]
        self.addCleanup(self.forget_locks)

    def forget_locks(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM collection_contact_lock WHERE partner_id = ANY(%s)",
                [self.partner_ids],
            )

    def take(self, partner_ids, started, hold=None, errors=None):
        """Take the lock of ``partner_ids`` in a transaction of its own, after
        a first read (the job's snapshot); with ``hold``, keep it open until
        ``hold`` is set, then commit."""
        try:
            with self.registry.cursor() as cr:
                env = self.env(cr=cr)
                cr.execute("SELECT 1")  # the transaction's view starts here
                started.set()
                env["collection.contact.lock"]._take(partner_ids, self.NOW)
                if hold:
                    hold.wait(30)
        except Exception as error:  # noqa: BLE001 - reported to the test
            if errors is not None:
                errors.append(error)

    def test_the_second_job_waits_then_runs_again(self):
        release, first_in, second_in, errors = (
            threading.Event(),
            threading.Event(),
            threading.Event(),
            [],
        )
        first = threading.Thread(
            target=self.take, args=(self.partner_ids, first_in, release)
        )
        first.start()
        self.assertTrue(first_in.wait(30))
        # the second job began before the first commits, for one customer
        # they share
        second = threading.Thread(
            target=self.take,
            args=(self.partner_ids[1:], second_in),
            kwargs={"errors": errors},
        )
        second.start()
        self.assertTrue(second_in.wait(30))
        second.join(2)
        self.assertTrue(second.is_alive(), "the second waits for the first")
        release.set()
        first.join(30)
        second.join(30)
        self.assertEqual(len(errors), 1, errors)
        self.assertIsInstance(errors[0], psycopg2.errors.SerializationFailure)
        # run again, it decides with the first job's contact in view
        errors.clear()
        self.take(self.partner_ids[1:], threading.Event(), errors=errors)
        self.assertEqual(errors, [])

    def test_jobs_for_other_customers_do_not_wait(self):
        release, first_in, errors = threading.Event(), threading.Event(), []
        first = threading.Thread(
            target=self.take, args=(self.partner_ids[:1], first_in, release)
        )
        first.start()
        self.assertTrue(first_in.wait(30))
        try:
            second = threading.Thread(
                target=self.take,
                args=(self.partner_ids[1:], threading.Event()),
                kwargs={"errors": errors},
            )
            second.start()
            second.join(10)
            self.assertFalse(second.is_alive(), "another customer: no wait")
        finally:
            release.set()
            first.join(30)
        self.assertEqual(errors, [])
