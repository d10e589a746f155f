"""Cases follow what was agreed, wherever it was agreed, seen by the
collector of the case's team over JSON-RPC (as the web client calls)."""

import json

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.collections_ai_agent.tests.common import AgentCommon
from odoo.addons.collections_automation.tests.common_rpc import WebClientMixin

COLLECTOR = "collections_automation.group_collection_user"


@tagged("post_install", "-at_install")
class TestCasesFollowAgreements(WebClientMixin, AgentCommon, HttpCase):
    """Lucía owes 1,000 (one invoice 20 days overdue); her case is Cole's,
    opened by a journey step with a call to make."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cole = new_test_user(
            cls.env,
            "cole_collector",
            COLLECTOR,
            password="cole_collector-pass-1",
            company_id=cls.env.company.id,
            company_ids=[(6, 0, cls.env.company.ids)],
        )
        cls.team = cls.env["collection.team"].create(
            {"name": "North", "member_ids": [(0, 0, {"user_id": cls.cole.id})]}
        )
        cls.Case = cls.env["collection.case"]
        cls.call = cls.env.ref("mail.mail_activity_data_call")

    def setUp(self):
        super().setUp()
        self.case = self.Case._escalate(self.customer, self.env.company, "journey")
        self.assertEqual(self.case.user_id, self.cole)
        self.assertEqual(self.case.stage_code, "new")
        self.assertEqual(self.open_calls(), 1, "the journey step's call to make")
        self.login(self.cole)

    # === helpers === #
    def read_case(self, *names):
        return self.rpc("collection.case", "read", [self.case.id], list(names))[0]

    def open_calls(self):
        return self.env["mail.activity"].search_count(
            [
                ("res_model", "=", "collection.case"),
                ("res_id", "=", self.case.id),
                ("activity_type_id", "=", self.call.id),
            ]
        )

    def open_agreements(self):
        promises = self.Promise.search(
            [("partner_id", "=", self.customer.id), ("state", "=", "open")]
        )
        return promises.filtered(lambda p: not p.plan_id or p.plan_id.state == "open")

    def agreement_wizard(self, **values):
        """The case's "Promise or Plan" button, as the collector fills it."""
        wizard_id = self.rpc(
            "collection.case.agreement",
            "create",
            {"case_id": self.case.id, **values},
        )
        return self.rpc("collection.case.agreement", "action_record", [wizard_id])

    # === 1. the case follows the agreement === #
    def test_plan_agreed_with_the_agent_moves_the_case_and_closes_the_call(self):
        self.whatsapp_in("quiero pagarlo en 3 cuotas", "wamid.F1")
        self.whatsapp_in("sí", "wamid.F2")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual((plan.source, plan.state), ("ai_agent", "open"))
        case = self.read_case("stage_code", "stage_id", "activity_ids")
        self.assertEqual(case["stage_code"], "plan")
        self.assertEqual(case["stage_id"][1], "Payment Plan")
        self.assertFalse(case["activity_ids"], "the call is done")
        self.assertEqual(self.open_calls(), 0)
        done = self.env["mail.message"].search(
            [
                ("model", "=", "collection.case"),
                ("res_id", "=", self.case.id),
                ("mail_activity_type_id", "=", self.call.id),
            ]
        )
        self.assertTrue(done, "the call is logged done on the case")
        # the turns read in words: intents and actions
        turns = self.rpc(
            "collection.conversation.turn",
            "search_read",
            [("partner_id", "=", self.customer.id)],
            ["intent_label", "action_summary", "channel_label"],
            order="id",
        )
        self.assertEqual(turns[0]["intent_label"], "Asks for installments")
        self.assertEqual(turns[-1]["intent_label"], "Says yes")
        self.assertIn("Payment plan recorded", turns[-1]["action_summary"])
        self.assertNotIn("record_plan", turns[-1]["action_summary"])
        self.assertEqual(turns[-1]["channel_label"], "WhatsApp")

    def test_promise_in_the_portal_chat_moves_the_case(self):
        """The customer agrees with the agent on the invoice's page (the
        token holder is the customer, no login)."""
        self.invoice._portal_ensure_token()
        self.authenticate(None, None)

        def chat(message):
            response = self.url_open(
                f"/collections/agent/chat/{self.invoice.id}",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "message": message,
                            "access_token": self.invoice.access_token,
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
            return response.json()["result"]

        chat("puedo pagar todo el viernes")
        chat("sí")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.source, promise.state), ("ai_agent", "open"))
        self.login(self.cole)
        case = self.read_case("stage_code", "activity_ids")
        self.assertEqual(case["stage_code"], "promise")
        self.assertFalse(case["activity_ids"])

    def test_promise_from_the_case_wizard_moves_the_case(self):
        self.agreement_wizard(
            kind="promise", amount=1000, promise_date=str(self.days(5))
        )
        case = self.read_case("stage_code", "activity_ids")
        self.assertEqual(case["stage_code"], "promise")
        self.assertFalse(case["activity_ids"])

    def test_promise_recorded_by_hand_on_the_customer_moves_the_case(self):
        wizard_id = self.rpc(
            "collection.record.promise",
            "create",
            {
                "partner_id": self.customer.id,
                "amount": 1000,
                "promise_date": str(self.days(3)),
            },
        )
        self.rpc("collection.record.promise", "action_record", [wizard_id])
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")
        self.assertEqual(self.open_calls(), 0)

    def test_promise_recorded_on_the_invoice_moves_the_case(self):
        wizard_id = self.rpc(
            "collection.record.promise",
            "create",
            {
                "partner_id": self.customer.id,
                "invoice_ids": [(6, 0, self.invoice.ids)],
                "amount": 1000,
                "promise_date": str(self.days(3)),
            },
        )
        self.rpc("collection.record.promise", "action_record", [wizard_id])
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")

    def test_a_case_in_legal_stays_in_legal(self):
        self.case.stage_id = self.env.ref("collections_contact_center.stage_legal")
        self.agreement_wizard(
            kind="promise", amount=1000, promise_date=str(self.days(5))
        )
        self.assertEqual(self.read_case("stage_code")["stage_code"], "legal")

    # === never two open for one debt === #
    def test_a_plan_after_a_promise_replaces_it(self):
        """The agent took a promise of the whole balance; the collector then
        agrees a plan of the same balance: the promise is cancelled, never
        2,000 promised against 1,000 owed."""
        self.whatsapp_in("puedo pagar el viernes", "wamid.R1")
        self.whatsapp_in("sí", "wamid.R2")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.state, promise.amount), ("open", 1000))
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")
        self.agreement_wizard(
            kind="plan",
            amount=1000,
            promise_date=str(self.days(2)),
            installments=3,
            spacing="monthly",
        )
        self.assertEqual(promise.state, "cancelled")
        open_now = self.open_agreements()
        self.assertEqual(len(open_now.plan_id), 1)
        self.assertFalse(open_now.filtered(lambda p: not p.plan_id))
        self.assertAlmostEqual(sum(open_now.mapped("amount")), 1000, places=2)
        self.assertEqual(self.read_case("stage_code")["stage_code"], "plan")
        self.assertIn(
            "Replaced by a new agreement",
            "".join(promise.message_ids.mapped("body")),
        )
        # and a promise after the plan replaces the plan
        self.agreement_wizard(
            kind="promise", amount=1000, promise_date=str(self.days(4))
        )
        self.assertEqual(open_now.plan_id.state, "cancelled")
        self.assertEqual(len(self.open_agreements()), 1)
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")

    def test_an_agreement_on_another_invoice_is_another_debt(self):
        other = self.make_invoice(self.customer, 500, due_in=-5)
        self.env["collection.debtor"]._refresh(partner_ids=self.customer.ids)
        first = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "invoice_ids": [(6, 0, self.invoice.ids)],
                "amount": 1500,
                "promise_date": self.days(3),
            }
        )
        second = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "invoice_ids": [(6, 0, other.ids)],
                "amount": 1500,
                "promise_date": self.days(4),
            }
        )
        self.assertEqual((first.state, second.state), ("open", "open"))

    def test_an_agreement_in_another_company_is_another_debt(self):
        company_b = self.setup_other_company()["company"]
        self.env.user.company_ids |= company_b
        in_a = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "amount": 1000,
                "promise_date": self.days(3),
            }
        )
        invoice_b = self.make_invoice(self.customer, 700, due_in=-10, company=company_b)
        self.env["collection.debtor"]._refresh(partner_ids=self.customer.ids)
        in_b = self.Promise.with_company(company_b).create(
            {
                "partner_id": self.customer.id,
                "company_id": company_b.id,
                "invoice_ids": [(6, 0, invoice_b.ids)],
                "amount": 700,
                "promise_date": self.days(3),
            }
        )
        self.assertEqual((in_a.state, in_b.state), ("open", "open"))
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")

    # === a broken promise === #
    def test_broken_promise_call_goes_to_the_case_collector(self):
        # recorded by the admin (who is not the case's collector)
        promise = self.Promise.create(
            {
                "partner_id": self.customer.id,
                "amount": 1000,
                "promise_date": self.today,
            }
        )
        self.assertEqual(promise.user_id, self.env.user)
        self.assertEqual(self.read_case("stage_code")["stage_code"], "promise")
        promise._settle(fields.Date.add(self.today, days=1))
        self.assertEqual(promise.state, "broken")
        activities = self.rpc(
            "mail.activity",
            "search_read",
            [("res_model", "=", "collection.case"), ("res_id", "=", self.case.id)],
            ["user_id", "summary", "activity_type_id"],
        )
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities[0]["user_id"][0], self.cole.id)
        self.assertEqual(activities[0]["activity_type_id"][0], self.call.id)
        self.assertIn("Broken promise", activities[0]["summary"])
        self.assertFalse(
            self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("summary", "ilike", "Broken promise"),
                ]
            ),
            "no second task for the admin on the customer",
        )
        self.assertEqual(self.read_case("stage_code")["stage_code"], "in_progress")
        # the chatter says how it ended, in words and formatted figures
        notes = "".join(self.customer.message_ids.mapped("body"))
        self.assertIn("Broken", notes)
        self.assertNotIn("1000.0", notes)

    def test_broken_installment_moves_the_plan_case_back(self):
        self.agreement_wizard(
            kind="plan",
            amount=1000,
            promise_date=str(self.today),
            installments=2,
            spacing="monthly",
        )
        self.assertEqual(self.read_case("stage_code")["stage_code"], "plan")
        plan = self.open_agreements().plan_id
        plan.promise_ids._settle(fields.Date.add(self.today, days=1))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(self.read_case("stage_code")["stage_code"], "in_progress")
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "collection.case"), ("res_id", "=", self.case.id)]
        )
        self.assertEqual(activity.user_id, self.cole)

    # === 2. what the case form shows === #
    def test_case_form_shows_contact_details_and_open_invoices(self):
        installments = self.make_invoice(
            self.customer, 800, invoice_in=-10, term=self.two_installments
        )
        not_due = self.make_invoice(self.customer, 300, due_in=12)
        self.env["collection.debtor"]._refresh(partner_ids=self.customer.ids)
        installments.message_post(body="Sent by post.")
        self.customer.message_post(body="Called the office.")
        views = self.rpc("collection.case", "get_views", [[False, "form"]], options={})
        arch = views["views"]["form"]["arch"]
        for name in ("partner_phone", "partner_mobile", "partner_email"):
            self.assertIn(f'name="{name}"', arch)
        self.assertIn('name="open_invoice_ids"', arch)
        self.assertIn('name="collection_source"', arch)
        self.assertNotIn('name="model"', arch)
        case = self.rpc(
            "collection.case",
            "web_read",
            [self.case.id],
            {
                "partner_mobile": {},
                "partner_email": {},
                "partner_lang": {},
                "partner_tz": {},
                "open_invoice_ids": {
                    "fields": {
                        "name": {},
                        "collection_due_date": {},
                        "collection_days_overdue": {},
                        "amount_residual": {},
                    }
                },
                "history_message_ids": {"fields": {"collection_source": {}}},
            },
        )[0]
        self.assertEqual(case["partner_mobile"], "+52 55 1234 5678")
        self.assertEqual(case["partner_email"], "lucia@example.com")
        self.assertEqual(case["partner_tz"], "America/Mexico_City")
        self.assertTrue(case["partner_lang"])
        lines = {line["name"]: line for line in case["open_invoice_ids"]}
        self.assertEqual(
            set(lines), {self.invoice.name, installments.name, not_due.name}
        )
        # installments: the oldest unpaid installment's date and days
        split = lines[installments.name]
        self.assertEqual(split["collection_due_date"], str(self.days(-10)))
        self.assertEqual(split["collection_days_overdue"], 10)
        self.assertAlmostEqual(split["amount_residual"], 800)
        self.assertEqual(lines[self.invoice.name]["collection_days_overdue"], 20)
        self.assertEqual(lines[not_due.name]["collection_days_overdue"], 0)
        sources = {m["collection_source"] for m in case["history_message_ids"]}
        self.assertTrue({"Invoice", "Customer", "Case"} <= sources, sources)
        self.assertFalse({"account.move", "res.partner"} & sources)

    # === 3. installment invoices: due date and days overdue agree === #
    def test_installment_invoice_due_date_and_days_overdue_agree(self):
        invoice = self.make_invoice(
            self.customer, 800, invoice_in=-10, term=self.two_installments
        )
        not_due = self.make_invoice(self.customer, 300, due_in=12)
        read = {
            r["id"]: r
            for r in self.rpc(
                "account.move",
                "read",
                [invoice.id, not_due.id],
                [
                    "invoice_date_due",
                    "collection_next_due_date",
                    "collection_days_overdue",
                    "collection_overdue_label",
                ],
            )
        }
        split = read[invoice.id]
        self.assertEqual(split["invoice_date_due"], str(self.days(20)))
        self.assertEqual(split["collection_next_due_date"], str(self.days(-10)))
        self.assertEqual(split["collection_days_overdue"], 10)
        self.assertEqual(split["collection_overdue_label"], "10 days overdue")
        ahead = read[not_due.id]
        self.assertEqual(ahead["collection_next_due_date"], str(self.days(12)))
        self.assertEqual(ahead["collection_days_overdue"], 0)
        self.assertEqual(ahead["collection_overdue_label"], "Not due")
        Move = self.env["account.move"]
        mine = [("partner_id", "=", self.customer.id)]
        self.assertEqual(
            Move.search([*mine, ("collection_days_overdue", "=", 0)]), not_due
        )
        self.assertEqual(
            Move.search([*mine, ("collection_days_overdue", ">", 0)]),
            invoice | self.invoice,
        )
        self.assertFalse(Move.search([*mine, ("collection_days_overdue", "<", 0)]))
        # the invoice list shows the oldest installment's date as "Next Due"
        list_view = self.env.ref("account.view_out_invoice_tree").id
        arch = self.rpc("account.move", "get_views", [[list_view, "list"]], options={})[
            "views"
        ]["list"]["arch"]
        self.assertIn('name="collection_next_due_date"', arch)

    # === 4. labels === #
    def test_labels_say_what_figures_are(self):
        fields_info = self.rpc(
            "collection.debtor",
            "fields_get",
            ["priority", "score"],
            attributes=["string", "help"],
        )
        self.assertEqual(fields_info["priority"]["string"], "Amount at Risk")
        self.assertIn("0 (will not pay)", fields_info["score"]["help"])
        self.assertIn("100 (pays", fields_info["score"]["help"])
        case_score = self.rpc(
            "collection.case", "fields_get", ["score"], attributes=["help"]
        )
        self.assertIn("0 (will not pay)", case_score["score"]["help"])

    def test_plan_name_and_note_state_formatted_amounts(self):
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.customer.id,
                "balance": 1000,
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": self.customer.id,
                            "amount": amount,
                            "promise_date": self.days(offset),
                        },
                    )
                    for amount, offset in ((500, 2), (500, 30))
                ],
            }
        )
        name = self.rpc("collection.payment.plan", "read", [plan.id], ["display_name"])[
            0
        ]["display_name"]
        self.assertNotIn("1000.0", name)
        self.assertIn("1,000.00", name)
        self.assertIn("2 installments", name)
        note = self.customer.message_ids.filtered(
            lambda m: "Payment plan recorded" in (m.body or "")
        ).body
        self.assertIn("500.00", note)
        self.assertNotIn("500.0 ", note)
        self.assertNotIn(str(self.days(2)), note, "dates in the reader's format")
