from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_providers import ProvidersCommon


@tagged("post_install", "-at_install")
class TestOutboxStates(ProvidersCommon):
    """Every path that moves an outbox row applies the state machine."""

    def test_a_plain_write_cannot_send_a_row_back_to_the_queue(self):
        sent = self.make_row("sms", state="sent")
        with self.assertRaisesRegex(UserError, "Sent cannot become Planned"):
            sent.write({"state": "planned"})
        refused = self.make_row("sms", state="refused")
        with self.assertRaises(UserError):
            refused.write({"state": "planned"})
        # what an event or a receipt does is allowed
        sent.write({"state": "delivered"})
        self.assertEqual(sent.state, "delivered")

    def test_buttons_move_only_the_rows_their_event_applies_to(self):
        review = self.make_row("sms", state="review")
        sent = self.make_row("sms", state="sent")
        failed = self.make_row("sms", state="failed", error="Boom")
        (review | sent | failed).action_approve()
        self.assertEqual((review.state, sent.state), ("planned", "sent"))
        (review | sent | failed).action_retry()
        self.assertEqual((failed.state, failed.error), ("planned", False))
        self.assertEqual(sent.state, "sent")
        (review | sent).action_skip()
        self.assertEqual((review.state, sent.state), ("cancelled", "sent"))

    def test_bulk_events_leave_rows_that_moved_meanwhile(self):
        planned = self.make_row("sms")
        replied = self.make_row("sms", state="replied")
        dispatcher = self.env["collection.dispatcher"]
        moved = dispatcher._apply_event((planned | replied).ids, "enqueue")
        self.assertEqual(moved, planned.ids)
        self.assertEqual((planned.state, replied.state), ("queued", "replied"))
