import time

from odoo.tests import HttpCase, new_test_user, tagged

from .common_providers import ProvidersCommon
from .test_webhooks import NUMBER, SMS_IN_SID, WebhookClient


@tagged("post_install", "-at_install")
class TestInboundAttachments(WebhookClient, ProvidersCommon, HttpCase):
    """What a customer sends besides words, through the providers' signed
    webhooks: a photo or a document (often of a receipt) is for a person to
    open; a reaction is not an answer."""

    def setUp(self):
        super().setUp()
        self.row = self.make_row(
            "whatsapp", state="delivered", provider_ref="wamid.OUT1"
        )
        self.salesperson = new_test_user(
            self.env, login="attachments_sales", groups="base.group_user"
        )
        self.customer.user_id = self.salesperson

    @staticmethod
    def wa_message(kind, content, wamid="wamid.IN9"):
        return {
            "from": NUMBER[1:],
            "id": wamid,
            "timestamp": str(int(time.time())),
            "type": kind,
            kind: content,
        }

    def activities(self):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )

    def test_a_photo_without_words_is_for_a_person(self):
        photo = self.wa_message(
            "image", {"id": "1234567890", "mime_type": "image/jpeg"}
        )
        response = self.post_whatsapp(self.whatsapp_payload(messages=[photo]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.row.state, "replied")
        note = self.customer.message_ids[0]
        self.assertIn("sent a photo", note.body)
        self.assertEqual(note.author_id, self.customer)
        activity = self.activities()
        self.assertEqual(len(activity), 1)
        # the customer's salesperson, not the public user the webhook runs as
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(
            activity.summary, "Open the photo the customer sent by WhatsApp"
        )

    def test_a_document_keeps_its_caption(self):
        document = self.wa_message(
            "document",
            {"id": "555", "caption": "Comprobante de pago", "filename": "pago.pdf"},
        )
        self.assertEqual(
            self.post_whatsapp(self.whatsapp_payload(messages=[document])).status_code,
            200,
        )
        note = self.customer.message_ids[0].body
        self.assertIn("sent a document", note)
        self.assertIn("Comprobante de pago", note)
        self.assertEqual(
            self.activities().summary,
            "Open the document the customer sent by WhatsApp",
        )

    def test_a_reaction_is_not_an_answer(self):
        reaction = self.wa_message(
            "reaction", {"message_id": "wamid.OUT1", "emoji": "👍"}
        )
        self.assertEqual(
            self.post_whatsapp(self.whatsapp_payload(messages=[reaction])).status_code,
            200,
        )
        self.assertEqual(self.row.state, "delivered")
        note = self.customer.message_ids[0].body
        self.assertIn("Reacted with 👍 by WhatsApp", note)
        self.assertFalse(self.activities())

    def test_a_picture_message_through_twilio_is_for_a_person(self):
        params = {
            "AccountSid": self.twilio.twilio_account_sid,
            "MessageSid": SMS_IN_SID,
            "SmsStatus": "received",
            "From": NUMBER,
            "To": "+15005550006",
            "Body": "",
            "NumMedia": "1",
            "MediaContentType0": "image/jpeg",
            "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC/Media/ME1",
        }
        self.assertEqual(self.post_twilio(params).status_code, 200)
        self.assertIn("sent an attachment", self.customer.message_ids[0].body)
        self.assertEqual(self.activities().user_id, self.salesperson)
