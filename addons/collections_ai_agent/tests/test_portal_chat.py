"""The chat box on the invoice's portal page, as the customer's browser
gets it: in the customer's language whatever the browser's, one message box
(the chatter keeps the history but loses its composer), and the exchanges of
the conversation back when the page is opened again."""

import json

from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AgentCommon

JSON = {"Content-Type": "application/json"}


@tagged("post_install", "-at_install")
class TestPortalChat(AgentCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice._portal_ensure_token()

    def setUp(self):
        super().setUp()
        self.env.cr.execute("DELETE FROM collection_agent_usage")

    def page(self, invoice=None, lang="en-US,en;q=0.9"):
        """The invoice's page as a browser speaking ``lang`` opens the link
        of the invoice email (its access token)."""
        invoice = invoice or self.invoice
        response = self.url_open(
            f"/my/invoices/{invoice.id}?access_token={invoice.access_token}",
            headers={"Accept-Language": lang},
        )
        self.assertEqual(response.status_code, 200)
        return html.fromstring(response.content)

    def chat(self, message):
        response = self.url_open(
            f"/collections/agent/chat/{self.invoice.id}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "message": message,
                        "access_token": self.invoice.access_token,
                    },
                }
            ).encode(),
            headers=JSON,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["result"]

    def box(self, page):
        boxes = page.xpath("//div[@id='collections_agent_chat']")
        self.assertEqual(len(boxes), 1)
        return boxes[0]

    @staticmethod
    def text(node):
        return " ".join(node.text_content().split())

    def test_the_box_speaks_the_customers_language_not_the_browsers(self):
        box = self.box(self.page(lang="en-US,en;q=0.9"))
        words = self.text(box)
        self.assertIn("¿Preguntas sobre su pago?", words)
        self.assertIn("Enviar", words)
        self.assertNotIn("Questions about your payment?", words)
        self.assertEqual(
            box.xpath(".//input[@name='message']/@placeholder"),
            ["Escriba su mensaje..."],
        )
        self.assertEqual(box.get("lang"), "es-ES")

    def test_an_english_customer_reads_english(self):
        self.customer.lang = "en_US"
        words = self.text(self.box(self.page(lang="es-ES,es;q=0.9")))
        self.assertIn("Questions about your payment?", words)
        self.assertIn("Send", words)

    def test_one_message_box_the_chatter_keeps_its_history_only(self):
        page = self.page()
        self.assertEqual(
            len(page.xpath("//form[contains(@class, 'o_collections_agent_form')]")), 1
        )
        chatter = page.xpath("//div[@id='discussion']")
        self.assertEqual(len(chatter), 1)
        self.assertEqual(chatter[0].get("data-allow_composer"), "0")

    def test_a_paid_invoice_has_no_chat_and_its_chatter_composer_back(self):
        self.pay(self.invoice, self.invoice.amount_residual)
        page = self.page()
        self.assertFalse(page.xpath("//div[@id='collections_agent_chat']"))
        self.assertEqual(
            page.xpath("//div[@id='discussion']/@data-allow_composer"), ["1"]
        )

    def test_the_conversation_is_back_when_the_page_opens_again(self):
        self.assertFalse(
            self.box(self.page()).xpath(
                ".//*[contains(@class, 'o_collections_agent_turn')]"
            )
        )
        first = self.chat("hola, ¿cuánto debo?")
        second = self.chat("mándame el link para pagar")
        self.assertTrue(first["reply"] and second["reply"])
        self.assertTrue(second["link"])
        box = self.box(self.page())
        words = self.text(box)
        for said in (
            "hola, ¿cuánto debo?",
            first["reply"],
            "mándame el link para pagar",
            second["reply"],
        ):
            self.assertIn(" ".join(said.split()), words)
        # oldest first, as they were written
        self.assertLess(
            words.index("hola, ¿cuánto debo?"), words.index("mándame el link")
        )
        links = box.xpath(".//a[contains(@class, 'o_collections_agent_link')]/@href")
        self.assertEqual(links, [second["link"]])

    def test_a_logged_in_customer_sees_the_same_conversation(self):
        user = new_test_user(
            self.env,
            "lucia_portal",
            "base.group_portal",
            password="lucia_portal-pass-1",
            partner_id=self.customer.id,
        )
        said = self.chat("hola, ¿cuánto debo?")
        self.authenticate(user.login, "lucia_portal-pass-1")
        response = self.url_open(f"/my/invoices/{self.invoice.id}")
        self.assertEqual(response.status_code, 200)
        words = self.text(self.box(html.fromstring(response.content)))
        self.assertIn("¿Preguntas sobre su pago?", words)
        self.assertIn(" ".join(said["reply"].split()), words)
