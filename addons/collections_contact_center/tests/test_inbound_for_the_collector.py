import time

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.collections_automation.tests.common_providers import ProvidersCommon
from odoo.addons.collections_automation.tests.test_webhooks import NUMBER, WebhookClient


@tagged("post_install", "-at_install")
class TestInboundForTheCollector(WebhookClient, ProvidersCommon, HttpCase):
    """What a customer sends for a person to open goes to the collector who
    works their open case, before their salesperson."""

    def test_a_photo_goes_to_the_collector_of_the_open_case(self):
        salesperson = new_test_user(
            self.env, login="inbound_sales", groups="base.group_user"
        )
        collector = new_test_user(
            self.env,
            login="inbound_collector",
            groups="collections_automation.group_collection_user",
        )
        self.customer.user_id = salesperson
        self.make_invoice(self.customer, 500, due_in=-30)
        self.env["collection.debtor"]._refresh(partner_ids=self.customer.ids)
        case = self.env["collection.case"].create({"partner_id": self.customer.id})
        case.user_id = collector  # a manager's assignment
        self.assertEqual(case.user_id, collector)
        photo = {
            "from": NUMBER[1:],
            "id": "wamid.CASE1",
            "timestamp": str(int(time.time())),
            "type": "image",
            "image": {"id": "1", "mime_type": "image/jpeg"},
        }
        response = self.post_whatsapp(self.whatsapp_payload(messages=[photo]))
        self.assertEqual(response.status_code, 200)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(case.user_id, collector)
        self.assertEqual(activity.user_id, collector)
        case.user_id = False
        photo["id"] = "wamid.CASE2"
        self.post_whatsapp(self.whatsapp_payload(messages=[photo]))
        activity = (
            self.env["mail.activity"].search(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            )
            - activity
        )
        self.assertEqual(activity.user_id, salesperson)
