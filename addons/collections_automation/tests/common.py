from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS


class CollectionsCommon(AccountTestInvoicingCommon, MockEmail, MockSMS):
    """Invoices dated relative to today, with or without installments.

    Odoo's own email and SMS go to a fake mail server and SMS gateway, as in
    Odoo's tests (``MockEmail``, ``MockSMS``): unmocked, every message would
    fail (no server in tests) and fail its outbox row.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id |= cls.env.ref(
            "collections_automation.group_collection_manager"
        )
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.buckets = {b.code: b for b in cls.env["collection.bucket"].search([])}
        cls.two_installments = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 30}
                    ),
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.enterContext(self.mock_mail_gateway())
        self.enterContext(self.mockSMSGateway())

    def activities_about(self, partner):
        """Activities on the customer or on a record of theirs (a downstream
        module may hand escalations to its own records, e.g. a case)."""
        found = self.env["mail.activity"]
        for activity in found.search([]):
            record = self.env[activity.res_model].browse(activity.res_id)
            if record == partner or (
                "partner_id" in record._fields and record.partner_id == partner
            ):
                found |= activity
        return found

    @classmethod
    def days(cls, offset):
        return fields.Date.add(cls.today, days=offset)

    @classmethod
    def make_invoice(
        cls,
        partner,
        amount,
        due_in=0,
        invoice_in=None,
        term=None,
        company=None,
        currency=None,
        move_type="out_invoice",
    ):
        """A posted customer invoice (or ``move_type``) of ``amount`` due
        ``due_in`` days from today, in ``currency`` or the journal's."""
        values = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": cls.days(due_in if invoice_in is None else invoice_in),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [],
                    }
                )
            ],
        }
        if currency:
            values["currency_id"] = currency.id
        values["invoice_payment_term_id"] = term.id if term else False
        if not term:
            values["invoice_date_due"] = cls.days(due_in)
        move = cls.env["account.move"].with_company(company or cls.env.company)
        invoice = move.create(values)
        invoice.action_post()
        return invoice

    @classmethod
    def pay(cls, invoice, amount, date=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": date or cls.today})
        )
        return wizard._create_payments()


class MultiCurrencyCommon(CollectionsCommon):
    """A company in USD (``usd``) and customers owing in several currencies:
    invoices, credit notes and unapplied payments in any of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.usd = cls.company.currency_id

    @classmethod
    def other_currency(cls, code, rate):
        """``code`` active at ``rate`` to the company's currency, ever since."""
        return cls.setup_other_currency(code, rates=[("2000-01-01", rate)])

    @classmethod
    def email_customer(cls, name, **values):
        """A customer who agreed to be written to by email."""
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.com",
                "tz": "UTC",
                "collection_consent_email": True,
                **values,
            }
        )

    @classmethod
    def invoice_in(
        cls, partner, amount, due_in, currency, move_type="out_invoice", invoice_in=0
    ):
        """A posted invoice (or credit note) in ``currency``, dated
        ``invoice_in`` days from today, due in ``due_in`` days."""
        return cls.make_invoice(
            partner,
            amount,
            due_in,
            invoice_in=invoice_in,
            currency=currency,
            move_type=move_type,
        )

    @classmethod
    def unapplied_payment(cls, partner, amount, currency):
        """A posted customer payment of yesterday, applied to nothing."""
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "currency_id": currency.id,
                "date": cls.days(-1),
                "journal_id": cls.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment
