"""The journey builder's step: fallbacks picked from the channels and kept in
the order picked, a fallback with no template named on the step and on the
journey; and a template read as one customer would get it, in their
language, as a collector previewing it over JSON-RPC."""

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CollectionsCommon
from .common_rpc import WebClientMixin


@tagged("post_install", "-at_install")
class TestJourneyStepChannels(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.email_template = cls.env.ref(
            "collections_automation.template_overdue_email"
        )
        cls.journey = cls.env["collection.journey"].create(
            {
                "name": "Builder",
                "state": "draft",
                "segment_ids": [(0, 0, {"name": "Builder's", "sequence": 1})],
            }
        )

    def step(self, **values):
        return self.env["collection.journey.step"].create(
            {
                "journey_id": self.journey.id,
                "name": "Reminder",
                "channel": "email",
                "template_ids": [(6, 0, self.email_template.ids)],
                **values,
            }
        )

    def test_fallbacks_are_tried_in_the_order_picked(self):
        step = self.step(channel="whatsapp", fallback_channels="sms,email")
        self.assertEqual(step._channel_order(), ("whatsapp", "sms", "email"))
        self.assertEqual(step._to_engine()[0].channels, ("whatsapp", "sms", "email"))
        step.fallback_channels = "email,sms"
        self.assertEqual(step._channel_order(), ("whatsapp", "email", "sms"))
        # the preferred channel picked again as a fallback is not tried twice
        step.fallback_channels = "whatsapp,voice"
        self.assertEqual(step._channel_order(), ("whatsapp", "voice"))

    def test_a_channel_that_is_none_is_refused_in_words(self):
        step = self.step()
        with self.assertRaisesRegex(ValidationError, "Unknown channel.*fax"):
            step.fallback_channels = "sms,fax"

    def test_the_demo_steps_read_their_fallbacks(self):
        first = self.env.ref("collections_automation.step_standard_first")
        self.assertEqual(first._channel_order(), ("whatsapp", "sms", "email"))

    def test_a_fallback_without_template_warns_on_the_step_and_the_journey(self):
        step = self.step(name="Gentle", fallback_channels="sms")
        self.assertIn("Gentle: no SMS template", step.problems)
        self.assertIn("Gentle: no SMS template", self.journey.warnings)
        # a warning, not a refusal: email still carries the step
        self.assertFalse(self.journey.blocking_problems)
        self.journey.action_start()
        self.assertEqual(self.journey.state, "running")
        step.template_ids |= self.env.ref("collections_automation.template_overdue_sms")
        self.assertFalse(step.problems)
        self.assertFalse(self.journey.warnings)

    def test_a_step_being_built_is_named_in_its_warnings(self):
        step = self.env["collection.journey.step"].new(
            {"journey_id": self.journey.id, "channel": "sms", "fallback_channels": ""}
        )
        self.assertIn("(new step)", step.problems)
        self.assertNotIn("False", step.problems)


@tagged("post_install", "-at_install")
class TestTemplatePreview(WebClientMixin, CollectionsCommon, HttpCase):
    """A collector previews templates over JSON-RPC, as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Lucía Prieto",
                "email": "lucia@example.com",
                "lang": "es_ES",
                "country_id": cls.env.ref("base.es").id,
            }
        )
        cls.invoice = cls.make_invoice(cls.customer, 1180, due_in=-12)
        cls.env["collection.debtor"]._refresh(partner_ids=cls.customer.ids)
        cls.collector = new_test_user(
            cls.env,
            "pia_collector",
            "collections_automation.group_collection_user",
            password="pia_collector-pass-1",
            company_id=cls.env.company.id,
        )
        cls.sms = cls.env.ref("collections_automation.template_overdue_sms")
        cls.email = cls.env.ref("collections_automation.template_overdue_email")

    def preview(self, template, partner=None):
        """Open the preview as the template form's button does, choose the
        customer, press Show for This Customer; return what the form reads."""
        action = self.rpc("collection.template", "action_preview", [template.id])
        self.assertEqual(action["res_model"], "collection.template.preview")
        preview_id = action["res_id"]
        if partner:
            self.rpc(
                "collection.template.preview",
                "write",
                [preview_id],
                {"partner_id": partner.id},
            )
            self.rpc("collection.template.preview", "action_refresh", [preview_id])
        return self.rpc(
            "collection.template.preview",
            "read",
            [preview_id],
            ["partner_id", "lang_name", "subject", "body", "email_html", "error"],
        )[0]

    def test_the_sms_reads_as_the_customer_gets_it_and_nothing_is_written(self):
        self.login(self.collector)
        outbox = self.env["collection.message"].search_count([])
        shown = self.preview(self.sms, self.customer)
        self.assertFalse(shown["error"])
        self.assertEqual(shown["lang_name"], "Spanish / Español")
        # in Spanish, with the amount as a Spaniard writes it, and the link
        # to the invoice that pays it
        self.assertIn("ha vencido", shown["body"])
        self.assertIn("1.180,00", shown["body"])
        self.assertIn(f"/my/invoices/{self.invoice.id}?access_token=", shown["body"])
        self.assertNotIn("{{", shown["body"])
        self.assertEqual(self.env["collection.message"].search_count([]), outbox)
        # the link works: its token was kept
        self.invoice.invalidate_recordset(["access_token"])
        self.assertIn(self.invoice.access_token, shown["body"])

    def test_the_email_shows_the_whole_message_with_the_invoices(self):
        self.login(self.collector)
        shown = self.preview(self.email, self.customer)
        self.assertFalse(shown["error"])
        self.assertTrue(shown["subject"])
        self.assertNotIn("{{", shown["subject"])
        self.assertIn("Lucía Prieto", shown["email_html"])
        self.assertIn(self.invoice.name, shown["email_html"])
        self.assertIn("1.180,00", shown["email_html"])

    def test_another_customer_gets_their_own_text(self):
        other = self.env["res.partner"].create(
            {"name": "Otto Lang", "email": "otto@example.com", "lang": "en_US"}
        )
        self.make_invoice(other, 250, due_in=-4)
        self.env["collection.debtor"]._refresh(partner_ids=other.ids)
        self.login(self.collector)
        shown = self.preview(self.sms, other)
        self.assertEqual(shown["partner_id"][0], other.id)
        self.assertIn("250.00", shown["body"])
        self.assertNotIn("1.180,00", shown["body"])
        self.assertEqual(shown["lang_name"], "English (US)")

    def test_the_figures_are_those_of_the_company_the_customer_owes(self):
        other = self.setup_other_company()["company"]
        customer = self.env["res.partner"].create(
            {"name": "Mara Ortiz", "email": "mara@example.com", "lang": "es_ES"}
        )
        self.make_invoice(customer, 640, due_in=-9, company=other)
        self.env["collection.debtor"]._refresh(partner_ids=customer.ids)
        self.collector.company_ids |= other
        # the collector works in both companies, the current one first
        env = self.env(
            user=self.collector,
            context={"allowed_company_ids": [self.env.company.id, other.id]},
        )
        preview = env["collection.template.preview"].create(
            {"template_id": self.sms.id, "partner_id": customer.id}
        )
        self.assertIn("640,00", preview.body)

    def test_a_template_that_cannot_be_rendered_says_so_in_words(self):
        # saved (an unknown placeholder is not), but fails when filled: the
        # currency is missing
        broken = self.sms.copy({"body": "Hola {{ format_amount(object.amount_due) }}"})
        self.login(self.collector)
        shown = self.preview(broken, self.customer)
        self.assertIn("could not be rendered", shown["error"])
        self.assertIn(
            "the placeholder {{ format_amount(object.amount_due) }} cannot be filled",
            shown["error"],
        )
        self.assertNotIn("Traceback", shown["error"])
        self.assertNotIn("AttributeError(", shown["error"])
        self.assertFalse(shown["body"])

    def test_a_nul_character_is_refused_in_words(self):
        manager = new_test_user(
            self.env,
            "max_manager",
            "collections_automation.group_collection_manager",
            password="max_manager-pass-1",
        )
        self.login(manager)
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc(
                "collection.template",
                "web_save",
                [self.sms.id],
                {"body": "Hola\x00 {{ object.partner_id.name }}"},
                specification={"body": {}},
            )
        self.assertEqual(str(caught.exception), "odoo.exceptions.UserError")
        self.assertNotIn("\x00", self.sms.body)
