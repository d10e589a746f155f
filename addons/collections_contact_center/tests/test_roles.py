"""Every role does its job and nothing more, seen from the web client.

Collectors of two teams, a collection manager, a billing user, a portal
customer and an anonymous visitor call the server over HTTP and JSON-RPC
(``/web/dataset/call_kw``) as the web client does, on demo-like data in two
companies: what each reads, writes and calls, and what it is refused.
"""

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.collections_automation.tests.common import CollectionsCommon
from odoo.addons.collections_automation.tests.common_rpc import (
    ACCESS_ERROR,
    WebClientMixin,
)

VALIDATION_ERROR = "odoo.exceptions.ValidationError"
USER_ERROR = "odoo.exceptions.UserError"
COLLECTOR = "collections_automation.group_collection_user"
MANAGER = "collections_automation.group_collection_manager"
KPI = "contact_rate"


def specification(model, models, depth=0):
    """What the web client asks ``web_read`` for, from ``get_views``' fields."""
    spec = {}
    for name, field in models[model]["fields"].items():
        if field["type"] == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field["type"] in ("one2many", "many2many"):
            relation = field["relation"]
            spec[name] = {
                "fields": specification(relation, models, depth + 1)
                if relation in models and depth == 0
                else {"display_name": {}}
            }
        else:
            spec[name] = {}
    return spec


@tagged("post_install", "-at_install")
class TestRoles(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company()["company"]

        def user(login, groups, companies=None, **values):
            companies = companies or cls.company_a
            return new_test_user(
                cls.env,
                login,
                groups,
                password=f"{login}-pass-1",
                company_id=companies[0].id,
                company_ids=[(6, 0, companies.ids)],
                **values,
            )

        # Ana worked in company B too, and has left it (below)
        cls.ana = user("ana_north", COLLECTOR, cls.company_a | cls.company_b)
        cls.beto = user("beto_south", COLLECTOR)
        cls.mara = user("mara_manager", MANAGER)
        cls.bill = user("bill_billing", "account.group_account_invoice")

        Team = cls.env["collection.team"]
        cls.north = Team.create(
            {"name": "North", "member_ids": [(0, 0, {"user_id": cls.ana.id})]}
        )
        cls.south = Team.create(
            {"name": "South", "member_ids": [(0, 0, {"user_id": cls.beto.id})]}
        )
        # Ana is in company B's team too, but no longer works in company B
        cls.team_b = Team.with_company(cls.company_b).create(
            {
                "name": "B",
                "company_id": cls.company_b.id,
                "member_ids": [(0, 0, {"user_id": cls.ana.id})],
            }
        )

        def customer(name, amount, company, team, owner):
            partner = cls.env["res.partner"].create(
                {
                    "name": name,
                    "email": f"{name.lower().replace(' ', '.')}@example.com",
                    "tz": "UTC",
                    "collection_consent_email": True,
                }
            )
            invoice = cls.make_invoice(partner, amount, due_in=-20, company=company)
            invoice.message_post(body=f"{invoice.name} sent to the customer")
            cls.env["collection.debtor"]._refresh(partner_ids=partner.ids)
            case = (
                cls.env["collection.case"]
                .with_company(company)
                .create({"partner_id": partner.id, "company_id": company.id})
            )
            case.write({"team_id": team.id, "user_id": owner.id if owner else False})
            debtor = cls.env["collection.debtor"].search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)]
            )
            message = cls.env["collection.message"].create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "debtor_id": debtor.id,
                    "kind": "payment_link",
                    "channel": "email",
                    "state": "sent",
                    "idempotency_key": f"roles-{partner.id}",
                    "body": "Pay here: https://example.com/pay",
                }
            )
            # an open promise made before (as the system: its terms are data)
            promise = (
                cls.env["collection.promise"]
                .sudo()
                .create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "amount": amount,
                        "promise_date": cls.days(30),
                    }
                )
            )
            conversation = (
                cls.env["collection.conversation"]
                .with_company(company)
                ._start(partner, company, "web")
            )
            turn = (
                cls.env["collection.conversation.turn"]
                .sudo()
                .create(
                    {
                        "conversation_id": conversation.id,
                        "channel": "web",
                        "customer_text": "hola",
                    }
                )
            )
            return {
                "partner": partner,
                "invoice": invoice,
                "case": case,
                "debtor": debtor,
                "message": message,
                "promise": promise,
                "conversation": conversation,
                "turn": turn,
            }

        cls.n = customer("North Customer", 4515, cls.company_a, cls.north, cls.ana)
        # unassigned in the South team: Beto sees it through his team
        cls.s = customer("South Customer", 800, cls.company_a, cls.south, None)
        cls.b = customer("Company B Customer", 600, cls.company_b, cls.team_b, cls.ana)
        cls.ana.company_ids -= cls.company_b
        cls.portal = new_test_user(
            cls.env,
            "north_portal",
            "base.group_portal",
            password="north_portal-pass-1",
            partner_id=cls.n["partner"].id,
        )

    # === helpers === #
    def ids(self, model, domain=None):
        return {r["id"] for r in self.rpc(model, "search_read", domain or [], ["id"])}

    def rows(self, key, *customers):
        return {c[key].id for c in customers}

    def open_case_form(self, case):
        """The case form as the web client loads it: the views, then
        ``web_read`` of every field the form shows."""
        views = self.rpc(
            "collection.case", "get_views", views=[[False, "form"]], options={}
        )
        spec = specification("collection.case", views["models"])
        self.assertIn("history_message_ids", spec)
        self.assertIn("dispute_invoice_ids", spec)
        return self.rpc("collection.case", "web_read", [case.id], specification=spec)[0]

    def run_wizard(self, model, values, method, case):
        context = {"default_case_id": case.id}
        wizard = self.rpc(
            model,
            "web_save",
            [],
            values,
            specification={"id": {}},
            context=context,
        )[0]
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [[wizard["id"]]],
                "kwargs": {"context": context},
            },
        )

    # === collectors === #
    def test_collector_sees_the_customers_of_their_teams_only(self):
        self.login(self.ana)
        self.assertEqual(self.ids("collection.case"), {self.n["case"].id})
        for key, model in (
            ("debtor", "collection.debtor"),
            ("message", "collection.message"),
            ("promise", "collection.promise"),
            ("conversation", "collection.conversation"),
            ("turn", "collection.conversation.turn"),
        ):
            self.assertEqual(self.ids(model), self.rows(key, self.n), model)
        self.assertEqual(
            self.ids("collection.invoice"),
            set(
                self.env["collection.invoice"]
                .search([("move_id", "=", self.n["invoice"].id)])
                .ids
            ),
        )
        self.assertEqual(
            self.ids("account.move", [("move_type", "=", "out_invoice")]),
            {self.n["invoice"].id},
        )
        self.refused("account.move", "read", [self.s["invoice"].id], ["name"])
        self.refused("collection.case", "read", [self.s["case"].id], ["name"])
        # company B: a team of hers there, but not her company
        self.refused("collection.case", "read", [self.b["case"].id], ["name"])
        self.refused("collection.debtor", "read", [self.b["debtor"].id], ["total_due"])
        self.assertNotIn(self.team_b.id, self.ids("collection.team"))
        self.assertFalse(
            self.ids("collection.team.member", [("team_id", "=", self.team_b.id)])
        )

        self.login(self.beto)
        self.assertEqual(self.ids("collection.case"), {self.s["case"].id})
        self.assertEqual(
            self.ids("collection.conversation"), self.rows("conversation", self.s)
        )
        self.refused("collection.promise", "read", [self.n["promise"].id], ["amount"])

    def test_a_collector_in_two_companies_sees_a_customer_only_where_the_case_is(self):
        """Ana's North customer also owes in company B, where no case is hers:
        working in both companies, she reads that customer's rows of company
        A only (the case's company), and her own company B case's rows."""
        partner = self.n["partner"]
        invoice_b = self.make_invoice(partner, 300, due_in=-15, company=self.company_b)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        Debtor = self.env["collection.debtor"]
        debtor_b = Debtor.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertTrue(debtor_b)
        message_b = self.env["collection.message"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company_b.id,
                "debtor_id": debtor_b.id,
                "kind": "payment_link",
                "channel": "email",
                "state": "sent",
                "idempotency_key": f"roles-b-{partner.id}",
                "body": "Pay here: https://example.com/pay",
            }
        )
        self.ana.company_ids |= self.company_b
        self.login(self.ana)
        both = {"allowed_company_ids": [self.company_a.id, self.company_b.id]}

        def ids(model):
            rows = self.rpc(model, "search_read", [], ["id"], context=both)
            return {row["id"] for row in rows}

        self.assertEqual(
            ids("collection.debtor"), {self.n["debtor"].id, self.b["debtor"].id}
        )
        self.assertEqual(
            ids("collection.message"), {self.n["message"].id, self.b["message"].id}
        )
        invoices = self.env["collection.invoice"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(invoices.company_id, self.company_a | self.company_b)
        self.assertEqual(
            ids("collection.invoice") & set(invoices.ids),
            set(invoices.filtered(lambda i: i.company_id == self.company_a).ids),
        )
        self.refused(
            "collection.debtor", "read", [debtor_b.id], ["total_due"], context=both
        )
        self.refused(
            "collection.message", "read", [message_b.id], ["state"], context=both
        )
        self.refused("account.move", "read", [invoice_b.id], ["name"], context=both)
        self.rpc("account.move", "read", [self.b["invoice"].id], ["name"], context=both)

    def test_collector_opens_a_case_form_and_uses_its_buttons(self):
        case = self.n["case"]
        self.login(self.ana)
        # My Work Today, then the kanban, then the form
        action = self.rpc("collection.case", "action_my_work_today")
        self.assertEqual(action["res_model"], "collection.case")
        kanban = self.rpc(
            "collection.case",
            "web_read_group",
            [],
            ["stage_id"],
            ["stage_id"],
        )
        self.assertEqual(
            sum(g["stage_id_count"] for g in kanban["groups"]), 1, "her one case"
        )
        form = self.open_case_form(case)
        self.assertEqual(form["amount_overdue"], 4515)
        history = {m["collection_source"] for m in form["history_message_ids"]}
        self.assertIn("Invoice", history, "the invoice's messages, in words")

        # Log a Call (no answer)
        self.run_wizard(
            "collection.case.log.call",
            {
                "disposition_id": self.env.ref(
                    "collections_contact_center.disposition_no_answer"
                ).id
            },
            "action_log",
            case,
        )
        self.assertEqual(case.call_ids.disposition_id.code, "no_answer")
        # put reminders on hold from the case
        self.rpc(
            "collection.case",
            "web_save",
            [case.id],
            {"collection_hold": "legal"},
            specification={"collection_hold": {}},
        )
        self.assertEqual(self.n["partner"].collection_hold, "legal")
        self.rpc(
            "collection.case",
            "web_save",
            [case.id],
            {"collection_hold": False},
            specification={"collection_hold": {}},
        )
        # a payment link and a statement, at an hour the customer may be contacted
        with freeze_time(fields.Datetime.now().replace(hour=12, minute=0)):
            self.run_wizard(
                "collection.case.send.link", {"channel": "email"}, "action_send", case
            )
            self.rpc("collection.case", "action_send_statement", [case.id])
        link = self.env["collection.message"].search(
            [("partner_id", "=", self.n["partner"].id), ("kind", "=", "payment_link")],
            order="id desc",
            limit=1,
        )
        self.assertEqual(link.create_uid, self.ana)
        self.assertTrue(link.payment_url)
        self.assertIn(link.payment_url, link.body, "the link made by the server")
        report = self.rpc("collection.case", "action_download_statement", [case.id])
        page = self.url_open(
            f"/report/html/{report['report_name']}/{case.id}", timeout=60
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.n["invoice"].name, page.text)
        # a promise within the negotiation policy (the whole balance in a week)
        self.run_wizard(
            "collection.case.agreement",
            {"kind": "promise", "amount": 4515, "promise_date": str(self.days(7))},
            "action_record",
            case,
        )
        promise = self.env["collection.promise"].search(
            [
                ("partner_id", "=", self.n["partner"].id),
                ("create_uid", "=", self.ana.id),
            ]
        )
        self.assertEqual(promise.amount, 4515)
        self.assertEqual(case.stage_code, "promise")

    def test_collector_agrees_a_plan_within_the_policy(self):
        case = self.s["case"]
        self.login(self.beto)
        self.run_wizard(
            "collection.case.agreement",
            {
                "kind": "plan",
                "amount": 800,
                "promise_date": str(self.days(3)),
                "installments": 4,
                "spacing": "monthly",
            },
            "action_record",
            case,
        )
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.s["partner"].id)]
        )
        self.assertEqual((plan.installment_count, plan.amount_total), (4, 800))
        self.assertEqual(plan.create_uid, self.beto)
        self.assertEqual(case.stage_code, "plan")
        # the plan is his customer's: he reads it, Ana does not
        self.assertEqual(self.ids("collection.payment.plan"), set(plan.ids))
        self.login(self.ana)
        self.assertFalse(self.ids("collection.payment.plan"))

    def test_collector_logs_a_dispute_that_holds_the_invoice(self):
        case = self.n["case"]
        self.login(self.ana)
        self.run_wizard(
            "collection.case.log.call",
            {
                "disposition_id": self.env.ref(
                    "collections_contact_center.disposition_dispute"
                ).id,
                "dispute_reason": "already_paid",
            },
            "action_log",
            case,
        )
        self.assertEqual(case.stage_code, "dispute")
        self.assertEqual(self.n["invoice"].collection_hold, "dispute")
        form = self.open_case_form(case)
        self.assertEqual(
            [m["id"] for m in form["dispute_invoice_ids"]], [self.n["invoice"].id]
        )
        # the dispute rejected from the statusbar: collection resumes
        stage = self.env.ref("collections_contact_center.stage_in_progress")
        self.rpc(
            "collection.case",
            "web_save",
            [case.id],
            {"stage_id": stage.id},
            specification={"stage_id": {}},
        )
        self.assertFalse(self.n["invoice"].collection_hold)

    def test_collector_cannot_step_outside_the_policy_or_the_outbox(self):
        case = self.n["case"]
        self.login(self.ana)
        promise_outcome = self.env.ref("collections_contact_center.disposition_promise")
        # a promise of 0.01 in 2031 through Log a Call, the agreement wizard, RPC
        with (
            mute_logger("odoo.http"),
            self.assertRaises(JsonRpcException) as caught,
        ):
            self.run_wizard(
                "collection.case.log.call",
                {
                    "disposition_id": promise_outcome.id,
                    "promise_amount": 0.01,
                    "promise_date": "2031-01-01",
                },
                "action_log",
                case,
            )
        self.assertEqual(str(caught.exception), VALIDATION_ERROR)
        with (
            mute_logger("odoo.http"),
            self.assertRaises(JsonRpcException) as caught,
        ):
            self.run_wizard(
                "collection.case.agreement",
                {
                    "kind": "promise",
                    "amount": 0.01,
                    "promise_date": "2031-01-01",
                    "override": True,
                    "override_reason": "trust me",
                },
                "action_record",
                case,
            )
        self.assertEqual(str(caught.exception), USER_ERROR)
        self.refused(
            "collection.promise",
            "create",
            {
                "partner_id": self.n["partner"].id,
                "amount": 0.01,
                "promise_date": "2031-01-01",
            },
            error=VALIDATION_ERROR,
        )
        self.refused(
            "collection.promise",
            "create",
            {
                "partner_id": self.n["partner"].id,
                "amount": 0.01,
                "promise_date": "2031-01-01",
                "policy_override_reason": "trust me",
            },
        )
        self.assertFalse(
            self.env["collection.promise"].search(
                [("amount", "=", 0.01), ("partner_id", "=", self.n["partner"].id)]
            )
        )
        # the existing promise: neither stretched nor marked kept
        self.refused(
            "collection.promise",
            "write",
            [self.n["promise"].id],
            {"state": "kept"},
        )
        self.refused(
            "collection.promise",
            "write",
            [self.n["promise"].id],
            {"amount": 0.01},
            error=VALIDATION_ERROR,
        )
        # outbox rows, debtor figures, conversation state: read only
        self.refused(
            "collection.message",
            "write",
            [self.n["message"].id],
            {"body": "Pay here instead: https://evil.example"},
        )
        self.refused(
            "collection.debtor", "write", [self.n["debtor"].id], {"total_overdue": 1}
        )
        self.refused(
            "collection.conversation",
            "write",
            [self.n["conversation"].id],
            {"dialogue_state": {"customer": {"balance": "1.00"}}},
        )
        self.refused(
            "collection.provider", "search_read", [], ["name"], error=ACCESS_ERROR
        )
        # a case is not moved to another customer to see theirs
        self.refused(
            "collection.case",
            "write",
            [case.id],
            {"partner_id": self.s["partner"].id},
        )
        self.refused("collection.case", "create", {"partner_id": self.s["partner"].id})
        self.refused("collection.kpi.line", "action_recompute", [])
        self.assertEqual(self.n["message"].body, "Pay here: https://example.com/pay")

    def test_the_agent_records_against_the_balance_of_the_day(self):
        """A conversation whose stored balance was tampered with cannot have
        the agent record a promise for less than the policy allows."""
        conversation = self.n["conversation"]
        state = dict(conversation.dialogue_state)
        state["customer"] = dict(state["customer"], balance="1.00")
        conversation.dialogue_state = state
        with self.assertRaises(Exception) as caught:
            conversation._record_promise(
                {"amount": "1.00", "date": str(self.days(2)), "discount_pct": "0"}
            )
        self.assertIn("negotiation policy", str(caught.exception))

    # === the manager === #
    def test_manager_sees_the_company_and_overrides_with_a_reason(self):
        self.login(self.mara)
        self.assertEqual(
            self.ids("collection.case"), {self.n["case"].id, self.s["case"].id}
        )
        self.assertEqual(
            self.ids("collection.conversation"),
            self.rows("conversation", self.n, self.s),
        )
        self.refused("collection.case", "read", [self.b["case"].id], ["name"])
        self.open_case_form(self.s["case"])
        # without a reason, refused; with one, recorded and logged
        values = {
            "partner_id": self.s["partner"].id,
            "amount": 100,
            "promise_date": str(self.days(40)),
        }
        self.refused("collection.promise", "create", values, error=VALIDATION_ERROR)
        promise_id = self.rpc(
            "collection.promise",
            "create",
            dict(values, policy_override_reason="Hospital bills, call in May"),
        )
        promise = self.env["collection.promise"].browse(promise_id)
        self.assertIn("Hospital bills", promise.message_ids[:1].body)
        self.assertIn(self.mara.name, promise.message_ids[:1].body)
        # the manager edits the outbox and recomputes the KPIs of her company
        self.rpc(
            "collection.message",
            "write",
            [self.s["message"].id],
            {"body": "Reviewed"},
        )
        kpi_b = self.env["collection.kpi.line"].create(
            {
                "company_id": self.company_b.id,
                "date_from": self.today.replace(day=1),
                "date_to": self.today,
                "kpi": KPI,
            }
        )
        self.rpc("collection.kpi.line", "action_recompute", [])
        self.assertTrue(kpi_b.exists(), "company B's KPIs are not hers to redo")
        self.assertTrue(
            self.env["collection.kpi.line"].search(
                [("company_id", "=", self.company_a.id)]
            )
        )

    # === the accountant === #
    def test_accountant_reads_figures_and_holds_but_no_cases(self):
        self.login(self.bill)
        self.assertEqual(
            self.ids("collection.debtor"), self.rows("debtor", self.n, self.s)
        )
        self.assertEqual(
            self.ids("collection.promise"), self.rows("promise", self.n, self.s)
        )
        for model in (
            "collection.case",
            "collection.conversation",
            "collection.conversation.turn",
            "collection.message",
        ):
            self.refused(model, "search_read", [], ["id"])
        self.refused("collection.debtor", "write", [self.n["debtor"].id], {"score": 1})
        self.refused(
            "collection.promise",
            "create",
            {
                "partner_id": self.n["partner"].id,
                "amount": 4515,
                "promise_date": str(self.days(3)),
            },
        )
        self.refused("collection.kpi.line", "action_recompute", [])
        # holds on invoices and customers are the accountants' too
        self.rpc(
            "account.move",
            "write",
            [self.n["invoice"].id],
            {"collection_hold": "legal"},
        )
        self.assertEqual(self.n["invoice"].collection_hold, "legal")

    def test_a_collector_works_a_case_but_does_not_hand_it_over(self):
        """Ana changes her case's stage and priority; handing it to Beto, to
        her customer's portal login or to the South team is a manager's
        call, refused in words; the manager's choice must be an employee of
        the case's company."""
        case = self.n["case"]
        self.login(self.ana)
        in_progress = self.env.ref("collections_contact_center.stage_in_progress")
        self.rpc(
            "collection.case",
            "web_save",
            [case.id],
            {"stage_id": in_progress.id, "priority": "2"},
            specification={"stage_id": {}},
        )
        self.assertEqual((case.stage_id, case.priority), (in_progress, "2"))
        for values in (
            {"user_id": self.beto.id},
            {"user_id": self.portal.id},
            {"team_id": self.south.id},
        ):
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as no:
                self.rpc(
                    "collection.case",
                    "web_save",
                    [case.id],
                    values,
                    specification={"user_id": {}},
                )
            self.assertEqual(str(no.exception), ACCESS_ERROR)
        self.assertEqual((case.user_id, case.team_id), (self.ana, self.north))
        # the manager hands it over, to an employee of the company only
        self.login(self.mara)
        self.rpc("collection.case", "write", [case.id], {"user_id": self.beto.id})
        self.assertEqual(case.user_id, self.beto)
        only_b = new_test_user(
            self.env,
            "bruno_b",
            COLLECTOR,
            company_id=self.company_b.id,
            company_ids=[(6, 0, self.company_b.ids)],
        )
        for user in (self.portal, only_b):
            with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as no:
                self.rpc("collection.case", "write", [case.id], {"user_id": user.id})
            self.assertEqual(str(no.exception), VALIDATION_ERROR)
        self.assertEqual(case.user_id, self.beto)

    def test_routing_skips_a_collector_who_left_the_company(self):
        """Ana left company B but is still in its team: a new company B case
        waits in the team's queue rather than going to her."""
        partner = self.env["res.partner"].create({"name": "New B Customer"})
        self.make_invoice(partner, 900, due_in=-20, company=self.company_b)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        case = (
            self.env["collection.case"]
            .with_company(self.company_b)
            .create({"partner_id": partner.id, "company_id": self.company_b.id})
        )
        self.assertEqual(
            (case.team_id, case.user_id), (self.team_b, self.env["res.users"])
        )

    def test_a_collector_logs_a_wrong_number(self):
        """The note goes on the customer's chatter, signed by the collector,
        though collectors do not edit contacts."""
        case = self.n["case"]
        self.login(self.ana)
        wrong = self.env["collection.disposition"].search(
            [("outcome", "=", "wrong_number")], limit=1
        )
        self.assertTrue(wrong)
        self.run_wizard(
            "collection.case.log.call", {"disposition_id": wrong.id}, "action_log", case
        )
        note = self.n["partner"].message_ids[:1]
        self.assertIn("Wrong number", note.body)
        self.assertEqual(note.author_id, self.ana.partner_id)

    def test_accountant_opens_a_customer_in_collection(self):
        """Invoicing > Customers in Collection, a row opened: the form the
        accountant's web client loads, without the outbox's tab."""
        self.login(self.bill)
        views = self.rpc(
            "collection.debtor", "get_views", views=[[False, "form"]], options={}
        )
        # the web client asks for the fields its form shows
        arch = views["views"]["form"]["arch"]
        spec = {
            name: value
            for name, value in specification(
                "collection.debtor", views["models"]
            ).items()
            if f'name="{name}"' in arch
        }
        self.assertNotIn("message_ids", spec)
        row = self.rpc(
            "collection.debtor", "web_read", [self.n["debtor"].id], specification=spec
        )[0]
        self.assertEqual(row["total_due"], 4515)
        self.assertEqual(len(row["promise_ids"]), 1)

    # === portal and anonymous === #
    def test_portal_customer_has_their_invoice_pages_only(self):
        self.login(self.portal)
        own = self.url_open(self.n["invoice"].get_portal_url())
        self.assertEqual(own.status_code, 200)
        self.assertIn(self.n["invoice"].name, own.text)
        other = self.url_open(f"/my/invoices/{self.s['invoice'].id}")
        self.assertNotIn(self.s["invoice"].name, other.text)
        for model in ("collection.debtor", "collection.case", "collection.promise"):
            self.refused(model, "search_read", [], ["id"])
        self.refused("collection.kpi.line", "action_recompute", [])

    def test_anonymous_needs_a_valid_access_token(self):
        invoice = self.s["invoice"]
        invoice._portal_ensure_token()
        page = self.url_open(
            f"/my/invoices/{invoice.id}?access_token={invoice.access_token}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)
        forged = self.url_open(f"/my/invoices/{invoice.id}?access_token=forged")
        self.assertNotIn(invoice.name, forged.text)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc("collection.kpi.line", "action_recompute", [])
        self.assertEqual(str(caught.exception), "odoo.http.SessionExpiredException")

    def test_a_collector_handles_the_replies_of_their_customers_only(self):
        self.n["debtor"].sudo().reply_pending = True
        self.s["debtor"].sudo().reply_pending = True
        self.login(self.ana)
        self.rpc(
            "collection.debtor", "action_mark_reply_handled", [self.n["debtor"].id]
        )
        self.assertFalse(self.n["debtor"].reply_pending, "the journey goes on")
        self.refused(
            "collection.debtor", "action_mark_reply_handled", [self.s["debtor"].id]
        )
        self.assertTrue(self.s["debtor"].reply_pending)
        # the outbox's buttons are the managers': a collector does not see them
        arch = self.rpc("collection.message", "get_views", [[False, "form"]])["views"][
            "form"
        ]["arch"]
        self.assertNotIn('name="action_retry"', arch)

    def test_a_collector_puts_a_customer_on_hold_but_edits_no_contact(self):
        self.login(self.ana)
        self.rpc(
            "collection.case",
            "web_save",
            [self.n["case"].id],
            {"collection_hold": "legal"},
            specification={"collection_hold": {}},
        )
        self.assertEqual(self.n["partner"].collection_hold, "legal")
        self.refused("res.partner", "write", [self.n["partner"].id], {"name": "X"})
        self.refused(
            "res.partner.bank",
            "create",
            {"acc_number": "1", "partner_id": self.n["partner"].id},
        )
