"""Two sends by hand over the same customers in the same minute, in two
transactions at once (two bulk sends whose jobs run side by side): the
second waits for the first, skips the customers it wrote and writes the
others; neither fails on the idempotency key's unique index (which rolled
back a whole batch of 50 customers and lost the ones only it had)."""

import threading
from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..models.collection_contact_gate import Verdict


@tagged("post_install", "-at_install")
class TestConcurrentSendsByHand(TransactionCase):
    # the two sends run in transactions of their own (committed demo data),
    # as two job runners' workers do
    NOW = datetime(2026, 12, 8, 15, 7)

    def setUp(self):
        super().setUp()
        names = ("levante", "lucia", "talleres")
        self.partner_ids = [
            self.env.ref(f"collections_automation.demo_partner_{name}").id
            for name in names
        ]
        self.template_id = self.env.ref(
            "collections_automation.template_overdue_email"
        ).id
        self.addCleanup(self.forget_rows)

    def keys(self):
        minute = self.NOW.strftime("%Y%m%d%H%M")
        return [
            f"manual-{partner_id}-email-{self.template_id}-{minute}"
            for partner_id in self.partner_ids
        ]

    def forget_rows(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM collection_message WHERE idempotency_key = ANY(%s)",
                [self.keys()],
            )

    def send(self, partner_ids, hold=None, done=None, errors=None):
        """Write the rows of ``partner_ids`` in a transaction of its own;
        with ``hold``, keep it open (its locks taken) until ``hold`` is set."""
        try:
            with self.registry.cursor() as cr:
                env = self.env(cr=cr)
                Manual = env["collection.manual.reminder"]
                partners = env["res.partner"].browse(partner_ids)
                template = env["collection.template"].browse(self.template_id)
                review = [(p, Verdict("allowed", None, ""), template) for p in partners]
                Manual._write_rows(review, "email", env.company, self.NOW)
                if done:
                    done.set()
                if hold:
                    hold.wait(30)
        except Exception as error:  # noqa: BLE001 - reported to the test
            if errors is not None:
                errors.append(error)
            raise

    def test_the_second_send_skips_what_the_first_wrote(self):
        first_ids, second_ids = self.partner_ids[:2], self.partner_ids[1:]
        release, written, errors = threading.Event(), threading.Event(), []
        first = threading.Thread(
            target=self.send, args=(first_ids, release, written, errors)
        )
        first.start()
        self.assertTrue(written.wait(30), "the first send wrote its rows")
        second = threading.Thread(
            target=self.send, args=(second_ids,), kwargs={"errors": errors}
        )
        second.start()
        second.join(2)
        self.assertTrue(second.is_alive(), "the second waits for the first")
        release.set()
        first.join(30)
        second.join(30)
        self.assertEqual([str(e) for e in errors], [])
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT idempotency_key, COUNT(*) FROM collection_message"
                " WHERE idempotency_key = ANY(%s) GROUP BY 1",
                [self.keys()],
            )
            counts = dict(cr.fetchall())
        self.assertEqual(counts, dict.fromkeys(self.keys(), 1))
