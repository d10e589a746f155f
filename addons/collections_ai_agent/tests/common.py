"""What the agent's Odoo tests share: a customer with an overdue invoice and
the providers of collections_automation's tests (whose loopback servers,
chat-completions included, live in ``collections_automation/loopback``)."""

from odoo.addons.collections_automation.tests.common_providers import ProvidersCommon
from odoo.addons.queue_job.tests.common import trap_jobs

NUMBER = "+525512345678"


class AgentCommon(ProvidersCommon):
    """The customer owes 1,000 on an invoice 20 days overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write({"vat": "ABC123456789", "lang": "es_ES"})
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.invoice = cls.make_invoice(cls.customer, 1000, due_in=-20)
        cls.env["collection.debtor"]._refresh(full=True)
        cls.Conversation = cls.env["collection.conversation"]
        cls.Event = cls.env["collection.webhook.event"]
        cls.Promise = cls.env["collection.promise"]

    def whatsapp_in(self, text, wamid):
        """A WhatsApp message from the customer, as the webhook hands it on;
        returns the queue jobs it enqueued."""
        with trap_jobs() as trap:
            self.Event._ingest(
                self.whatsapp,
                [
                    {
                        "kind": "message",
                        "event_key": wamid,
                        "from": NUMBER,
                        "text": text,
                    }
                ],
                "whatsapp",
            )
        return trap

    def conversation(self):
        return self.Conversation.search([("partner_id", "=", self.customer.id)])
