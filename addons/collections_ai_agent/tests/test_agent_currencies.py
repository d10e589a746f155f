"""The agent with a customer owing in two currencies: it states both, and
negotiates one at a time (the one asked about, else the larger), in that
currency; the server checks the agreement against the debt in it."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestAgentCurrencies(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.usd = cls.company.currency_id
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.9)])
        cls.customer = cls.env["res.partner"].create(
            {"name": "Lena Lopes", "lang": "en_US", "email": "lena@example.com"}
        )
        # USD 300 and EUR 900 (about USD 1,000: the larger) overdue
        cls.inv_usd = cls.invoice_in(cls.usd, 300, -12)
        cls.inv_eur = cls.invoice_in(cls.eur, 900, -20)
        cls.env["collection.debtor"]._refresh(full=True)
        cls.Conversation = cls.env["collection.conversation"]
        cls.Promise = cls.env["collection.promise"]

    @classmethod
    def invoice_in(cls, currency, amount, due_in):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "currency_id": currency.id,
                "invoice_date": cls.days(due_in),
                "invoice_date_due": cls.days(due_in),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": amount}
                    )
                ],
            }
        )
        move.line_ids.tax_ids = False
        move.action_post()
        return move

    def say(self, text, invoice=None, channel="whatsapp"):
        # as the portal chat and the webhooks hand it on
        turn, link = self.Conversation.sudo()._converse(
            self.customer, self.company, channel, text, invoice=invoice
        )
        return turn, link

    def test_states_both_and_negotiates_the_larger(self):
        turn, _link = self.say("how much do I owe?")
        conversation = turn.conversation_id
        self.assertEqual(conversation.currency_id, self.eur)
        self.assertEqual(conversation.dialogue_state["customer"]["currency"], "EUR")
        self.assertIn("€900.00", turn.reply)
        self.assertIn("You also owe $300.00", turn.reply)
        self.assertNotIn("1,200", turn.reply, "never a sum over currencies")
        # a promise of the EUR debt, recorded in EUR on the EUR invoice
        self.say("I will pay 900 on friday")
        self.say("yes")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.currency_id, self.eur)
        self.assertEqual(promise.amount, 900)
        self.assertEqual(promise.invoice_ids, self.inv_eur)

    def test_negotiates_the_currency_asked_about(self):
        self.say("how much do I owe?")
        turn, _link = self.say("and the dollars?")
        conversation = turn.conversation_id
        self.assertEqual(conversation.currency_id, self.usd)
        self.assertIn("About your debt in USD: $300.00", turn.reply)
        self.assertIn("You also owe €900.00", turn.reply)
        self.say("I will pay 300 on friday")
        self.say("yes")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.currency_id, promise.amount), (self.usd, 300))
        self.assertEqual(promise.invoice_ids, self.inv_usd)

    def test_chat_from_an_invoice_negotiates_its_currency(self):
        # a web visitor is told nothing before being verified
        turn, _link = self.say("and the euros?", channel="web")
        self.assertNotIn("€", turn.reply)
        self.assertNotIn("$", turn.reply)
        turn.conversation_id.action_close()
        # the invoice's page: its token holder is the customer
        turn, _link = self.say(
            "how much do I owe?", invoice=self.inv_usd, channel="web"
        )
        self.assertEqual(turn.conversation_id.currency_id, self.usd)
        self.assertIn("$300.00", turn.reply)
        self.assertIn("You also owe €900.00", turn.reply)

    def test_server_checks_agreements_in_their_currency(self):
        # 900 is the whole EUR debt: within the policy in EUR
        promise = self.Promise.sudo().create(
            {
                "partner_id": self.customer.id,
                "amount": 900,
                "promise_date": self.days(3),
                "source": "ai_agent",
                "invoice_ids": [Command.set(self.inv_eur.ids)],
            }
        )
        self.assertEqual(promise.currency_id, self.eur)
        # 900 dollars is more than the USD debt of 300
        with self.assertRaisesRegex(ValidationError, "more than the balance"):
            self.Promise.sudo().create(
                {
                    "partner_id": self.customer.id,
                    "amount": 900,
                    "promise_date": self.days(3),
                    "source": "ai_agent",
                    "invoice_ids": [Command.set(self.inv_usd.ids)],
                }
            )
