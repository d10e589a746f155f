"""Promises, plans, outbox rows and customer figures, seen from each role's
seat: logged in over HTTP, calling JSON-RPC as the web client does.

The negotiation policy is the AI agent's (``collections_ai_agent``); the
server checks every promise and plan against it whatever the entry point.
"""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CollectionsCommon
from .common_rpc import WebClientMixin

VALIDATION_ERROR = "odoo.exceptions.ValidationError"


@tagged("post_install", "-at_install")
class TestRolesAutomation(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return new_test_user(
                cls.env,
                login,
                groups,
                password=f"{login}-pass-1",
                company_id=cls.env.company.id,
            )

        cls.collector = user(
            "cora_collector", "collections_automation.group_collection_user"
        )
        cls.manager = user(
            "manu_manager", "collections_automation.group_collection_manager"
        )
        # a billing user as Odoo makes one (internal users edit contacts)
        cls.billing = user(
            "bea_billing", "account.group_account_invoice,base.group_partner_manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Debtor Roles", "email": "debtor.roles@example.com"}
        )
        cls.invoice = cls.make_invoice(cls.customer, 1000, due_in=-20)
        cls.env["collection.debtor"]._refresh(partner_ids=cls.customer.ids)
        cls.debtor = cls.env["collection.debtor"].search(
            [("partner_id", "=", cls.customer.id)]
        )
        cls.row = cls.env["collection.message"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.env.company.id,
                "debtor_id": cls.debtor.id,
                "kind": "payment_link",
                "channel": "email",
                "state": "planned",
                "idempotency_key": "roles-automation",
                "body": "Pay here: https://example.com/pay",
            }
        )
        if "collection.case" in cls.env:
            # with the contact center, a collector works the customers of
            # their cases: this one is hers
            case = cls.env["collection.case"].create({"partner_id": cls.customer.id})
            case.write({"user_id": cls.collector.id})
        cls.portal = new_test_user(
            cls.env,
            "debtor_portal",
            "base.group_portal",
            password="debtor_portal-pass-1",
            partner_id=cls.customer.id,
        )

    def setUp(self):
        super().setUp()
        if "collection.agent.policy" not in self.env:
            self.skipTest("the negotiation policy comes with collections_ai_agent")

    def promise_values(self, amount, days, **values):
        return {
            "partner_id": self.customer.id,
            "amount": amount,
            "promise_date": str(self.days(days)),
            **values,
        }

    def plan_values(self, *installments, **values):
        return {
            "partner_id": self.customer.id,
            "promise_ids": [
                (
                    0,
                    0,
                    {
                        "partner_id": self.customer.id,
                        "amount": a,
                        "promise_date": str(self.days(d)),
                    },
                )
                for a, d in installments
            ],
            **values,
        }

    # === promises === #
    def test_collector_records_promises_within_the_policy_only(self):
        self.login(self.collector)
        # the whole balance within the policy's 15 days: recorded, open
        promise_id = self.rpc(
            "collection.promise",
            "create",
            self.promise_values(1000, 5, state="kept", amount_paid=1000),
        )
        promise = self.env["collection.promise"].browse(promise_id)
        self.assertEqual((promise.state, promise.amount_paid), ("open", 0))
        # a cent in 2031 holds every reminder until then: refused
        self.refused(
            "collection.promise",
            "create",
            {
                "partner_id": self.customer.id,
                "amount": 0.01,
                "promise_date": "2031-01-01",
            },
            error=VALIDATION_ERROR,
        )
        # a collector's "reason" does not let it through
        self.refused(
            "collection.promise",
            "create",
            self.promise_values(100, 5, policy_override_reason="he is nice"),
        )
        # nor does stretching the recorded one, or marking it kept
        self.refused(
            "collection.promise",
            "write",
            [promise_id],
            {"amount": 1},
            error=VALIDATION_ERROR,
        )
        self.refused(
            "collection.promise",
            "write",
            [promise_id],
            {"promise_date": "2031-01-01"},
            error=VALIDATION_ERROR,
        )
        self.refused("collection.promise", "write", [promise_id], {"state": "kept"})
        self.refused("collection.promise", "write", [promise_id], {"amount_paid": 1000})
        self.assertEqual((promise.amount, promise.state), (1000, "open"))
        # cancelling is hers
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "collection.promise",
                "method": "action_cancel",
                "args": [[promise_id]],
                "kwargs": {},
            },
        )
        self.assertEqual(promise.state, "cancelled")

    def test_manager_overrides_only_with_a_logged_reason(self):
        self.login(self.manager)
        self.refused(
            "collection.promise",
            "create",
            self.promise_values(300, 45),
            error=VALIDATION_ERROR,
        )
        promise_id = self.rpc(
            "collection.promise",
            "create",
            self.promise_values(
                300, 45, policy_override_reason="Paid by the insurer in 45 days"
            ),
        )
        promise = self.env["collection.promise"].browse(promise_id)
        log = promise.message_ids[:1]
        self.assertIn("Paid by the insurer in 45 days", log.body)
        self.assertIn(self.manager.name, log.body)
        self.assertIn("later than the policy allows", log.body)

    # === plans === #
    def test_plans_are_checked_as_a_whole(self):
        self.login(self.collector)
        plan_id = self.rpc(
            "collection.payment.plan",
            "create",
            self.plan_values((500, 7), (500, 37), balance=1000),
        )
        plan = self.env["collection.payment.plan"].browse(plan_id)
        self.assertEqual((plan.installment_count, plan.amount_total), (2, 1000))
        # a plan that settles 1,000 with 10 (the balance it claims is ignored)
        self.refused(
            "collection.payment.plan",
            "create",
            self.plan_values((5, 7), (5, 37), balance=10),
            error=VALIDATION_ERROR,
        )
        # an installment slipped into the plan, a discount granted: refused
        self.refused(
            "collection.promise",
            "create",
            self.promise_values(1, 60, plan_id=plan_id),
            error=VALIDATION_ERROR,
        )
        self.refused(
            "collection.payment.plan",
            "write",
            [plan_id],
            {"discount_pct": 50},
            error=VALIDATION_ERROR,
        )
        self.assertEqual((plan.installment_count, plan.discount_pct), (2, 0))

    # === what collectors may not touch === #
    def test_collector_reads_but_does_not_edit_outbox_or_figures(self):
        self.login(self.collector)
        rows = self.rpc(
            "collection.message", "search_read", [("id", "=", self.row.id)], ["body"]
        )
        self.assertEqual(rows[0]["body"], "Pay here: https://example.com/pay")
        self.refused(
            "collection.message",
            "write",
            [self.row.id],
            {"body": "Pay here: https://evil.example/pay"},
        )
        self.refused(
            "collection.message",
            "create",
            {
                "partner_id": self.customer.id,
                "company_id": self.env.company.id,
                "idempotency_key": "forged",
                "body": "https://evil.example/pay",
            },
        )
        figures = self.rpc(
            "collection.debtor", "read", [self.debtor.id], ["total_overdue"]
        )
        self.assertEqual(figures[0]["total_overdue"], 1000)
        self.refused(
            "collection.debtor", "write", [self.debtor.id], {"total_overdue": 1}
        )
        self.refused("collection.provider", "search_read", [], ["name"])
        self.assertEqual(self.row.body, "Pay here: https://example.com/pay")
        self.assertEqual(self.debtor.total_overdue, 1000)

    # === accountants, portal, anonymous === #
    def test_accountant_reads_figures_and_sets_holds(self):
        self.login(self.billing)
        figures = self.rpc(
            "collection.debtor", "read", [self.debtor.id], ["total_overdue"]
        )
        self.assertEqual(figures[0]["total_overdue"], 1000)
        self.refused("collection.promise", "create", self.promise_values(1000, 5))
        self.refused("collection.message", "search_read", [], ["body"])
        self.rpc(
            "res.partner", "write", [self.customer.id], {"collection_hold": "legal"}
        )
        self.rpc(
            "account.move", "write", [self.invoice.id], {"collection_hold": "dispute"}
        )
        self.assertEqual(self.customer.collection_hold, "legal")
        self.assertEqual(self.invoice.collection_hold, "dispute")

    def test_portal_and_anonymous_reach_no_collection_model(self):
        self.login(self.portal)
        for model in ("collection.debtor", "collection.promise", "collection.message"):
            self.refused(model, "search_read", [], ["id"])
        self.refused("collection.promise", "create", self.promise_values(1000, 5))
        self.authenticate(None, None)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc("collection.debtor", "search_read", [], ["id"])
        self.assertEqual(str(caught.exception), "odoo.http.SessionExpiredException")
