from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestEmailCandidates(TransactionCase):
    """Who reads a customer's email reminders, found for many customers at
    once (``res.partner._collection_email_candidates_of``), is who the rule
    says customer by customer (``_collection_email_candidates``)."""

    def test_bulk_rule_agrees_with_the_rule(self):
        Partner = self.env["res.partner"]
        with_contact = Partner.create({"name": "A", "email": "a@example.com"})
        with_contact.collection_contact_id = Partner.create(
            {"name": "A's accountant", "email": "acc@example.com"}
        )
        contact_without_email = Partner.create({"name": "B", "email": "b@example.com"})
        contact_without_email.collection_contact_id = Partner.create(
            {"name": "B's accountant"}
        )
        invoicing = Partner.create(
            {"name": "C", "email": "c@example.com", "is_company": True}
        )
        for name, values in [
            ("Zoe", {"type": "invoice", "email": "zoe@example.com"}),
            ("Ann", {"type": "invoice", "email": "ann@example.com"}),
            ("No email", {"type": "invoice"}),
            (
                "Archived",
                {"type": "invoice", "email": "x@example.com", "active": False},
            ),
            ("Delivery", {"type": "delivery", "email": "d@example.com"}),
        ]:
            Partner.create(dict(values, name=name, parent_id=invoicing.id))
        children_without_email = Partner.create(
            {"name": "D", "email": "d2@example.com", "is_company": True}
        )
        Partner.create(
            {"name": "D inv", "type": "invoice", "parent_id": children_without_email.id}
        )
        nobody = Partner.create({"name": "E"})
        empty = Partner.create({"name": "F", "email": ""})
        partners = (
            with_contact
            | contact_without_email
            | invoicing
            | children_without_email
            | nobody
            | empty
        )
        expected = {
            partner.id: partner._collection_email_candidates().ids
            for partner in partners
        }
        self.assertEqual(
            expected[invoicing.id],
            (invoicing.child_ids.filtered(lambda c: c.name in ("Ann", "Zoe"))).ids,
        )
        self.assertEqual(
            expected[children_without_email.id], children_without_email.ids
        )
        self.assertEqual(expected[contact_without_email.id], [])
        self.assertEqual(expected[nobody.id], [])
        for env_partner in (
            Partner.sudo(),
            Partner.with_user(self.env.ref("base.user_admin")),
        ):
            found = env_partner._collection_email_candidates_of(
                partners.with_env(env_partner.env)
            )
            self.assertEqual({key: value.ids for key, value in found.items()}, expected)
