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
