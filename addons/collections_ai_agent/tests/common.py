"""What the agent's Odoo tests share: a customer with an overdue invoice,
the providers of collections_automation's tests, and a local server that
speaks the chat-completions protocol."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.addons.collections_automation.tests.common_providers import ProvidersCommon
from odoo.addons.queue_job.tests.common import trap_jobs

NUMBER = "+525512345678"


class ChatCompletionsServer:
    """POST /v1/chat/completions answered with the next scripted content;
    ``fail_status`` answers an HTTP error, ``delay`` answers late."""

    def __init__(self):
        self.requests = []
        self.contents = []
        self.fail_status = None
        self.delay = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner._answer(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler, raw):
        self.requests.append(
            {
                "path": handler.path,
                "headers": dict(handler.headers),
                "body": json.loads(raw or b"{}"),
            }
        )
        if self.delay:
            time.sleep(self.delay)
        if self.fail_status:
            status, payload = self.fail_status, {"error": {"message": "down"}}
        else:
            content = self.contents.pop(0) if self.contents else "{}"
            status, payload = (
                200,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": "test-model",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
                },
            )
        data = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            return  # the client gave up waiting (the slow-model test)


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
