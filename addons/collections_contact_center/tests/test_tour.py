from datetime import datetime, timezone

from odoo.tests import HttpCase, tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestCaseTour(CollectionsCommon, HttpCase):
    """The kanban in a real browser (headless Chromium)."""

    def test_drag_a_case_and_log_a_call(self):
        partner = self.env["res.partner"].create({"name": "Tour Customer"})
        self.make_invoice(partner, 700, due_in=-12)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        case = self.env["collection.case"].create({"partner_id": partner.id})
        self.assertEqual(case.stage_code, "new")
        # the admin works in the test's company, as a collection manager
        self.env.ref("base.user_admin").write(
            {
                "company_ids": [(4, case.company_id.id)],
                "company_id": case.company_id.id,
                "groups_id": [
                    (
                        4,
                        self.env.ref(
                            "collections_automation.group_collection_manager"
                        ).id,
                    )
                ],
            }
        )
        self.start_tour(
            "/odoo/action-collections_contact_center.collection_case_action",
            "collections_case_kanban",
            login="admin",
        )
        self.assertEqual(case.stage_code, "in_progress")
        self.assertEqual(case.call_ids.disposition_id.code, "voicemail")

    def test_a_collectors_round_as_a_collector(self):
        """My Work Today, the case, a call with a promise, the payment link:
        logged in as a collector, with a collector's rights only."""
        collector = self.env["res.users"].create(
            {
                "name": "Round Collector",
                "login": "round_collector",
                "password": "round_collector-pass-1",
                "email": "round.collector@example.com",
                "groups_id": [
                    (
                        6,
                        0,
                        self.env.ref(
                            "collections_automation.group_collection_user"
                        ).ids,
                    )
                ],
                "company_id": self.env.company.id,
                "company_ids": [(6, 0, self.env.company.ids)],
                "tz": "UTC",
            }
        )
        team = self.env["collection.team"].create(
            {
                "name": "Round team",
                "sequence": 0,
                "member_ids": [(0, 0, {"user_id": collector.id, "capacity": 10})],
            }
        )
        # a zone where it is midday now: the contact policy allows the email
        # (no country: a zone outside the customer's country would have to
        # hold with every zone of it too)
        hour = datetime.now(timezone.utc).hour
        offset = (12 - hour + 12) % 24 - 12
        zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        partner = self.env["res.partner"].create(
            {
                "name": "Round Customer",
                "email": "round.customer@example.com",
                "tz": zone,
            }
        )
        self.make_invoice(partner, 700, due_in=-12)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        case = self.env["collection.case"].create({"partner_id": partner.id})
        case.write({"team_id": team.id, "user_id": collector.id})
        self.start_tour(
            "/odoo/action-collections_contact_center.collection_case_action_my_work_server",
            "collections_collector_round",
            login="round_collector",
        )
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual((promise.amount, promise.create_uid), (700, collector))
        link = self.env["collection.message"].search(
            [("partner_id", "=", partner.id), ("kind", "=", "payment_link")]
        )
        self.assertEqual(link.channel, "email")
        self.assertIn(link.state, ("queued", "sent"))
        self.assertTrue(link.payment_url)
