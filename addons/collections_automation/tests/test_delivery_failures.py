from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_mail_server import IrMailServer, MailDeliveryException
from odoo.addons.collections_automation.models.mail_notification import (
    MailNotification,
)
from odoo.addons.sms.tools.sms_api import SmsApi

from .common import CollectionsCommon

#: A delivery status notification as a Postfix server sends it back
#: (RFC 3464): the text for people, the report, then the returned message.
BOUNCE = """\
Return-Path: <>
Date: Mon, 15 Apr 2019 15:41:06 +0200 (CEST)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounce@example.net
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
    boundary="B0UND4RY/mail.example.net"
Message-Id: <20190415134106.93A83A5F0D@mail.example.net>

This is a MIME-encapsulated message.

--B0UND4RY/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

                   The mail system

<{email}>: host mx.example.com[203.0.113.9] said: 550 No such
    person at this address. (in reply to RCPT TO command)

--B0UND4RY/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
Arrival-Date: Mon, 15 Apr 2019 15:40:24 +0200 (CEST)

Final-Recipient: rfc822; {email}
Original-Recipient: rfc822;{email}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 No such person at this address.

--B0UND4RY/mail.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822

Message-Id: {message_id}
Subject: Your invoice is overdue
From: YourCompany <company@example.com>
To: {email}
Date: Mon, 15 Apr 2019 13:40:24 -0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Your invoice is overdue.

--B0UND4RY/mail.example.net--
"""


class DeliveryCommon(CollectionsCommon):
    """A customer three days overdue, reachable by SMS and email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["collection.message"]
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Lucía Gómez",
                "email": "lucia@example.com",
                "mobile": "+34 612 345 678",
                "country_id": cls.env.ref("base.es").id,
                "tz": "Europe/Madrid",
                "lang": "en_US",
                "collection_consent_sms": True,
            }
        )
        # 10:00 UTC (11:00 in Madrid), 3 days after the due date
        cls.now = datetime.combine(cls.today, time(10, 0))
        cls.make_invoice(cls.customer, 800, due_in=-3)
        # a long reply window: without a failure, the next step would keep
        # the channel of the first one
        cls.env.ref("collections_automation.step_standard_first").response_hours = (
            24 * 30
        )

    def cycle(self, now=None):
        now = now or self.now
        self.env["collection.debtor"]._refresh(now.date(), self.env.company.ids)
        return self.Message._plan(now, company_ids=self.env.company.ids)

    def reminder(self, channel, partner=None):
        """Plan and dispatch the first reminder by ``channel``; its row."""
        partner = partner or self.customer
        partner.collection_preferred_channel = channel
        self.cycle()
        self.Message._dispatch(now=self.now)
        row = self.Message.search(
            [("partner_id", "=", partner.id), ("step_id", "!=", False)]
        ).filtered(lambda m: m.state not in ("cancelled", "refused"))
        self.assertEqual(row.channel, channel)
        self.assertTrue(row.provider_ref, "sent by Odoo's own email or SMS")
        return row

    def next_planned(self, partner=None):
        """The next step, a week later."""
        self.cycle(self.now + timedelta(days=7))
        return self.Message.search(
            [
                ("partner_id", "=", (partner or self.customer).id),
                ("state", "=", "planned"),
            ]
        )

    @contextmanager
    def sms_service_answers(self, state):
        """Odoo's SMS service (IAP) answers every text with ``state``, e.g.
        ``wrong_number_format`` (inside the suite's working gateway)."""

        def contact_iap(local_endpoint, params):
            return [
                {"uuid": number["uuid"], "state": state, "credit": 0}
                for message in params["messages"]
                for number in message["numbers"]
            ]

        with patch.object(SmsApi, "_contact_iap", side_effect=contact_iap):
            yield

    def notes(self, partner=None):
        """Failure notes in the customer's chatter."""
        return (partner or self.customer).message_ids.filtered(
            lambda m: "failed" in (m.body or "")
        )


@tagged("post_install", "-at_install")
class TestDeliveryFailures(DeliveryCommon):
    """A reminder that Odoo's own email or SMS could not deliver fails its
    outbox row, and the next step tries another channel."""

    def commit(self):
        """What committing the transaction does first: Odoo's pre-commit hooks
        run (the test's transaction itself is rolled back at the end)."""
        self.env.cr.flush()

    def bounce(self, row):
        """The customer's mail server returns the email: the mail gateway
        gets the bounce, as the incoming mail server's fetch does."""
        message = self.env["mail.message"].browse(int(row.provider_ref))
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].sudo().message_process(
                None,
                BOUNCE.format(email=row.recipient, message_id=message.message_id),
            )
        self.commit()
        return message.notification_ids

    # === Email === #
    def test_bounced_email_fails_the_row_and_the_next_step_changes_channel(self):
        row = self.reminder("email")
        # the mail queue marked the notification failed while it handed the
        # email over, then sent: only the status it commits with counts
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self._mails), 1, "the email went out")
        self.assertFalse(self.notes())

        notification = self.bounce(row)
        self.assertEqual(notification.notification_status, "bounce")
        self.assertEqual(row.state, "failed")
        self.assertEqual(
            row.error,
            "The email to lucia@example.com bounced: "
            "550 No such person at this address.",
        )
        note = self.notes()
        self.assertEqual(len(note), 1)
        self.assertIn("First reminder", note.body)
        self.assertIn("550 No such person at this address.", note.body)

        second = self.next_planned()
        self.assertEqual(
            second.step_id, self.env.ref("collections_automation.step_standard_second")
        )
        self.assertEqual(second.channel, "sms", "email failed: SMS first")
        self.assertIn("Email went last", second.channel_notes)

    def test_email_sent_later_by_the_mail_queue_keeps_the_row_sent(self):
        """Outside tests Odoo's mail queue sends the email after the dispatch
        commits. It marks the notification failed while it hands the email
        over, then sent: only the status it commits with counts."""
        self.Message = self.Message.with_context(mail_notify_force_send=False)
        row = self.reminder("email")
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", int(row.provider_ref))]
        )
        self.assertEqual(mail.state, "outgoing")
        mail.send()
        self.commit()
        self.assertEqual(mail.state, "sent")
        self.assertEqual(row.state, "sent")
        self.assertFalse(self.notes())
        self.assertEqual(self.next_planned().channel, "email")

    def test_refused_by_the_mail_server_fails_the_row(self):
        refusal = MailDeliveryException(
            "Mail Delivery Failed", "550 5.1.1 <lucia@example.com>: user unknown"
        )
        with (
            patch.object(IrMailServer, "send_email", side_effect=refusal),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            row = self.reminder("email")
        self.assertEqual(row.state, "failed")
        self.assertTrue(row.error.startswith("The email could not be sent: "))
        self.assertIn("550 5.1.1 <lucia@example.com>: user unknown", row.error)
        self.assertEqual(len(self.notes()), 1)
        self.assertEqual(self.next_planned().channel, "sms")

    def test_bounce_after_a_reply_changes_nothing(self):
        row = self.reminder("email")
        with freeze_time(self.now + timedelta(hours=1)):
            self.customer.message_post(
                body="I will pay on Friday.",
                message_type="email",
                author_id=self.customer.id,
            )
        self.assertEqual(row.state, "replied")
        notification = self.bounce(row)
        self.assertEqual(notification.notification_status, "bounce")
        self.assertEqual(row.state, "replied")
        self.assertFalse(row.error)
        self.assertFalse(self.notes())

    # === SMS === #
    def test_failed_sms_fails_the_row_and_the_next_step_changes_channel(self):
        with self.sms_service_answers("wrong_number_format"):
            row = self.reminder("sms")
        sms = self.env["sms.sms"].search(
            [("mail_message_id", "=", int(row.provider_ref))]
        )
        self.assertEqual(sms.failure_type, "sms_number_format")
        self.assertEqual(row.state, "failed")
        self.assertEqual(
            row.error, "The text message could not be sent: Wrong Number Format"
        )
        self.assertIn("Wrong Number Format", self.notes().body)

        second = self.next_planned()
        self.assertEqual(second.channel, "email", "SMS failed: email first")
        self.assertIn("SMS went last", second.channel_notes)

    def test_sent_sms_keeps_the_row_and_its_channel(self):
        row = self.reminder("sms")
        self.commit()
        self.assertEqual(row.state, "sent")
        self.assertEqual(len(self._sms), 1, "the SMS went out")
        self.assertFalse(self.notes())
        self.assertEqual(self.next_planned().channel, "sms")


@tagged("post_install", "-at_install")
class TestSmsDeliveryReports(DeliveryCommon, HttpCase):
    """Odoo's SMS service reports, after the send, that texts did not arrive."""

    def report(self, status, rows):
        """The SMS service posts its delivery reports to Odoo, as IAP does."""
        uuids = (
            self.env["sms.sms"]
            .search([("mail_message_id", "in", [int(r.provider_ref) for r in rows])])
            .mapped("uuid")
        )
        self.assertEqual(len(uuids), len(rows))
        return self.make_jsonrpc_request(
            "/sms/status",
            {"message_statuses": [{"sms_status": status, "uuids": uuids}]},
        )

    def test_undelivered_texts_fail_their_rows_together(self):
        other = self.customer.copy(
            {
                "name": "Ana Souza",
                "email": "ana@example.com",
                "mobile": "+34 622 345 678",
            }
        )
        self.make_invoice(other, 300, due_in=-3)
        rows = self.reminder("sms") | self.reminder("sms", partner=other)
        self.assertEqual(rows.mapped("state"), ["sent", "sent"])

        apply = MailNotification._collection_apply_failures
        with patch.object(
            MailNotification,
            "_collection_apply_failures",
            autospec=True,
            side_effect=apply,
        ) as spy:
            self.assertEqual(self.report("invalid_destination", rows), "OK")
        self.assertEqual(spy.call_count, 1, "one pass for the whole report")
        self.assertEqual(rows.mapped("state"), ["failed", "failed"])
        self.assertEqual(
            set(rows.mapped("error")),
            {"The text message was not delivered: Invalid Destination"},
        )
        self.assertEqual(len(self.notes()), 1)
        self.assertEqual(len(self.notes(other)), 1)
        self.assertEqual(self.next_planned().channel, "email")

        # a late "delivered" does not undo it: the journey moved on already
        self.assertEqual(self.report("delivered", rows), "OK")
        self.assertEqual(rows.mapped("state"), ["failed", "failed"])
