from datetime import datetime, time
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.test_statement import StatementPortfolio

IAP = "odoo.addons.snailmail.models.snailmail_letter.iap_tools.iap_jsonrpc"


@tagged("post_install", "-at_install")
class TestPost(StatementPortfolio):
    """The dunning letter by post: through the contact gate and the outbox,
    handed to Snailmail's queue; Snailmail's IAP call is mocked as Odoo's
    own tests mock IAP (no letter is ever posted)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.final = cls.env.ref("collections_automation.letter_standard_final")
        cls.dora.write(
            {
                "street": "Calle Mayor 1",
                "city": "Madrid",
                "zip": "28013",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
            }
        )
        cls.env.company.partner_id.write(
            {
                "street": "Main Street 1",
                "city": "Springfield",
                "zip": "12345",
                "country_id": cls.env.ref("base.us").id,
            }
        )

    def wizard(self, partner):
        return (
            self.env["collection.print.letter"]
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create({"letter_id": self.final.id})
        )

    def at_noon(self):
        # a Wednesday, no holiday in Spain: 12:00 in Madrid
        return freeze_time(datetime.combine(self.today, time(11, 0)))

    def iap_accepts(self, letter):
        def fake(endpoint, params=None, timeout=None, **kwargs):
            self.assertIn("/iap/snailmail/1/print", endpoint)
            return {
                "request_code": 200,
                "total_cost": 1,
                "request": {
                    "documents": [
                        {"letter_id": doc["letter_id"], "sent": True, "send_id": "X1"}
                        for doc in params["documents"]
                    ]
                },
            }

        return patch(IAP, side_effect=fake)

    def test_letter_by_post_through_the_gate_and_snailmail(self):
        Message = self.env["collection.message"]
        self.assertTrue(Message._channel_available("post"))
        gate = self.env["collection.contact.gate"]
        now = datetime.combine(self.today, time(11, 0))
        with self.at_noon():
            verdict = gate._decide(self.dora, "post", "by_hand", now)
            self.assertTrue(verdict.allowed, verdict.reason)
            self.wizard(self.dora).with_context(
                force_report_rendering=True
            ).action_send_post()
            # a double click in the same minute posts nothing more
            self.wizard(self.dora).action_send_post()
        row = Message.search(
            [("partner_id", "=", self.dora.id), ("channel", "=", "post")]
        )
        self.assertEqual(len(row), 1)
        self.assertEqual(row.state, "sent")
        post = row.snailmail_letter_id
        self.assertEqual(post.state, "pending", "waits for Snailmail's queue")
        self.assertEqual(post.partner_id, self.dora)
        self.assertTrue(post.attachment_id.raw.startswith(b"%PDF"))
        self.assertIn(self.final.name, post.attachment_id.name)
        # Snailmail's queue sends it through IAP (mocked)
        with self.iap_accepts(post) as iap:
            post._snailmail_print_valid_address()
        self.assertEqual(iap.call_count, 1)
        self.assertEqual(post.state, "sent")

    def test_gate_refuses_post_without_address_or_contact(self):
        gate = self.env["collection.contact.gate"]
        now = datetime.combine(self.today, time(11, 0))
        nowhere = self.statement_customer("Nora Nowhere", tz="Europe/Madrid")
        self.invoice_in(nowhere, 100, -5, self.usd)
        with self.at_noon():
            verdict = gate._decide(nowhere, "post", "by_hand", now)
            self.assertEqual((verdict.state, verdict.rule), ("refused", "no_address"))
            with self.assertRaisesRegex(UserError, "postal address"):
                self.wizard(nowhere).action_send_post()
            self.dora.collection_do_not_contact = True
            verdict = gate._decide(self.dora, "post", "by_hand", now)
            self.assertFalse(verdict.allowed)
            with self.assertRaises(UserError):
                self.wizard(self.dora).action_send_post()
        self.assertFalse(
            self.env["snailmail.letter"].search(
                [("partner_id", "in", (nowhere | self.dora).ids)]
            )
        )

    def test_journey_steps_may_use_post(self):
        step = self.final.step_id
        step.fallback_channels = "post,email"
        self.assertEqual(step._channel_order()[:2], ("email", "post"))
