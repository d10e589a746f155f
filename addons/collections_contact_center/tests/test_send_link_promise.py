from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestSendLinkPromise(CollectionsCommon):
    """A case's Send Payment Link carries the link of the promise or
    installment due, for its exact amount."""

    def test_link_of_the_installment_due(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Cuotas",
                "lang": "es_MX",
                "country_id": self.env.ref("base.mx").id,
            }
        )
        invoice = self.make_invoice(partner, 900, due_in=-20)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        case = self.env["collection.case"].create({"partner_id": partner.id})
        Wizard = self.env["collection.case.send.link"]
        self.assertNotIn(
            "collection_promise_id", Wizard.create({"case_id": case.id}).payment_url
        )
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": partner.id,
                "balance": 900,
                "invoice_ids": [(6, 0, invoice.ids)],
                "promise_ids": [
                    (
                        0,
                        0,
                        {
                            "partner_id": partner.id,
                            "amount": 300,
                            "promise_date": self.days(days),
                            "invoice_ids": [(6, 0, invoice.ids)],
                        },
                    )
                    for days in (3, 33, 63)
                ],
            }
        )
        first = plan.promise_ids.sorted("promise_date")[0]
        wizard = Wizard.create({"case_id": case.id})
        self.assertEqual(wizard.payment_url, first._payment_link())
        self.assertIn("amount=300.0", wizard.payment_url)
