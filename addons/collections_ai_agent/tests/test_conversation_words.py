"""An AI conversation's form names its language in words."""

from odoo.tests import tagged

from .common import AgentCommon


@tagged("post_install", "-at_install")
class TestConversationWords(AgentCommon):
    def test_the_form_names_the_language_in_words(self):
        self.whatsapp_in("te pago el viernes", "wamid.W1").perform_enqueued_jobs()
        conversation = self.conversation()
        self.assertEqual(conversation.lang, "es")
        # what the form shows for the stored value: the selection's label
        labels = dict(self.Conversation.fields_get(["lang"])["lang"]["selection"])
        self.assertEqual(labels[conversation.lang], "Spanish")
        self.assertEqual(
            set(labels), {"es", "en", "pt"}, "every language the agent speaks"
        )

    def test_its_name_dates_it_in_the_reader_language(self):
        self.whatsapp_in("te pago el viernes", "wamid.W2").perform_enqueued_jobs()
        conversation = self.conversation()
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["res.lang"]._lang_get("es_ES").date_format = "%d/%m/%Y"
        named = conversation.with_context(lang="es_ES").display_name
        day = conversation.create_date
        self.assertIn(day.strftime("%d/%m/%Y"), named)
        self.assertNotIn(day.date().isoformat(), named)
