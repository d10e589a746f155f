"""The case a journey opened overnight, as its collector opens it.

The planning is started as an administrator starts it from the web client
("Run Manually" on the scheduled actions, which run without the tests'
mail-disabling context), then the collector the case was routed to logs in
and loads the case's chatter as the web client does.
"""

from datetime import datetime, time

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon
from odoo.addons.collections_automation.tests.common_rpc import WebClientMixin

COLLECTOR = "collections_automation.group_collection_user"


@tagged("post_install", "-at_install")
class TestEscalatedCaseChatter(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.password = "admin-chatter-pass-1"
        cls.cora = cls.role_user(cls.env, "cora_collector", COLLECTOR)
        cls.env["collection.team"].create(
            {"name": "Overnight", "member_ids": [(0, 0, {"user_id": cls.cora.id})]}
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Marta Overnight",
                "email": "marta.overnight@example.com",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
            }
        )
        # 50 days overdue: the standard journey's last step hands it over
        cls.make_invoice(cls.customer, 900, due_in=-50)

    def run_manually(self, xmlid):
        self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "ir.cron",
                "method": "method_direct_trigger",
                "args": [[self.env.ref(xmlid).id]],
                "kwargs": {},
            },
        )

    def test_the_chatter_opens_with_why_the_case_exists(self):
        with freeze_time(datetime.combine(self.today, time(9))):
            self.authenticate("admin", "admin-chatter-pass-1")
            self.run_manually("collections_automation.ir_cron_collection_refresh")
            self.run_manually("collections_automation.ir_cron_collection_plan")
        case = self.env["collection.case"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(case), 1)
        self.assertTrue(case.user_id, "routed to a collector")
        collector = case.user_id
        if collector != self.cora:  # a demo collector got it: one we can log in as
            collector.password = f"{collector.login}-pass-1"
        self.login(collector)
        loaded = self.make_jsonrpc_request(
            "/mail/thread/messages",
            {"thread_model": "collection.case", "thread_id": case.id},
        )
        bodies = {m["id"]: m["body"] for m in loaded["data"]["mail.message"]}
        chatter = [str(bodies[message_id]) for message_id in loaded["messages"]]
        # one entry, saying why: no "Collection Case created" line above it
        self.assertEqual(len(chatter), 1, chatter)
        self.assertIn("Escalated: Journey step", chatter[0])
        self.assertIn("escalated this customer to a collector", chatter[0])
        self.assertNotIn("created", chatter[0])
        # and the call to make is on the collector's list
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "collection.case"), ("res_id", "=", case.id)]
        )
        self.assertEqual(activity.user_id, collector)
