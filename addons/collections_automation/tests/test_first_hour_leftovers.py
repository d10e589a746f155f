"""The first hour's last rough edges, from the user's seat: a journey made
over JSON-RPC waits in Draft like one made on the form, Send Reminders is
offered on Collections > Customers, and forms say things in people's units."""

from odoo.tests import new_test_user, tagged

from .test_by_hand import ByHandCommon


@tagged("post_install", "-at_install")
class TestFirstHourLeftovers(ByHandCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "mona_manager",
            "collections_automation.group_collection_manager",
            password="mona_manager-pass-1",
            company_id=cls.env.company.id,
        )
        cls.ana = cls.customer("Ana Torres")
        cls.make_invoice(cls.ana, 1000, due_in=-20)
        cls.env["collection.debtor"]._refresh(partner_ids=cls.ana.ids)
        cls.assign_case(cls.ana, cls.user)

    def test_a_journey_made_over_json_rpc_waits_in_draft(self):
        self.login(self.manager)
        template = self.env.ref("collections_automation.template_overdue_email")
        [journey_id] = self.rpc(
            "collection.journey",
            "create",
            [
                {
                    "name": "Made by a script",
                    "step_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "Reminder",
                                "channel": "email",
                                "fallback_channels": False,
                                "template_ids": [(6, 0, template.ids)],
                            },
                        )
                    ],
                }
            ],
        )
        [journey] = self.rpc("collection.journey", "read", [journey_id], ["state"])
        self.assertEqual(journey["state"], "draft")
        # started behind the form's back: refused, in the form's words
        for method, args in (
            ("write", ([journey_id], {"state": "running"})),
            ("action_start", ([journey_id],)),
        ):
            message = self.rpc_error("collection.journey", method, *args)
            self.assertIn("cannot start", message)
            self.assertIn("No segment follows this journey", message)
        # made with a state of running, refused too
        message = self.rpc_error(
            "collection.journey", "create", [{"name": "Eager", "state": "running"}]
        )
        self.assertIn("cannot start", message)
        self.rpc(
            "collection.segment",
            "create",
            [{"name": "Scripted", "journey_id": journey_id, "sequence": 1}],
        )
        self.rpc("collection.journey", "action_start", [journey_id])
        [journey] = self.rpc("collection.journey", "read", [journey_id], ["state"])
        self.assertEqual(journey["state"], "running")
        # the shipped journeys run from the install on
        self.assertEqual(
            self.env.ref("collections_automation.journey_standard").state, "running"
        )

    def test_send_reminders_offered_on_collections_customers(self):
        self.login(self.user)
        views = self.rpc(
            "collection.debtor",
            "get_views",
            [[False, "list"]],
            options={"toolbar": True},
        )
        actions = views["views"]["list"]["toolbar"]["action"]
        binding = self.env.ref(
            "collections_automation.action_collection_send_reminders_debtor"
        )
        [action] = [a for a in actions if a["id"] == binding.id]
        self.assertEqual(action["name"], "Send Reminders")
        debtor = self.env["collection.debtor"].search(
            [("partner_id", "=", self.ana.id)]
        )
        _wizard_id, wizard = self.wizard(
            "collection.send.reminder",
            "collection.debtor",
            debtor.ids,
            fields_=["partner_ids", "verdict_state"],
        )
        self.assertEqual(wizard["partner_ids"], self.ana.ids)
        self.assertTrue(wizard["verdict_state"])

    def test_forms_speak_in_people_units(self):
        self.login(self.manager)
        fields = self.rpc(
            "collection.journey.step", "fields_get", ["late_fee_rate"], ["digits"]
        )
        self.assertEqual(fields["late_fee_rate"]["digits"], [16, 2])
        arch = self.rpc("collection.journey", "get_views", [[False, "form"]])["views"][
            "form"
        ]["arch"]
        # the step dialog's title: "Open: Step", not "Open: Steps"
        self.assertIn('name="step_ids" string="Step"', arch)

    def test_send_reminders_sends_as_the_company_of_the_selection(self):
        """A manager of two companies, working in the first, selects a
        customer of the second on Collections > Customers (or one of its
        invoices): the reminders go out as the second company, with its
        figures, templates and providers; a selection over both companies is
        refused in words."""
        other = self.setup_other_company(name="Collections Second Co")["company"]
        self.manager.write({"company_ids": [(4, other.id)]})
        invoice = self.make_invoice(self.ana, 500, due_in=-15, company=other)
        Debtor = self.env["collection.debtor"]
        Debtor._refresh(partner_ids=self.ana.ids, company_ids=other.ids)
        mine, theirs = (
            Debtor.search(
                [("partner_id", "=", self.ana.id), ("company_id", "=", company.id)]
            )
            for company in (self.env.company, other)
        )
        self.assertTrue(mine and theirs)
        self.login(self.manager)
        companies = [self.env.company.id, other.id]

        def open_on(model, ids):
            context = {
                "active_model": model,
                "active_ids": ids,
                "allowed_company_ids": companies,
            }
            [wizard_id] = self.rpc(
                "collection.send.reminder", "create", [{}], context=context
            )
            [values] = self.rpc(
                "collection.send.reminder",
                "read",
                [wizard_id],
                ["company_id", "partner_ids"],
                context={"allowed_company_ids": companies},
            )
            return values

        for model, ids in (
            ("collection.debtor", theirs.ids),
            ("account.move", invoice.ids),
        ):
            values = open_on(model, ids)
            self.assertEqual(values["company_id"][0], other.id, model)
            self.assertEqual(values["partner_ids"], self.ana.ids, model)
        self.assertEqual(
            open_on("collection.debtor", mine.ids)["company_id"][0], self.env.company.id
        )
        message = self.rpc_error(
            "collection.send.reminder",
            "create",
            [{}],
            context={
                "active_model": "collection.debtor",
                "active_ids": (mine | theirs).ids,
                "allowed_company_ids": companies,
            },
        )
        self.assertIn("spans several companies", message)
        self.assertIn("Collections Second Co", message)

    def test_send_reminders_opens_in_the_web_client(self):
        """The web client opens the wizard with an onchange on a form not
        saved yet, whose customers are new records standing for the
        selected ones: the contact gate's review is computed for them."""
        debtor = self.env["collection.debtor"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.login(self.manager)
        spec = {
            name: {}
            for name in (
                "partner_ids",
                "company_id",
                "channel",
                "template_id",
                "customer_count",
                "allowed_count",
                "verdict_state",
                "verdict_reason",
            )
        }
        result = self.rpc(
            "collection.send.reminder",
            "onchange",
            [],
            {},
            [],
            spec,
            context={
                "active_model": "collection.debtor",
                "active_ids": debtor.ids,
                "active_id": debtor.id,
            },
        )
        value = result["value"]
        self.assertEqual(value["customer_count"], 1)
        self.assertEqual(value["company_id"], self.env.company.id)
        self.assertIn(value["verdict_state"], ("allowed", "deferred", "refused"))
        self.assertTrue(value["template_id"])
