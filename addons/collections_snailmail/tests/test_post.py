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

    def test_journey_step_on_post_plans_and_sends_its_letter(self):
        """A journey step on Post with a dunning letter plans one post row per
        customer whose address is complete (the letter plays the template's
        role), refuses in words the others, and the dispatcher hands the
        letter's PDF to Snailmail's queue, once."""
        Message = self.env["collection.message"]
        company = self.env.company
        step = self.final.step_id
        step.write({"channel": "post", "fallback_channels": False})
        blocking, warnings = step._problems(company)
        self.assertFalse(blocking)
        self.assertFalse([w for w in warnings if "Post" in w], warnings)
        nowhere = self.statement_customer(
            "Nora Nowhere", tz="Europe/Madrid", lang="en_US"
        )
        self.invoice_in(nowhere, 100, -35, self.usd, invoice_in=-65)
        now = datetime.combine(self.today, time(11, 0))
        self.env["collection.debtor"]._refresh(now.date(), company_ids=company.ids)
        with self.at_noon():
            Message._plan(now, company_ids=company.ids)
        rows = Message.search(
            [("partner_id", "in", (self.dora | nowhere).ids), ("kind", "=", "journey")]
        )
        dora_row = rows.filtered(lambda m: m.partner_id == self.dora)
        self.assertEqual(len(dora_row), 1)
        self.assertEqual(dora_row.step_id, step)
        self.assertEqual(dora_row.channel, "post")
        self.assertIn(dora_row.state, ("planned", "review"))
        self.assertFalse(dora_row.template_id)
        self.assertEqual(dora_row.subject, self.final.name)
        nora_row = rows.filtered(lambda m: m.partner_id == nowhere)
        self.assertEqual(len(nora_row), 1)
        self.assertEqual(nora_row.state, "refused")
        self.assertEqual(nora_row.refusal_rule, "no_address")
        self.assertIn("postal address is incomplete", nora_row.refusal_reason)
        if dora_row.state == "review":
            dora_row.state = "planned"
        # the dispatcher sends it when the contact gate allows (now, or when
        # a deferral ends)
        send_at = max(now, dora_row.scheduled_at)
        with freeze_time(send_at):
            Message.with_context(force_report_rendering=True)._dispatch(send_at)
        self.assertEqual(dora_row.state, "sent", dora_row.error)
        post = dora_row.snailmail_letter_id
        self.assertEqual(post.partner_id, self.dora)
        self.assertEqual(post.state, "pending", "waits for Snailmail's queue")
        self.assertTrue(post.attachment_id.raw.startswith(b"%PDF"))
        self.assertIn(self.final.name, post.attachment_id.name)
        self.assertEqual(dora_row.provider_ref, str(post.id))
        self.assertFalse(
            self.env["snailmail.letter"].search([("partner_id", "=", nowhere.id)])
        )
        # planning again the same day plans nothing more (the planner's key),
        # and dispatching again posts nothing more
        with self.at_noon():
            self.assertEqual(Message._plan(now, company_ids=company.ids), 0)
        with freeze_time(send_at):
            Message.with_context(force_report_rendering=True)._dispatch(send_at)
        self.assertEqual(
            self.env["snailmail.letter"].search_count(
                [("partner_id", "=", self.dora.id)]
            ),
            1,
        )
        # Snailmail's queue sends it through IAP (mocked)
        with self.iap_accepts(post) as iap:
            post._snailmail_print_valid_address()
        self.assertEqual(iap.call_count, 1)
        self.assertEqual(post.state, "sent")

    def test_journey_post_row_asks_the_gate_again_at_sending(self):
        """A customer who asks not to be contacted after the planning gets
        no letter: the dispatcher asks the contact gate again."""
        Message = self.env["collection.message"]
        company = self.env.company
        self.final.step_id.write({"channel": "post", "fallback_channels": False})
        now = datetime.combine(self.today, time(11, 0))
        self.env["collection.debtor"]._refresh(now.date(), company_ids=company.ids)
        with self.at_noon():
            Message._plan(now, company_ids=company.ids)
        row = Message.search(
            [("partner_id", "=", self.dora.id), ("kind", "=", "journey")]
        )
        self.assertEqual(row.channel, "post")
        row.state = "planned"
        self.dora.collection_do_not_contact = True
        send_at = max(now, row.scheduled_at)
        with freeze_time(send_at):
            Message.with_context(force_report_rendering=True)._dispatch(send_at)
        self.assertNotEqual(row.state, "sent")
        self.assertFalse(row.snailmail_letter_id)
        self.assertFalse(
            self.env["snailmail.letter"].search([("partner_id", "=", self.dora.id)])
        )
