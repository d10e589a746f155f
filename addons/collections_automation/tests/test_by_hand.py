"""By hand, where accountants work: send a reminder, record a promise, put on
hold, from the customer and the invoice; smart buttons; invoices grouped by
bucket. Logged in over HTTP as a billing user who is also a collector,
calling JSON-RPC as the web client does."""

import json

import pytz

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CollectionsCommon
from .common_rpc import ACCESS_ERROR, WebClientMixin

USER_ERROR = "odoo.exceptions.UserError"
#: Places around the world: at any time some are inside contact hours and
#: some are at night.
PLACES = [
    ("base.jp", "Asia/Tokyo"),
    ("base.in", "Asia/Kolkata"),
    ("base.ae", "Asia/Dubai"),
    ("base.za", "Africa/Johannesburg"),
    ("base.uk", "Europe/London"),
    ("base.br", "America/Sao_Paulo"),
    ("base.mx", "America/Mexico_City"),
    ("base.ca", "America/Vancouver"),
    ("base.nz", "Pacific/Auckland"),
    ("base.au", "Australia/Sydney"),
    ("base.cn", "Asia/Shanghai"),
    ("base.ar", "America/Argentina/Buenos_Aires"),
]


class ByHandCommon(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.user = new_test_user(
            cls.env,
            "abel_accountant",
            "account.group_account_invoice,base.group_partner_manager,"
            "collections_automation.group_collection_user",
            password="abel_accountant-pass-1",
            company_id=cls.env.company.id,
        )
        cls.billing = new_test_user(
            cls.env,
            "bill_billing",
            "account.group_account_invoice,base.group_partner_manager",
            password="bill_billing-pass-1",
            company_id=cls.env.company.id,
        )
        cls.day_place, cls.night_place = cls._places()

    @classmethod
    def _places(cls):
        """A place where email is allowed now, and one where it is deferred
        by the hour (the customer's night)."""
        gate = cls.env["collection.contact.gate"]
        probe = cls.env["res.partner"].create(
            {"name": "Probe", "email": "probe@example.com"}
        )
        now = fields.Datetime.now()
        day = night = None
        for country, tz in PLACES:
            probe.write({"country_id": cls.env.ref(country).id, "tz": tz})
            verdict = gate._decide(probe, "email", "by_hand", now, cls.env.company)
            local = pytz.utc.localize(now).astimezone(pytz.timezone(tz))
            if verdict.allowed and not day:
                day = (country, tz)
            elif (
                verdict.state == "deferred"
                and not night
                and (local.hour < 6 or local.hour >= 22)
            ):
                night = (country, tz)
        probe.unlink()
        assert day and night, "no place inside or outside contact hours now"
        return day, night

    @classmethod
    def customer(cls, name, place=None, email=True, **values):
        country, tz = place or cls.day_place
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{name.lower().replace(' ', '.')}@example.com"
                if email
                else False,
                "country_id": cls.env.ref(country).id,
                "tz": tz,
                "lang": "en_US",
                **values,
            }
        )

    @classmethod
    def assign_case(cls, partners, user):
        """With the contact center, a collector works the customers of their
        cases: give ``user`` these ones."""
        if "collection.case" in cls.env:
            cases = cls.env["collection.case"].create(
                [{"partner_id": partner.id} for partner in partners]
            )
            cases.write({"user_id": user.id})  # after routing

    def button(self, model, method, ids, context=None):
        """A button of type object, as the web client calls it."""
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": {"context": context or {}},
            },
        )

    def wizard(self, model, active_model, active_ids, values=None, fields_=()):
        """Open a wizard from records (its defaults come from the selection),
        save it, and read it back, as the web client does."""
        context = {"active_model": active_model, "active_ids": active_ids}
        if len(active_ids) == 1:
            context["active_id"] = active_ids[0]
        wizard_id = self.rpc(model, "create", [values or {}], context=context)[0]
        data = self.rpc(model, "read", [wizard_id], list(fields_)) if fields_ else []
        return wizard_id, (data[0] if data else {})

    def rpc_error(self, model, method, *args, error=USER_ERROR, **kwargs):
        """Call and expect an error; return the message the person reads."""
        return self.request_error(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            error=error,
        )

    def request_error(self, route, params, error=USER_ERROR):
        """A JSON-RPC request to ``route`` answered with ``error``, as an
        error for people, not a 500; return the message the person reads."""
        payload = {"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
        with mute_logger("odoo.http"):
            response = self.url_open(
                route,
                json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200, "an error for people, not a 500")
        data = response.json()["error"]["data"]
        self.assertEqual(data["name"], error)
        return data["message"]


@tagged("post_install", "-at_install")
class TestByHand(ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ana = cls.customer("Ana Torres")
        cls.invoice = cls.make_invoice(cls.ana, 1000, due_in=-20)
        cls.invoice2 = cls.make_invoice(cls.ana, 500, due_in=-5)
        cls.env["collection.debtor"]._refresh(partner_ids=cls.ana.ids)
        cls.assign_case(cls.ana, cls.user)

    REVIEW = ["verdict_state", "verdict_reason", "verdict_until", "template_id"]

    def test_send_reminder_from_customer(self):
        """Allowed: one outbox row, kind "Reminder sent by hand", queued for
        sending at once; a double click in the same minute sends once."""
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder", "res.partner", self.ana.ids, {}, self.REVIEW
        )
        self.assertEqual(data["verdict_state"], "allowed")
        self.assertTrue(data["template_id"], "a template of the channel by default")
        result = self.button("collection.send.reminder", "action_send", [wizard_id])
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("Ana Torres", result["params"]["message"])
        rows = self.Message.search([("partner_id", "=", self.ana.id)])
        self.assertEqual(len(rows), 1)
        self.assertRecordValues(
            rows,
            [
                {
                    "kind": "manual_reminder",
                    "channel": "email",
                    "state": "queued",
                    "template_id": data["template_id"][0],
                    "company_id": self.env.company.id,
                }
            ],
        )
        self.assertEqual(set(rows.invoice_ids.ids), {self.invoice.id, self.invoice2.id})
        gate = self.env["collection.contact.gate"]
        self.assertEqual(gate._purpose_of(rows), "by_hand")
        self.assertEqual(
            rows._fields["kind"].convert_to_export(rows.kind, rows),
            "Reminder sent by hand",
        )
        self.assertTrue(
            self.env["queue.job"]
            .sudo()
            .search_count(
                [("method_name", "=", "_job_send"), ("state", "=", "pending")]
            ),
            "sent through the outbox's send job",
        )
        # the double click: a second wizard in the same minute sends nothing
        wizard_id, _data = self.wizard(
            "collection.send.reminder", "res.partner", self.ana.ids
        )
        result = self.button("collection.send.reminder", "action_send", [wizard_id])
        self.assertEqual(result["params"]["type"], "warning")
        self.assertEqual(
            self.Message.search_count([("partner_id", "=", self.ana.id)]), 1
        )

    def test_send_reminder_from_invoice_uses_the_journey_template(self):
        """From the invoice: the row is about that invoice, and the template
        is the one of the customer's journey's current step."""
        step = self.env.ref("collections_automation.step_standard_final")
        self.Message.create(
            {
                "partner_id": self.ana.id,
                "company_id": self.env.company.id,
                "kind": "journey",
                "journey_id": step.journey_id.id,
                "step_id": step.id,
                "channel": "sms",
                "state": "refused",
                "idempotency_key": "by-hand-journey-row",
                "scheduled_at": fields.Datetime.now(),
            }
        )
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder",
            "account.move",
            self.invoice.ids,
            {},
            self.REVIEW,
        )
        final_email = self.env.ref("collections_automation.template_final_email")
        self.assertEqual(data["template_id"][0], final_email.id)
        self.button("collection.send.reminder", "action_send", [wizard_id])
        row = self.Message.search(
            [("partner_id", "=", self.ana.id), ("kind", "=", "manual_reminder")]
        )
        self.assertEqual(row.invoice_ids, self.invoice)
        self.assertEqual(row.template_id, final_email)

    def test_no_email_refused_with_reason(self):
        nobody = self.customer("Nemo Sinmail", email=False)
        self.assign_case(nobody, self.user)
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder", "res.partner", nobody.ids, {}, self.REVIEW
        )
        self.assertEqual(data["verdict_state"], "refused")
        self.assertEqual(data["verdict_reason"], "No email address.")
        message = self.rpc_error("collection.send.reminder", "action_send", [wizard_id])
        self.assertIn("Not sent: No email address.", message)
        self.assertFalse(self.Message.search([("partner_id", "=", nobody.id)]))

    def test_night_deferred_with_until(self):
        owl = self.customer("Nora Night", place=self.night_place)
        self.assign_case(owl, self.user)
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.send.reminder", "res.partner", owl.ids, {}, self.REVIEW
        )
        self.assertEqual(data["verdict_state"], "deferred")
        self.assertTrue(data["verdict_reason"])
        until = fields.Datetime.to_datetime(data["verdict_until"])
        self.assertGreater(until, fields.Datetime.now())
        message = self.rpc_error("collection.send.reminder", "action_send", [wizard_id])
        self.assertIn("The contact policy allows it from", message)
        self.assertIn(self.night_place[1], message)
        self.assertFalse(self.Message.search([("partner_id", "=", owl.id)]))

    def test_only_collectors_send(self):
        self.login(self.billing)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.wizard("collection.send.reminder", "res.partner", self.ana.ids)
        self.assertEqual(str(caught.exception), ACCESS_ERROR)

    def test_record_promise_from_invoice(self):
        self.login(self.user)
        wizard_id, data = self.wizard(
            "collection.record.promise",
            "account.move",
            self.invoice.ids,
            {"promise_date": str(self.days(5))},
            ["partner_id", "amount", "invoice_ids"],
        )
        self.assertEqual(data["partner_id"][0], self.ana.id)
        self.assertEqual(data["amount"], 1000)
        self.assertEqual(data["invoice_ids"], self.invoice.ids)
        # the negotiation policy wants the whole overdue balance promised
        self.rpc("collection.record.promise", "write", [wizard_id], {"amount": 1500})
        result = self.button("collection.record.promise", "action_record", [wizard_id])
        self.assertEqual(result["params"]["type"], "success")
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.assertRecordValues(
            promise,
            [
                {
                    "amount": 1500,
                    "promise_date": self.days(5),
                    "state": "open",
                    "source": "collector",
                    "user_id": self.user.id,
                }
            ],
        )
        self.assertEqual(promise.invoice_ids, self.invoice)

    def test_record_promise_outside_policy_says_why(self):
        if "collection.agent.policy" not in self.env:
            self.skipTest("the negotiation policy comes with collections_ai_agent")
        self.login(self.user)
        wizard_id, _data = self.wizard(
            "collection.record.promise",
            "res.partner",
            self.ana.ids,
            {"promise_date": str(self.days(300)), "amount": 1},
        )
        message = self.rpc_error(
            "collection.record.promise", "action_record", [wizard_id]
        )
        self.assertTrue(
            message.startswith("The promise was not recorded. Outside the negotiation")
        )
        self.assertFalse(
            self.env["collection.promise"].search([("partner_id", "=", self.ana.id)])
        )
        wizard_id, _data = self.wizard(
            "collection.record.promise", "res.partner", self.ana.ids, {"amount": 0}
        )
        message = self.rpc_error(
            "collection.record.promise", "action_record", [wizard_id]
        )
        self.assertIn("above zero", message)

    def test_put_on_hold_and_lift(self):
        """A billing user (no collector) puts the customer and an invoice on
        hold with a reason, and lifts it."""
        self.login(self.billing)
        wizard_id, _data = self.wizard(
            "collection.put.on.hold",
            "res.partner",
            self.ana.ids,
            {"hold": "dispute", "reason": "Goods returned"},
        )
        self.button("collection.put.on.hold", "action_hold", [wizard_id])
        self.assertEqual(self.ana.collection_hold, "dispute")
        self.assertTrue(
            self.ana.message_ids.filtered(lambda m: "Goods returned" in str(m.body))
        )
        wizard_id, _data = self.wizard(
            "collection.put.on.hold",
            "account.move",
            self.invoice.ids,
            {"hold": "legal", "reason": "Sent to the lawyer"},
        )
        self.button("collection.put.on.hold", "action_hold", [wizard_id])
        self.assertEqual(self.invoice.collection_hold, "legal")
        self.button("res.partner", "action_collection_lift_hold", self.ana.ids)
        self.button("account.move", "action_collection_lift_hold", self.invoice.ids)
        self.assertFalse(self.ana.collection_hold)
        self.assertFalse(self.invoice.collection_hold)
        # on hold, the gate refuses a reminder by hand, and says so
        self.ana.collection_hold = "dispute"
        self.login(self.user)
        _id, data = self.wizard(
            "collection.send.reminder", "res.partner", self.ana.ids, {}, self.REVIEW
        )
        self.assertEqual(data["verdict_state"], "refused")

    def test_smart_buttons(self):
        self.env["collection.promise"].create(
            {
                "partner_id": self.ana.id,
                "amount": 1500,
                "promise_date": self.days(3),
                "invoice_ids": [fields.Command.set(self.invoice.ids)],
            }
        )
        self.Message.create(
            {
                "partner_id": self.ana.id,
                "company_id": self.env.company.id,
                "kind": "journey",
                "channel": "email",
                "state": "sent",
                "idempotency_key": "by-hand-smart",
            }
        )
        self.login(self.user)
        [data] = self.rpc(
            "res.partner",
            "read",
            self.ana.ids,
            [
                "collection_total_overdue",
                "collection_open_promise_count",
                "collection_message_count",
            ],
        )
        self.assertEqual(data["collection_total_overdue"], 1500)
        self.assertEqual(data["collection_open_promise_count"], 1)
        self.assertEqual(data["collection_message_count"], 1)
        action = self.button(
            "res.partner", "action_collection_open_invoices", self.ana.ids
        )
        self.assertEqual(action["res_model"], "collection.invoice")
        rows = self.rpc(
            "collection.invoice", "search_read", action["domain"], ["move_id"]
        )
        self.assertEqual(
            {row["move_id"][0] for row in rows}, {self.invoice.id, self.invoice2.id}
        )
        action = self.button("res.partner", "action_collection_promises", self.ana.ids)
        self.assertEqual(
            self.rpc("collection.promise", "search_count", action["domain"]), 1
        )
        action = self.button("res.partner", "action_collection_messages", self.ana.ids)
        self.assertEqual(
            self.rpc("collection.message", "search_count", action["domain"]), 1
        )
        # the AI agent's and the contact center's own buttons
        if "collection.conversation" in self.env:
            self.env["collection.conversation"].create(
                {"partner_id": self.ana.id, "company_id": self.env.company.id}
            )
            [data] = self.rpc(
                "res.partner", "read", self.ana.ids, ["collection_conversation_count"]
            )
            self.assertEqual(data["collection_conversation_count"], 1)
            action = self.button(
                "res.partner", "action_collection_conversations", self.ana.ids
            )
            self.assertEqual(
                self.rpc("collection.conversation", "search_count", action["domain"]),
                1,
            )
        if "collection.case" in self.env:
            [data] = self.rpc(
                "res.partner", "read", self.ana.ids, ["collection_open_case_id"]
            )
            self.assertTrue(data["collection_open_case_id"])
            action = self.button(
                "res.partner", "action_collection_open_case", self.ana.ids
            )
            self.assertEqual(action["res_id"], data["collection_open_case_id"][0])
        # the billing user sees the figures, not the outbox
        self.login(self.billing)
        [data] = self.rpc(
            "res.partner",
            "read",
            self.ana.ids,
            ["collection_total_overdue", "collection_open_promise_count"],
        )
        self.assertEqual(data["collection_open_promise_count"], 1)

    def test_send_statement_from_customer(self):
        if "collection.case" not in self.env:
            self.skipTest("statements come with collections_contact_center")
        self.login(self.user)
        result = self.button(
            "res.partner", "action_collection_send_statement", self.ana.ids
        )
        self.assertEqual(result["params"]["type"], "success")
        message = self.ana.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertTrue(message.attachment_ids[0].name.lower().startswith("statement"))
        # no case: said in words
        other = self.customer("Otto Nocase")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.button("res.partner", "action_collection_send_statement", other.ids)
        self.assertEqual(str(caught.exception), USER_ERROR)

    def test_invoices_grouped_and_filtered_by_bucket(self):
        other = self.customer("Olga Later")
        current = self.make_invoice(other, 300, due_in=10)
        self.env["collection.debtor"]._refresh(partner_ids=other.ids)
        self.login(self.billing)
        fields_info = self.rpc(
            "account.move", "fields_get", ["collection_bucket_id"], ["groupable"]
        )
        self.assertTrue(fields_info["collection_bucket_id"]["groupable"])
        ids = [self.invoice.id, self.invoice2.id, current.id]
        result = self.rpc(
            "account.move",
            "web_read_group",
            [("id", "in", ids)],
            ["amount_total_signed:sum"],
            ["collection_bucket_id"],
        )
        groups = {
            (group["collection_bucket_id"] or [False])[0]: group[
                "collection_bucket_id_count"
            ]
            for group in result["groups"]
        }
        expected = {}
        for move in (self.invoice, self.invoice2, current):
            bucket = move.collection_bucket_id
            expected[bucket.id] = expected.get(bucket.id, 0) + 1
        self.assertEqual(groups, expected)
        self.assertGreaterEqual(len(groups), 2)
        bucket = self.invoice.collection_bucket_id
        found = self.rpc(
            "account.move",
            "search",
            [("id", "in", ids), ("collection_bucket_id", "=", bucket.id)],
        )
        self.assertIn(self.invoice.id, found)
        self.assertNotIn(current.id, found)
