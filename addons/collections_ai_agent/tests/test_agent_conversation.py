import hashlib
import hmac
import json
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlencode

from markupsafe import Markup

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import NUMBER, AgentCommon


@tagged("post_install", "-at_install")
class TestAgentConversation(AgentCommon, HttpCase):
    """Inbound messages reach the agent; what it agrees becomes records."""

    def post_whatsapp(self, text, wamid, message=None):
        message = message or {"type": "text", "text": {"body": text}}
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA_ID",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "109876543210"},
                                "messages": [
                                    {
                                        "from": NUMBER[1:],
                                        "id": wamid,
                                        "timestamp": str(int(time.time())),
                                        **message,
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        raw = json.dumps(payload).encode()
        digest = hmac.new(self.WA_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        return self.url_open(
            "/collections/webhook/whatsapp",
            data=raw,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": f"sha256={digest}",
            },
        )

    def replies(self):
        return self.Message.search(
            [("partner_id", "=", self.customer.id), ("kind", "=", "agent_reply")],
            order="id",
        )

    def test_whatsapp_reply_leads_to_a_promise(self):
        self.assertEqual(
            self.post_whatsapp("te pago el viernes", "wamid.A1").status_code, 200
        )
        conversation = self.conversation()
        self.assertEqual(len(conversation), 1)
        self.assertEqual((conversation.channel, conversation.lang), ("whatsapp", "es"))
        turn = conversation.turn_ids
        self.assertEqual(turn.intent, "promise_to_pay")
        self.assertIn("¿Lo registro?", turn.reply)
        self.assertFalse(self.Promise.search([("partner_id", "=", self.customer.id)]))
        # a replayed webhook is one message, not two turns
        self.post_whatsapp("te pago el viernes", "wamid.A1")
        self.assertEqual(len(conversation.turn_ids), 1)
        self.post_whatsapp("sí", "wamid.A2")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.source, "ai_agent")
        self.assertEqual(promise.amount, 1000)
        self.assertEqual(promise.promise_date.weekday(), 4, "a Friday")
        self.assertLessEqual(promise.promise_date, self.today + timedelta(days=7))
        self.assertEqual(promise.invoice_ids, self.invoice)
        self.assertEqual(
            (conversation.promise_id, conversation.outcome), (promise, "promise")
        )
        self.assertTrue(conversation.resolved_by_agent)
        # each answer is an outbox row of its own, keyed by its turn
        rows = self.replies()
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            rows.mapped("idempotency_key"),
            [f"agent-{t.id}" for t in conversation.turn_ids.sorted("id")],
        )
        self.assertEqual(set(rows.mapped("state")), {"queued"})
        # the exchange is on the customer's chatter
        notes = self.customer.message_ids.mapped("body")
        self.assertTrue(any("AI agent (WhatsApp)" in body for body in notes))
        self.assertTrue(any("te pago el viernes" in body for body in notes))

    def test_a_photo_reaches_the_agent_only_with_words(self):
        photo = {"type": "image", "image": {"id": "77", "mime_type": "image/jpeg"}}
        self.assertEqual(self.post_whatsapp("", "wamid.P1", photo).status_code, 200)
        # no "I did not understand" to a photo of a receipt: a person opens it
        self.assertFalse(self.conversation())
        photo["image"]["caption"] = "te pago el viernes"
        self.assertEqual(self.post_whatsapp("", "wamid.P2", photo).status_code, 200)
        self.assertEqual(self.conversation().turn_ids.intent, "promise_to_pay")

    def test_when_the_agent_fails_a_colleague_answers(self):
        salesperson = new_test_user(
            self.env, login="agent_failure_sales", groups="base.group_user"
        )
        self.customer.user_id = salesperson
        Conversation = type(self.env["collection.conversation"])
        with patch.object(Conversation, "_converse", side_effect=RuntimeError("down")):
            response = self.post_whatsapp("cuánto debo?", "wamid.F1")
        self.assertEqual(response.status_code, 200)
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(activity.summary, "Answer the customer: the AI agent failed")
        # not the public user the webhook runs as, whom nobody reads
        self.assertEqual(activity.user_id, salesperson)

    def test_answers_go_out_once_through_the_provider(self):
        trap = self.whatsapp_in("cuánto debo?", "wamid.B1")
        self.assertEqual(len(trap.enqueued_jobs), 1)
        trap.perform_enqueued_jobs()
        row = self.replies()
        self.assertEqual(row.state, "sent")
        [request] = self.loopback.requests
        self.assertEqual(request["body"]["type"], "text", "inside the 24-hour window")
        self.assertEqual(request["body"]["text"]["body"], row.body)
        self.assertIn("1.000,00", row.body)
        # the job run again (a retry) sends nothing more
        row._job_send(self.whatsapp.id)
        self.assertEqual(len(self.loopback.requests), 1)

    def test_payment_link_follows_the_answer(self):
        trap = self.whatsapp_in("mándame el link para pagar", "wamid.L1")
        rows = self.replies()
        self.assertEqual(len(rows), 2)
        link = rows.filtered("payment_url")
        self.assertIn(self.invoice.get_portal_url(), link.payment_url)
        self.assertEqual(link.body, link.payment_url)
        self.assertEqual(self.conversation().outcome, "payment_link")
        trap.perform_enqueued_jobs()
        self.assertEqual(len(self.loopback.requests), 2)
        self.assertEqual(
            self.loopback.requests[1]["body"]["text"]["body"], link.payment_url
        )

    def test_installments_become_a_payment_plan(self):
        self.whatsapp_in("quiero pagarlo en 3 cuotas", "wamid.P1")
        self.whatsapp_in("sí", "wamid.P2")
        plan = self.env["collection.payment.plan"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(len(plan), 1)
        self.assertEqual(
            (plan.source, plan.state, plan.installment_count), ("ai_agent", "open", 3)
        )
        self.assertAlmostEqual(plan.amount_total, 1000, places=2)
        policy = self.env.ref("collections_ai_agent.agent_policy_default")
        first = plan.promise_ids.sorted("promise_date")[0]
        self.assertGreaterEqual(first.amount, 1000 * policy.min_down_payment_pct / 100)
        self.assertLessEqual(
            plan.last_date, self.today + timedelta(days=policy.max_plan_days)
        )
        self.assertEqual(self.conversation().plan_id, plan)

    def test_request_for_a_person_escalates_with_the_transcript(self):
        self.whatsapp_in("cuánto debo?", "wamid.E1")
        self.whatsapp_in("quiero hablar con una persona", "wamid.E2")
        conversation = self.conversation()
        self.assertEqual(
            (conversation.state, conversation.escalation_reason, conversation.outcome),
            ("escalated", "request_human", "escalated"),
        )
        self.assertFalse(conversation.resolved_by_agent)
        activity = self.activities_about(self.customer)
        self.assertEqual(len(activity), 1)
        self.assertIn("escalation", activity.summary.lower())
        self.assertIn("cuánto debo?", activity.note)
        self.assertIn("quiero hablar con una persona", activity.note)
        # the agent keeps the customer informed but decides nothing more
        self.whatsapp_in("pago mañana", "wamid.E3")
        self.assertFalse(self.Promise.search([("partner_id", "=", self.customer.id)]))
        self.assertEqual(len(self.activities_about(self.customer)), 1)

    def test_dispute_puts_reminders_on_hold(self):
        self.whatsapp_in("esa factura no es mía, nunca compré nada", "wamid.D1")
        self.assertEqual(self.customer.collection_hold, "dispute")
        self.assertEqual(self.conversation().escalation_reason, "dispute")

    def test_opt_out_in_words_is_recorded_and_confirmed_once(self):
        # words no opt-out keyword is, which the agent understands
        self.whatsapp_in("por favor dejen de escribirme", "wamid.O1")
        self.assertTrue(self.customer.collection_optout_whatsapp)
        self.assertFalse(self.customer.collection_consent_whatsapp)
        confirmations = self.Message.search(
            [
                ("partner_id", "=", self.customer.id),
                ("kind", "=", "optout_confirmation"),
            ]
        )
        self.assertEqual(len(confirmations), 1)
        self.assertFalse(self.replies(), "the opt-out path confirms, not the agent")
        self.assertEqual(self.conversation().state, "opted_out")
        # later messages get no answer at all
        self.whatsapp_in("hola?", "wamid.O2")
        self.assertFalse(self.replies())

    def test_answer_refused_when_the_customer_may_not_be_contacted(self):
        trap = self.whatsapp_in("cuánto debo?", "wamid.N1")
        self.customer.collection_do_not_contact = True
        trap.perform_enqueued_jobs()
        row = self.replies()
        self.assertEqual(row.state, "refused")
        self.assertFalse(self.loopback.requests)

    def test_nothing_due_means_no_conversation(self):
        self.pay(self.invoice, 1000)
        self.env["collection.debtor"]._refresh(full=True)
        self.whatsapp_in("cuánto debo?", "wamid.Z1")
        self.assertFalse(self.conversation())
        self.assertFalse(self.replies())

    def test_voice_speech_runs_the_same_dialogue(self):
        call = self.make_row(
            "voice", state="sent", provider_ref="CA" + "0" * 31 + "7", body="Debe 1000."
        )
        gather = f"/collections/voice/{call.id}/gather?token={call._voice_token()}"

        def say(words):
            params = {
                "AccountSid": self.twilio.twilio_account_sid,
                "CallSid": call.provider_ref,
                "SpeechResult": words,
            }
            url = f"{self.base_url()}{gather}"
            signed = url + "".join(f"{k}{params[k]}" for k in sorted(params))
            signature = (
                __import__("base64")
                .b64encode(
                    hmac.new(
                        self.TWILIO_TOKEN.encode(), signed.encode(), hashlib.sha1
                    ).digest()
                )
                .decode()
            )
            return self.url_open(
                gather,
                data=urlencode(params),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            ).text

        # a caller is asked who they are before anything about the account
        first = say("puedo pagar el viernes")
        self.assertIn("<Gather", first, "the call listens for the next sentence")
        conversation = self.conversation()
        self.assertEqual(conversation.channel, "voice")
        self.assertFalse(conversation.dialogue_state["verified"])
        self.assertNotIn("1.000", first)
        say("los últimos cuatro son 6789")
        self.assertTrue(conversation.dialogue_state["verified"])
        say("puedo pagar el viernes")
        answer = say("sí")
        promise = self.Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(promise), 1)
        self.assertIn("<Say", answer)
        self.assertEqual(len(conversation.turn_ids), 4)

    def test_portal_chat_on_the_invoice_page(self):
        self.invoice._portal_ensure_token()
        url = f"/collections/agent/chat/{self.invoice.id}"

        def chat(message, token=None):
            response = self.url_open(
                url,
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "message": message,
                            "access_token": token or self.invoice.access_token,
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
            return response.json()["result"]

        self.assertIn("error", chat("cuánto debo?", token="forged"))
        self.assertFalse(self.conversation())
        answer = chat("cuánto debo?")
        self.assertIn("1.000,00", answer["reply"], "the token holder is the customer")
        answer = chat("mándame el link")
        self.assertIn(self.invoice.get_portal_url().split("?")[0], answer["link"])
        conversation = self.conversation()
        self.assertEqual((conversation.channel, len(conversation.turn_ids)), ("web", 2))
        self.assertFalse(self.replies(), "the page shows the answer; nothing is sent")
        self.assertTrue(
            any("web chat" in body for body in self.customer.message_ids.mapped("body"))
        )
        # the agent speaks for the company, never as the public user
        notes = self.customer.message_ids.filtered(lambda m: "AI agent" in m.body)
        self.assertTrue(notes)
        self.assertEqual(notes.author_id, self.invoice.company_id.partner_id)
        self.assertNotIn(self.env.ref("base.public_partner"), notes.author_id)

    def test_a_quiet_conversation_is_over(self):
        self.whatsapp_in("cuánto debo?", "wamid.Q1")
        first = self.conversation()
        first.last_turn_at = fields.Datetime.now() - timedelta(days=31)
        self.whatsapp_in("cuánto debo?", "wamid.Q2")
        self.assertEqual(len(self.conversation()), 2)

    def test_managers_can_chat_as_a_customer(self):
        answer = self.Conversation.chat_as_customer(self.customer.id, "cuánto debo?")
        self.assertIn("1.000,00", answer["reply"])
        self.assertEqual(answer["state"], "active")
        collector = self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "collector-chat",
                "groups_id": [
                    (
                        6,
                        0,
                        self.env.ref(
                            "collections_automation.group_collection_user"
                        ).ids,
                    )
                ],
            }
        )
        with self.assertRaises(AccessError):
            self.Conversation.with_user(collector).chat_as_customer(
                self.customer.id, "hola"
            )

    def test_an_email_reply_reaches_the_agent(self):
        with trap_jobs() as trap:
            self.customer.message_post(
                body=Markup(
                    "<p>Hola, ¿cuánto debo?</p>"
                    "<blockquote>El lunes, Cobranzas escribió: pague ya</blockquote>"
                ),
                message_type="email",
                author_id=self.customer.id,
            )
        conversation = self.conversation()
        self.assertEqual(conversation.channel, "email")
        self.assertEqual(conversation.turn_ids.customer_text, "Hola, ¿cuánto debo?")
        row = self.replies()
        self.assertEqual((row.channel, row.state), ("email", "queued"))
        self.assertIn("1.000,00", row.body)
        self.assertEqual(trap.enqueued_jobs[0].channel, "root.collections.odoo")
        trap.perform_enqueued_jobs()
        self.assertEqual(row.state, "sent")
        # the agent's own email is not read as a reply
        self.assertEqual(len(conversation.turn_ids), 1)

    def test_a_change_of_mind_after_yes_replaces_the_promise(self):
        """Never two open agreements for one debt: the customer agrees to a
        day, then prefers another; the first promise is cancelled."""
        self.whatsapp_in("puedo pagar todo el viernes", "wamid.CM1")
        self.whatsapp_in("sí", "wamid.CM2")
        Promise = self.Promise.sudo()
        first = Promise.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(first), 1, self.conversation().turn_ids.mapped("reply"))
        self.whatsapp_in("perdón, mejor el lunes", "wamid.CM3")
        self.whatsapp_in("sí", "wamid.CM4")
        promises = Promise.search([("partner_id", "=", self.customer.id)])
        replies = self.conversation().turn_ids.mapped("reply")
        self.assertEqual(
            len(promises.filtered(lambda p: p.state == "open")), 1, replies
        )
        self.assertEqual(first.state, "cancelled", replies)
        self.assertEqual(
            promises.filtered(lambda p: p.state == "open").promise_date.weekday(), 0
        )
