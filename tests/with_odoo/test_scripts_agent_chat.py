"""``scripts/agent_chat.py`` online: its ``main`` runs in this process and
chats over JSON-RPC (odoorpc) with the test server, whose requests share the
test's transaction."""

import json

from odoo import Command, fields
from odoo.tests import tagged

from .common_scripts import (
    ScriptsCase,
    run_script,
)


@tagged("post_install", "-at_install")
class TestAgentChatScript(ScriptsCase):
    """A customer owing 1,000 on an invoice 20 days overdue, in the admin's
    company (as ``common.AgentCommon``, without its second company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Remedios Quintana Vidal",
                "email": "remedios@example.es",
                "mobile": "+34 612 000 111",
                "country_id": cls.env.ref("base.es").id,
                "lang": "es_ES",
                "collection_consent_whatsapp": True,
            }
        )
        today = fields.Date.context_today(cls.customer)
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": fields.Date.add(today, days=-50),
                "invoice_date_due": fields.Date.add(today, days=-20),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": 1000,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        cls.env["collection.debtor"]._refresh(partner_ids=cls.customer.ids)

    def chat(self, customer, lines, login="admin", password=None):
        result = run_script(
            "agent_chat",
            [*self.connection(login, password), "--customer", customer],
            stdin_lines=lines,
        )
        self.env.invalidate_all()
        return result

    def test_chat_as_the_customer_hears_the_balance(self):
        code, out, err = self.chat("Remedios Quintana", ["cuánto debo?"])
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "you> cuánto debo?")
        self.assertTrue(lines[1].startswith("agent> "), out)
        self.assertIn("1.000,00", lines[1])
        outcome = json.loads(lines[-1])
        conversation = self.env["collection.conversation"].browse(
            outcome["conversation_id"]
        )
        self.assertEqual(conversation.partner_id, self.customer)
        self.assertEqual(outcome["customer_id"], self.customer.id)
        self.assertEqual(outcome["state"], conversation.state)
        self.assertEqual(len(conversation.turn_ids), 1)

    def test_a_promise_agreed_in_the_chat_is_recorded(self):
        code, out, err = self.chat(str(self.customer.id), ["te pago el viernes", "sí"])
        self.assertEqual(code, 0, err)
        self.assertIn('"type": "record_promise"', out)
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.amount, 1000)
        self.assertEqual(promise.source, "ai_agent")

    def test_ambiguous_customer_is_listed_and_exits_2(self):
        twin = self.customer.copy({"name": "Remedios Quintana Soler"})
        code, out, err = self.chat("Remedios Quintana", ["hola"])
        self.assertEqual(code, 2)
        self.assertTrue(
            err.startswith("error: 2 customers match 'Remedios Quintana'"), err
        )
        self.assertIn(f"{self.customer.id:>7}  Remedios Quintana Vidal", err)
        self.assertIn(f"{twin.id:>7}  Remedios Quintana Soler", err)
        self.assertNotIn("agent>", out)
        self.assertFalse(
            self.env["collection.conversation"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )

    def test_collectors_are_told_why_they_cannot_chat(self):
        self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "collector-script",
                "password": "collector-pw-123",
                "groups_id": [
                    Command.set(
                        self.env.ref("collections_automation.group_collection_user").ids
                    )
                ],
            }
        )
        code, out, err = self.chat(
            str(self.customer.id),
            ["hola"],
            login="collector-script",
            password="collector-pw-123",
        )
        self.assertEqual(code, 2)
        self.assertEqual(
            err, "error: Only collection managers may chat as a customer.\n"
        )
        self.assertNotIn("Traceback", out + err)
