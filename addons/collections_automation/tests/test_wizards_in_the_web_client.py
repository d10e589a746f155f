"""Every wizard opened as the web client opens it, by the role that uses it.

The web client does not ``create`` a wizard first: it asks ``onchange`` for
the values of a form not saved yet (its x2many fields hold new records
standing for the selected ones), shows them, then saves the form with
``web_save`` and presses the button with ``/web/dataset/call_button``, all
with the context of the action or button that opened it (``active_model``,
``active_ids``, ``active_id``). Tests that only ``create`` miss what breaks
on the unsaved form."""

from odoo.tests import tagged

from .test_by_hand import ByHandCommon


def specification(fields):
    """The fields spec the web client sends for a form's fields (from
    ``get_views``): many2one and x2many read with their display name."""
    return {
        name: {"fields": {"display_name": {}}}
        if field["type"] in ("many2one", "one2many", "many2many")
        else {}
        for name, field in fields.items()
    }


def from_form(active_model, records, **context):
    """The context of an action button on a record's form, or of an action
    of the Action menu on a list selection."""
    return {
        "active_model": active_model,
        "active_ids": records.ids,
        "active_id": records.ids[0],
        **context,
    }


class WizardProbe:
    """For a ``WebClientMixin`` ``HttpCase`` with ``button``: open a wizard,
    save it and press its button as the web client does."""

    def form_fields(self, model):
        """The fields of the wizard's form view, as the logged-in user gets
        them."""
        views = self.rpc(model, "get_views", views=[[False, "form"]])
        return views["models"][model]["fields"]

    def open_wizard(self, model, context):
        """The values the person reads when the wizard opens (no error)."""
        fields = self.form_fields(model)
        result = self.rpc(
            model, "onchange", [], {}, [], specification(fields), context=context
        )
        self.assertNotIn("warning", result)
        return result["value"]

    def change(self, model, value, name, new, context):
        """The person changes one field: the web client's onchange with the
        form's values (read-only ones too); returns the form's values after
        it."""
        fields = self.form_fields(model)
        values = {**self.writable(fields, value, with_readonly=True), name: new}
        result = self.rpc(
            model,
            "onchange",
            [],
            values,
            [name],
            specification(fields),
            context=context,
        )
        self.assertNotIn("warning", result)
        changed = {name: new, **result["value"]}
        for key in changed:
            if fields[key]["type"] in ("one2many", "many2many"):
                # the form's lines: the person's change, then the server's
                lines = value[key]
                if key == name:
                    lines = [[4, id_] for id_ in apply(lines, new)]
                ids = apply(lines, result["value"].get(key, []))
                changed[key] = [[4, id_] for id_ in ids]
        return {**value, **changed}

    @staticmethod
    def writable(fields, value, readonly=(), with_readonly=False):
        """What the web client saves: the form's values but those of
        read-only fields, relations as ids or link commands."""
        values = {}
        for name, item in value.items():
            field = fields[name]
            if not with_readonly and (field.get("readonly") or name in readonly):
                continue
            if field["type"] == "many2one" and isinstance(item, dict):
                item = item["id"]
            elif field["type"] in ("one2many", "many2many"):
                item = [[4, id_] for id_ in linked(item)]
            values[name] = item
        return values

    def save(self, model, value, context, readonly=(), **changes):
        """Save the form (with ``changes`` typed in): the wizard's id."""
        fields = self.form_fields(model)
        values = {**self.writable(fields, value, readonly), **changes}
        [saved] = self.rpc(model, "web_save", [], values, {}, context=context)
        return saved["id"]

    def press(self, model, value, method, context, readonly=(), **changes):
        """Save the form (with ``changes`` typed in) and press its button."""
        saved = self.save(model, value, context, readonly, **changes)
        return self.button(model, method, [saved], context=context)

    def press_refused(self, model, value, method, context, readonly=(), **changes):
        """``press``, refused with a ``UserError``: the message the person
        reads."""
        saved = self.save(model, value, context, readonly, **changes)
        return self.request_error(
            "/web/dataset/call_button",
            {
                "model": model,
                "method": method,
                "args": [[saved]],
                "kwargs": {"context": context},
            },
        )


def apply(lines, commands):
    """The ids of an x2many's lines (link commands) after ``commands``."""
    ids = [command[1] for command in lines if command[0] == 4]
    for command in commands:
        if command[0] == 4 and command[1] not in ids:
            ids.append(command[1])
        elif command[0] in (2, 3) and command[1] in ids:
            ids.remove(command[1])
        elif command[0] == 5:
            ids = []
        elif command[0] == 6:
            ids = list(command[2])
    return ids


def linked(commands):
    """The ids an x2many's onchange value links."""
    return {command[1] for command in commands if command[0] == 4}


@tagged("post_install", "-at_install")
class TestWizardsInTheWebClient(WizardProbe, ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.role_user(
            cls.env, "mona_manager", "collections_automation.group_collection_manager"
        )
        cls.ana = cls.customer("Ana Torres")
        cls.ben = cls.customer("Ben Okafor")
        cls.ana_1 = cls.make_invoice(cls.ana, 1000, due_in=-20)
        cls.ana_2 = cls.make_invoice(cls.ana, 500, due_in=-5)
        cls.ben_1 = cls.make_invoice(cls.ben, 300, due_in=-10)
        customers = cls.ana | cls.ben
        cls.env["collection.debtor"]._refresh(partner_ids=customers.ids)
        cls.debtors = cls.env["collection.debtor"].search(
            [("partner_id", "in", customers.ids)]
        )
        cls.assign_case(customers, cls.user)
        cls.currency = cls.env.company.currency_id

    # === Send Reminder === #
    def test_send_reminder_from_a_customer_and_sent(self):
        self.login(self.user)
        model = "collection.send.reminder"
        context = from_form("res.partner", self.ana)
        value = self.open_wizard(model, context)
        self.assertEqual(linked(value["partner_ids"]), {self.ana.id})
        self.assertEqual(value["channel"], "email")
        self.assertEqual(value["verdict_state"], "allowed")
        self.assertFalse(value["verdict_reason"])
        self.assertEqual(value["allowed_count"], 1)
        # never reminded, 20 days late: the step her journey has reached
        # (the second reminder, day 10), not the final notice
        self.assertEqual(
            self.debtors.filtered(lambda d: d.partner_id == self.ana).journey_id.name,
            "Standard",
        )
        self.assertEqual(
            value["template_id"]["display_name"], "Payment reminder (email)"
        )
        result = self.press(model, value, "action_send", context)
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("Ana Torres", result["params"]["message"])
        rows = self.Message.search([("partner_id", "=", self.ana.id)])
        self.assertRecordValues(
            rows,
            [
                {
                    "kind": "manual_reminder",
                    "channel": "email",
                    "template_id": value["template_id"]["id"],
                }
            ],
        )

    def test_send_reminder_to_a_selection(self):
        self.login(self.user)
        model = "collection.send.reminder"
        for context in (
            from_form("res.partner", self.ana | self.ben),
            from_form("account.move", self.ana_1 | self.ana_2 | self.ben_1),
            from_form("collection.debtor", self.debtors),
        ):
            with self.subTest(context["active_model"]):
                value = self.open_wizard(model, context)
                self.assertEqual(
                    linked(value["partner_ids"]), {self.ana.id, self.ben.id}
                )
                self.assertEqual(value["customer_count"], 2)
                self.assertEqual(value["allowed_count"], 2)
                self.assertEqual(value["refused_count"], 0)
                self.assertFalse(value["verdict_state"], "no single verdict")
        self.login(self.manager)
        value = self.open_wizard(model, from_form("collection.debtor", self.debtors))
        self.assertEqual(value["customer_count"], 2)
        self.assertEqual(value["company_id"]["id"], self.env.company.id)

    def test_send_reminder_from_an_invoice(self):
        self.login(self.user)
        value = self.open_wizard(
            "collection.send.reminder", from_form("account.move", self.ana_2)
        )
        self.assertEqual(linked(value["partner_ids"]), {self.ana.id})
        self.assertEqual(linked(value["invoice_ids"]), {self.ana_2.id})
        self.assertEqual(value["verdict_state"], "allowed")

    def test_send_reminder_on_another_channel(self):
        """The person picks SMS for a customer without a mobile: the review
        follows (refused, and why)."""
        self.login(self.user)
        model = "collection.send.reminder"
        context = from_form("res.partner", self.ana)
        value = self.open_wizard(model, context)
        value = self.change(model, value, "channel", "sms", context)
        self.assertEqual(value["verdict_state"], "refused")
        self.assertTrue(value["verdict_reason"])
        self.assertEqual(value["allowed_count"], 0)

    # === Record Promise === #
    def test_record_promise_from_a_customer_and_recorded(self):
        self.login(self.user)
        model = "collection.record.promise"
        context = from_form("res.partner", self.ana)
        value = self.open_wizard(model, context)
        self.assertEqual(value["partner_id"]["id"], self.ana.id)
        self.assertEqual(value["currency_id"]["id"], self.currency.id)
        self.assertEqual(linked(value["debt_currency_ids"]), {self.currency.id})
        self.assertEqual(linked(value["invoice_ids"]), {self.ana_1.id, self.ana_2.id})
        self.assertEqual(value["amount"], 1500)
        # the customer is read-only on the form: the web client does not
        # save it, the action's context gives it again
        result = self.press(
            model, value, "action_record", context, readonly=("partner_id",)
        )
        self.assertEqual(result["params"]["type"], "success")
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.assertRecordValues(
            promise, [{"amount": 1500, "currency_id": self.currency.id}]
        )
        self.assertEqual(promise.invoice_ids, self.ana_1 | self.ana_2)

    def test_record_promise_from_invoices(self):
        self.login(self.user)
        model = "collection.record.promise"
        for invoices, amount in ((self.ana_2, 500), (self.ana_1 | self.ana_2, 1500)):
            with self.subTest(invoices=invoices.ids):
                value = self.open_wizard(model, from_form("account.move", invoices))
                self.assertEqual(value["partner_id"]["id"], self.ana.id)
                self.assertEqual(linked(value["invoice_ids"]), set(invoices.ids))
                self.assertEqual(value["amount"], amount)
        # invoices of two customers: refused in words
        message = self.rpc_error(
            model,
            "onchange",
            [],
            {},
            [],
            {"partner_id": {}},
            context=from_form("account.move", self.ana_1 | self.ben_1),
        )
        self.assertIn("one customer", message)

    def test_record_promise_fewer_invoices(self):
        """The person removes an invoice: the amount follows."""
        self.login(self.user)
        model = "collection.record.promise"
        context = from_form("res.partner", self.ana)
        value = self.open_wizard(model, context)
        value = self.change(
            model, value, "invoice_ids", [[6, 0, self.ana_1.ids]], context
        )
        self.assertEqual(linked(value["invoice_ids"]), {self.ana_1.id})
        self.assertEqual(value["amount"], 1000)
        # less than the policy's share of the debt: refused in words for a
        # collector, recorded for a manager who says why
        message = self.press_refused(
            model, value, "action_record", context, readonly=("partner_id",)
        )
        self.assertIn("covers less of the balance than required", message)
        Promise = self.env["collection.promise"]
        self.assertFalse(Promise.search([("partner_id", "=", self.ana.id)]))
        self.login(self.manager)
        self.press(
            model,
            value,
            "action_record",
            context,
            readonly=("partner_id",),
            policy_override_reason="Pays the rest after the audit",
        )
        promise = Promise.search([("partner_id", "=", self.ana.id)])
        self.assertRecordValues(promise, [{"amount": 1000}])
        self.assertEqual(promise.invoice_ids, self.ana_1)

    def test_record_promise_of_a_debt_in_two_currencies(self):
        """The largest debt's currency by default; the person picks the
        other one: its invoices and amount follow."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        carla = self.customer("Carla Ruiz")
        in_eur = self.make_invoice(carla, 2000, due_in=-15, currency=eur)
        in_usd = self.make_invoice(carla, 100, due_in=-15)
        self.env["collection.debtor"]._refresh(partner_ids=carla.ids)
        self.assign_case(carla, self.user)
        self.login(self.user)
        model = "collection.record.promise"
        context = from_form("res.partner", carla)
        value = self.open_wizard(model, context)
        self.assertEqual(value["currency_id"]["id"], eur.id)
        self.assertEqual(linked(value["debt_currency_ids"]), {eur.id, self.currency.id})
        self.assertEqual(linked(value["invoice_ids"]), {in_eur.id})
        self.assertEqual(value["amount"], 2000)
        value = self.change(model, value, "currency_id", self.currency.id, context)
        self.assertEqual(linked(value["invoice_ids"]), {in_usd.id})
        self.assertEqual(value["amount"], 100)

    # === Put on Hold === #
    def test_put_on_hold_from_a_customer_and_an_invoice(self):
        model = "collection.put.on.hold"
        for user in (self.user, self.billing):
            for record in (self.ana, self.ben_1):
                with self.subTest(user=user.login, model=record._name):
                    record.sudo().collection_hold = False
                    self.login(user)
                    context = from_form(record._name, record)
                    value = self.open_wizard(model, context)
                    self.assertEqual(value["res_model"], record._name)
                    self.assertEqual(value["res_ids"], record.ids)
                    self.assertEqual(value["hold"], "dispute")
                    result = self.press(
                        model, value, "action_hold", context, reason="Disputed"
                    )
                    self.assertEqual(result["type"], "ir.actions.act_window_close")
                    self.assertEqual(record.sudo().collection_hold, "dispute")
                    self.assertIn(
                        "Disputed",
                        "".join(record.sudo().message_ids.mapped("body")),
                    )

    # === Statement === #
    def test_statement_from_a_customer_and_sent(self):
        model = "collection.send.statement"
        for user in (self.user, self.billing):
            with self.subTest(user=user.login):
                self.login(user)
                value = self.open_wizard(model, from_form("res.partner", self.ana))
                self.assertEqual(linked(value["partner_ids"]), {self.ana.id})
                self.assertEqual(value["customer_count"], 1)
                self.assertEqual(value["allowed_count"], 1)
                self.assertFalse(value["review_html"])
        self.login(self.user)
        context = from_form("res.partner", self.ana)
        value = self.open_wizard(model, context)
        result = self.press(model, value, "action_send", context)
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("ana.torres@example.com", result["params"]["message"])

    def test_statements_to_a_selection(self):
        model = "collection.send.statement"
        for user in (self.user, self.billing):
            with self.subTest(user=user.login):
                self.login(user)
                context = from_form("res.partner", self.ana | self.ben)
                value = self.open_wizard(model, context)
                self.assertEqual(
                    linked(value["partner_ids"]), {self.ana.id, self.ben.id}
                )
                self.assertEqual(value["customer_count"], 2)
                self.assertEqual(value["allowed_count"], 2)
                result = self.press(model, value, "action_print", context)
                self.assertEqual(result["type"], "ir.actions.report")

    # === Dunning Letter === #
    def test_letter_from_customers(self):
        model = "collection.print.letter"
        for user in (self.user, self.billing):
            for customers in (self.ana, self.ana | self.ben):
                with self.subTest(user=user.login, count=len(customers)):
                    self.login(user)
                    context = from_form("res.partner", customers)
                    value = self.open_wizard(model, context)
                    self.assertEqual(linked(value["partner_ids"]), set(customers.ids))
                    letter = self.env["collection.letter"]._for_partner(self.ana)
                    self.assertTrue(letter, "the journey has a letter")
                    self.assertEqual(value["letter_id"]["id"], letter.id)
                    self.assertEqual(value["final_notice"], letter.final_notice)
                    result = self.press(model, value, "action_print", context)
                    self.assertEqual(result["type"], "ir.actions.report")
                    self.assertEqual(result["context"]["active_ids"], customers.ids)
