"""A manager writing a message template, as the web client saves it: an
unknown placeholder, a ``{{`` never closed or a ``}}`` closing nothing is
refused in words naming the placeholders that work (before customers get a
broken text); an SMS template's form counts the SMS its body takes and warns,
without refusing, beyond three."""

import json

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.collections_automation.models import collection_message_render

from .common import CollectionsCommon
from .common_rpc import WebClientMixin

VALIDATION_ERROR = "odoo.exceptions.ValidationError"
RENDER_MODEL = "collection.message"


def named_placeholders():
    """The placeholders a refusal names: the renderer's list."""
    return collection_message_render.TEMPLATE_PLACEHOLDERS


def specification(fields):
    """The fields spec the web client sends for a form's fields."""
    return {
        name: {"fields": {"display_name": {}}}
        if field["type"] in ("many2one", "one2many", "many2many")
        else {}
        for name, field in fields.items()
    }


@tagged("post_install", "-at_install")
class TestTemplateChecks(WebClientMixin, CollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.role_user(
            cls.env, "tess_manager", "collections_automation.group_collection_manager"
        )
        cls.sms = cls.env.ref("collections_automation.template_overdue_sms")
        cls.Template = cls.env["collection.template"]

    # --- the web client's calls
    def call_error(self, model, method, *args, **kwargs):
        """Call as the web client does and expect a refusal in words (an
        error dialog, not a 500 nor a traceback); return what it says."""
        payload = {
            "id": 0,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": list(args),
                "kwargs": kwargs,
            },
        }
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/web/dataset/call_kw/{model}/{method}",
                json.dumps(payload).encode(),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertIn("error", answer, f"{method} was not refused")
        data = answer["error"]["data"]
        self.assertEqual(data["name"], VALIDATION_ERROR, data["message"])
        self.assertNotIn("Traceback", data["message"])
        return data["message"]

    def form_fields(self):
        views = self.rpc("collection.template", "get_views", [[False, "form"]])
        return views["models"]["collection.template"]["fields"]

    def save(self, template_id, values):
        """Save the form (a new template when ``template_id`` is None) and
        read it back with the form's fields, as the web client does."""
        return self.rpc(
            "collection.template",
            "web_save",
            [template_id] if template_id else [],
            values,
            specification=specification(self.form_fields()),
        )[0]

    def save_refused(self, template_id, values):
        return self.call_error(
            "collection.template",
            "web_save",
            [template_id] if template_id else [],
            values,
            specification={"body": {}},
        )

    def assert_lists_the_placeholders(self, message):
        for expression in named_placeholders():
            self.assertIn(f"{{{{ {expression} }}}}", message)

    # --- refused in words
    def test_an_unknown_placeholder_is_refused_in_words(self):
        self.login(self.manager)
        before = self.sms.body
        message = self.save_refused(
            self.sms.id, {"body": "Hola {{ custmer_name }}, pague hoy."}
        )
        self.assertIn("The Body cannot be saved.", message)
        self.assertIn(
            "The placeholder {{ custmer_name }} is unknown: nothing is called "
            "custmer_name.",
            message,
        )
        self.assert_lists_the_placeholders(message)
        self.sms.invalidate_recordset()
        self.assertEqual(self.sms.body, before, "nothing saved")
        # a new template, with a field of the customer misspelt
        message = self.save_refused(
            None,
            {
                "name": "Typo",
                "channel": "sms",
                "body": "Hola {{ object.partner_id.nmae }}",
            },
        )
        self.assertIn(
            "The placeholder {{ object.partner_id.nmae }} is unknown: Contact has "
            "no field nmae (did you mean name?).",
            message,
        )
        self.assertFalse(self.Template.search([("name", "=", "Typo")]))
        # a field the reminder does not have
        message = self.save_refused(
            self.sms.id, {"body": "{{ object.custmer_name }} debe pagar."}
        )
        self.assertIn("the reminder has no field custmer_name", message)

    def test_an_unclosed_placeholder_is_refused_in_words(self):
        self.login(self.manager)
        message = self.save_refused(
            self.sms.id,
            {
                "body": "Hola {{ object.partner_id.name, pague aquí: "
                "{{ object.payment_url }}"
            },
        )
        self.assertIn("The Body cannot be saved.", message)
        self.assertIn(
            "A {{ is never closed, in "
            "\u201c{{ object.partner_id.name, pague aquí:\u201d",
            message,
        )
        self.assertIn("opens with {{ and closes with }} on the same line", message)
        self.assert_lists_the_placeholders(message)
        for body, said in [
            ("Hola {{ object.partner_id.name", "A {{ is never closed"),
            # opened on one line, closed on the next: never filled
            ("Hola {{ object.partner_id.name\n}}, pague", "A {{ is never closed"),
            ("Hola object.partner_id.name }}", "A }} closes no placeholder"),
            ("Hola {{ }}", "A placeholder {{ }} is empty."),
            ("Hola {{ object.partner_id.name ) }}", "it is not written correctly"),
        ]:
            with self.subTest(body=body):
                self.assertIn(said, self.save_refused(self.sms.id, {"body": body}))

    def test_the_subject_and_the_whatsapp_parameters_are_checked_too(self):
        self.login(self.manager)
        email = self.env.ref("collections_automation.template_overdue_email")
        message = self.save_refused(email.id, {"subject": "Hola {{ custmer_name }}"})
        self.assertIn("The Subject cannot be saved.", message)
        whatsapp = self.env.ref("collections_automation.template_overdue_whatsapp")
        message = self.save_refused(
            whatsapp.id,
            {"whatsapp_params": "{{ object.partner_id.name }}\n{{ object.amount }}"},
        )
        self.assertIn("The WhatsApp Parameters cannot be saved.", message)
        self.assertIn("{{ object.amount }} is unknown", message)

    def test_a_translation_is_checked_as_the_text_is(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.login(self.manager)
        message = self.call_error(
            "collection.template",
            "update_field_translations",
            [self.sms.id],
            "body",
            {"es_ES": "Hola {{ object.partner_id.name, pague hoy"},
        )
        self.assertIn("A {{ is never closed", message)
        self.assertNotIn(
            "pague hoy", self.sms.with_context(lang="es_ES").body, "nothing saved"
        )

    def test_placeholders_that_work_are_saved(self):
        self.login(self.manager)
        body = (
            "{{ object.company_id.name }}: {{ object.partner_id.name ||| cliente }}, "
            "{{ format_amount(object.amount_due, object.currency_id) }} "
            "({{ object.debtor_id.overdue_by_currency }}), "
            "{{ format_date(object.scheduled_at) }}. {{ object.payment_url or '' }}"
        )
        saved = self.save(self.sms.id, {"body": body})
        self.assertEqual(saved["body"], body)

    def test_the_shipped_templates_and_the_named_placeholders_pass(self):
        languages = [code for code, _name in self.env["res.lang"].get_installed()]
        templates = self.Template.with_context(active_test=False).search([])
        self.assertTrue(templates)
        for lang in languages:
            for template in templates.with_context(lang=lang):
                for fname in ("subject", "body", "whatsapp_params"):
                    if template[fname]:
                        with self.subTest(lang=lang, template=template.name, f=fname):
                            self.assertIsNone(
                                self.Template._placeholder_problem(template[fname])
                            )
        for expression in named_placeholders():
            self.assertIsNone(
                self.Template._placeholder_problem(f"{{{{ {expression} }}}}")
            )

    def test_the_check_reads_placeholders_as_the_rendering_does(self):
        """What the check lets through is filled when rendered, leaving no
        brace; what it refuses would fail, or reach the customer with
        braces in it."""
        customer = self.env["res.partner"].create(
            {"name": "Rita Lobo", "email": "rita@example.com"}
        )
        self.make_invoice(customer, 300, due_in=-6)
        self.env["collection.debtor"]._refresh(partner_ids=customer.ids)
        preview = self.env["collection.template.preview"].create(
            {"template_id": self.sms.id, "partner_id": customer.id}
        )
        row = self.env[RENDER_MODEL].create(preview._row_values())
        texts = [
            "Hola {{ object.partner_id.name }}",
            "Hola {{object.partner_id.name}}!",
            "{{ object.partner_id.name ||| cliente }}: { no } placeholder",
            "{{ format_amount(object.amount_due, object.currency_id) }}",
            "Hola {{ object.partner_id.name",
            "Hola {{ object.partner_id.name\n}}",
            "Hola object.partner_id.name }}",
            "{{ a {{ object.partner_id.name }}",
            "Hola {{ custmer_name }}",
            "Hola {{ object.custmer_name }}",
            "Hola {{ object.partner_id.nmae }}",
        ]
        for text in texts:
            with self.subTest(text=text):
                try:
                    rendered = self.Template._render_template(
                        text, RENDER_MODEL, row.ids
                    )[row.id]
                except Exception:  # noqa: BLE001 - any failure to render
                    rendered = None
                fills = rendered is not None and not (
                    "{{" in rendered or "}}" in rendered
                )
                problem = self.Template._placeholder_problem(text)
                self.assertEqual(problem is None, fills, (problem, rendered))

    # --- the SMS counter
    def test_the_form_counts_the_sms_and_warns_beyond_three(self):
        self.login(self.manager)
        fields = self.form_fields()
        for name in ("sms_segments", "sms_size", "sms_warning"):
            self.assertIn(name, fields)
        arch = self.rpc("collection.template", "get_views", [[False, "form"]])["views"][
            "form"
        ]["arch"]
        self.assertIn("alert alert-warning", arch)
        self.assertIn("not sms_warning", arch)

        # a short text without placeholders: exact
        shown = self.save(self.sms.id, {"body": "Your invoice is overdue. Pay today."})
        self.assertEqual(shown["sms_segments"], 1)
        self.assertEqual(
            shown["sms_size"],
            "1 SMS: 35 of the 160 characters in GSM-7 one SMS holds.",
        )
        self.assertFalse(shown["sms_warning"])

        # the shipped text: placeholders counted at a typical length
        shown = self.save(
            self.sms.id,
            {
                "body": "{{ object.company_id.name }}: "
                "{{ object.debtor_id.overdue_by_currency }} is overdue. Pay here: "
                "{{ object.payment_url }} or reply to talk to us."
            },
        )
        self.assertEqual(shown["sms_segments"], 2)
        self.assertTrue(shown["sms_size"].startswith("About 2 SMS: about "))
        self.assertIn("153 per SMS once split", shown["sms_size"])
        self.assertIn("Approximate: each placeholder", shown["sms_size"])
        self.assertFalse(shown["sms_warning"])

        # one accented letter outside the GSM alphabet: Unicode, 70 per SMS
        shown = self.save(self.sms.id, {"body": "Su factura está vencida. " * 3})
        self.assertEqual(shown["sms_segments"], 2)
        self.assertIn("in Unicode (UCS-2), 67 per SMS once split", shown["sms_size"])
        self.assertIn("because of \u201c\u00e1\u201d", shown["sms_size"])

        # far longer than an SMS: a warning in words, and it is saved
        body = "Your invoice is overdue, please pay it today. " * 12
        shown = self.save(self.sms.id, {"body": body})
        self.assertEqual(shown["body"], body)
        self.assertEqual(shown["sms_segments"], 4)
        self.assertEqual(
            shown["sms_warning"],
            "This text takes 4 SMS, more than 3: each SMS is billed, and a long "
            "text reaches some phones in pieces. Shorten it, or leave the details "
            "to the payment page.",
        )
        # beyond what Twilio takes: the reminder would fail, and it says so
        shown = self.save(self.sms.id, {"body": "x" * 1700})
        self.assertEqual(shown["sms_segments"], 12)
        self.assertIn("Twilio refuses an SMS", shown["sms_warning"])

        # an email is not counted in SMS
        email = self.env.ref("collections_automation.template_overdue_email")
        shown = self.rpc(
            "collection.template",
            "web_read",
            [email.id],
            specification=specification(fields),
        )[0]
        self.assertEqual(shown["sms_segments"], 0)
        self.assertFalse(shown["sms_size"])
        self.assertFalse(shown["sms_warning"])

    def test_the_preview_counts_the_customers_sms_exactly(self):
        self.env["res.lang"]._activate_lang("es_ES")
        customer = self.env["res.partner"].create(
            {"name": "Lucía Prieto", "email": "lucia@example.com", "lang": "es_ES"}
        )
        self.make_invoice(customer, 1180, due_in=-12)
        self.env["collection.debtor"]._refresh(partner_ids=customer.ids)
        self.login(self.manager)
        action = self.rpc("collection.template", "action_preview", [self.sms.id])
        preview_id = action["res_id"]
        self.rpc(
            "collection.template.preview",
            "write",
            [preview_id],
            {"partner_id": customer.id},
        )
        [shown] = self.rpc(
            "collection.template.preview", "read", [preview_id], ["body", "sms_size"]
        )
        # in Spanish, worded within the GSM alphabet: 160 characters per SMS
        self.assertIn("ha vencido", shown["body"])
        units = len(shown["body"])
        segments = 1 if units <= 160 else -(-units // 153)
        self.assertTrue(
            shown["sms_size"].startswith(f"{segments} SMS: {units} "),
            shown["sms_size"],
        )
        self.assertNotIn("Unicode", shown["sms_size"])
        self.assertNotIn("Approximate", shown["sms_size"])
        # a company named with an "í" sends it as Unicode: 70, then 67 per SMS
        name = self.env.company.name
        self.env.company.name = "Ferretería Prieto"
        self.rpc("collection.template.preview", "action_refresh", [preview_id])
        [shown] = self.rpc(
            "collection.template.preview", "read", [preview_id], ["body", "sms_size"]
        )
        self.assertIn("Ferretería", shown["body"])
        units = len(shown["body"])
        segments = 1 if units <= 70 else -(-units // 67)
        self.assertTrue(
            shown["sms_size"].startswith(f"{segments} SMS: {units} "),
            shown["sms_size"],
        )
        self.assertIn("because of \u201c\u00ed\u201d", shown["sms_size"])
        self.env.company.name = name
        # in English, the amount's no-break space (Odoo's "€\xa01,180.00")
        # goes as a plain space: GSM-7, 160 characters per SMS, not 70
        customer.lang = "en_US"
        self.rpc("collection.template.preview", "action_refresh", [preview_id])
        [shown] = self.rpc(
            "collection.template.preview", "read", [preview_id], ["body", "sms_size"]
        )
        self.assertIn("1,180.00", shown["body"])
        self.assertNotIn("\xa0", shown["body"])
        units = len(shown["body"])
        self.assertTrue(
            shown["sms_size"].startswith(
                f"{1 if units <= 160 else -(-units // 153)} SMS: {units} "
            ),
            shown["sms_size"],
        )
        self.assertIn("characters in GSM-7", shown["sms_size"])

    def test_the_counter_follows_the_text_as_it_is_typed(self):
        self.login(self.manager)
        fields = self.form_fields()
        shown = self.rpc(
            "collection.template",
            "web_read",
            [self.sms.id],
            specification=specification(fields),
        )[0]
        values = {
            name: value
            for name, value in shown.items()
            if name in ("name", "channel", "body", "subject", "whatsapp_params")
        }
        result = self.rpc(
            "collection.template",
            "onchange",
            [self.sms.id],
            {**values, "body": "Pay now. " * 60},
            ["body"],
            specification(fields),
        )
        self.assertEqual(result["value"]["sms_segments"], 4)
        self.assertIn("more than 3", result["value"]["sms_warning"])
