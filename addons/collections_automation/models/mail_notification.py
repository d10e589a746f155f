import logging
import re

from odoo import api, fields, models
from odoo.tools import SQL

from ..engine import outbox

_logger = logging.getLogger(__name__)

#: Notification statuses that mean the message did not reach the customer.
FAILED_STATUSES = ("bounce", "exception")
#: Key of the notifications to check when the transaction commits.
PRECOMMIT_KEY = "collections_automation.failed_notifications"
#: The reply of the receiving mail server in a bounce ("550 5.1.1 No such
#: user"), the part a person can read in a delivery status notification.
SMTP_REPLY = re.compile(r"\b([45]\d\d(?:[ -][245]\.\d{1,3}\.\d{1,3})?\s[^()<>]{3,200})")
#: At most this many characters of a server's or a gateway's words on the row.
DETAIL_MAX = 200


class MailNotification(models.Model):
    """Failures of Odoo's own email and SMS fail the outbox row that sent them.

    Odoo records what became of a message per recipient on ``mail.notification``:
    the mail gateway sets ``bounce`` when an email bounces, the mail queue
    ``exception`` when sending fails, the SMS queue and its delivery reports
    ``exception`` or ``bounce`` with a failure type. This is the one place all
    three pass through. A row sent by Odoo's email or SMS
    (``collection.message._send_email`` / ``_send_sms``) holds the id of the
    chatter message it posted in ``provider_ref``; a failure of that message
    for that customer, on that channel, fails the row with the reason in
    words and a note in the customer's chatter, so the next step tries
    another channel (``engine/journeys.py``, ``escalate_channels``).

    The statuses are read when the transaction commits, not when written:
    the mail queue marks every notification ``exception`` just before it
    hands the email to the server, and ``sent`` once the server took it; only
    the status a notification commits with counts. The outbox's state machine
    (``engine/outbox.py``, :func:`receipt_target`) decides: only rows that went
    out and are not known to have arrived fail; a row already delivered,
    read or replied stays so. A later success (someone resends the email from
    the chatter) does not undo the failure: the journey may already have
    moved to another channel, and the row's Retry button is there for that.
    """

    _inherit = "mail.notification"

    @api.model_create_multi
    def create(self, vals_list):
        notifications = super().create(vals_list)
        if any(
            vals.get("notification_status") in FAILED_STATUSES for vals in vals_list
        ):
            notifications.filtered(
                lambda n: n.notification_status in FAILED_STATUSES
            )._collection_check_at_commit()
        return notifications

    def write(self, vals):
        result = super().write(vals)
        if vals.get("notification_status") in FAILED_STATUSES:
            self._collection_check_at_commit()
        return result

    def _collection_check_at_commit(self):
        """Remember these notifications; one hook per transaction reads them
        all when it commits."""
        if not self:
            return
        precommit = self.env.cr.precommit
        pending = precommit.data.get(PRECOMMIT_KEY)
        if pending is None:
            pending = precommit.data[PRECOMMIT_KEY] = set()
            precommit.add(self.sudo()._collection_fail_messages)
        pending.update(self.ids)

    def _collection_fail_messages(self):
        """Pre-commit hook: fail the outbox rows whose message failed.

        Never lets an error stop the commit of what Odoo was doing (a bounce
        processed, an SMS batch sent): it is logged and the rows stay as
        they were.
        """
        ids = self.env.cr.precommit.data.pop(PRECOMMIT_KEY, None)
        if not ids:
            return
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self._collection_apply_failures(sorted(ids))
                self.env.flush_all()
        except Exception:
            self.env.transaction.clear()
            _logger.exception(
                "Could not mark outbox rows failed for notifications %s", sorted(ids)
            )

    @api.model
    def _collection_apply_failures(self, notification_ids):
        """Fail, in one statement, the outbox rows these failed notifications
        concern; log each failure in its customer's chatter.

        :return: the rows failed
        """
        Message = self.env["collection.message"].sudo()
        self.env.cr.execute(
            SQL(
                """
                SELECT n.id, m.id, m.state
                  FROM mail_notification n
                  JOIN mail_message mm ON mm.id = n.mail_message_id
                  JOIN collection_message m
                    ON m.provider_ref = n.mail_message_id::text
                   AND m.partner_id = n.res_partner_id
                   AND m.channel = n.notification_type
                 WHERE n.id = ANY(%s)
                   AND n.notification_status = ANY(%s)
                   AND mm.model = 'res.partner' AND mm.res_id = m.partner_id
                """,
                notification_ids,
                list(FAILED_STATUSES),
            )
        )
        failing = {
            message_id: notification_id
            for notification_id, message_id, state in self.env.cr.fetchall()
            if outbox.receipt_target(state, "failed") == "failed"
        }
        if not failing:
            return Message
        notifications = self.browse(failing.values())
        reasons = {
            message_id: notifications.browse(notification_id)._collection_reason()
            for message_id, notification_id in failing.items()
        }
        self.env.cr.execute(
            SQL(
                """
                UPDATE collection_message m
                   SET state = %s, error = v.reason,
                       write_date = %s, write_uid = %s
                  FROM unnest(%s::int[], %s::text[]) AS v(id, reason)
                 WHERE m.id = v.id AND m.state = ANY(%s)
             RETURNING m.id
                """,
                outbox.receipt_target("sent", "failed"),
                fields.Datetime.now(),
                self.env.uid,
                list(reasons),
                list(reasons.values()),
                list(outbox.receipt_sources("failed")),
            )
        )
        failed = Message.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        failed.invalidate_recordset(["state", "error", "write_date", "write_uid"])
        failed._log_failed()
        return failed

    def _collection_reason(self):
        """Why this notification's message did not arrive, in words."""
        self.ensure_one()
        label = dict(self._fields["failure_type"]._description_selection(self.env))
        cause = label.get(self.failure_type) or ""
        detail = " ".join((self.failure_reason or "").split())
        if self.notification_status != "bounce" or self.notification_type == "sms":
            detail = _shorten(detail)
        if self.notification_type == "sms":
            reason = ", ".join(filter(None, [cause, detail])) or self.env._(
                "no reason given"
            )
            if self.notification_status == "bounce":
                return self.env._("The text message was not delivered: %s", reason)
            return self.env._("The text message could not be sent: %s", reason)
        if self.notification_status == "bounce":
            address = self.res_partner_id.email or ""
            detail = _bounce_detail(detail)
            if detail:
                return self.env._(
                    "The email to %(address)s bounced: %(detail)s",
                    address=address,
                    detail=detail,
                )
            return self.env._("The email to %s bounced.", address)
        reason = ": ".join(filter(None, [cause, detail])) or self.env._(
            "no reason given"
        )
        return self.env._("The email could not be sent: %s", reason)


def _bounce_detail(text):
    """The receiving server's answer in a bounce, else its first words.

    >>> _bounce_detail("I'm sorry. <a@b.c>: host x said: 550 No such user. (in reply)")
    '550 No such user.'
    """
    found = SMTP_REPLY.search(text)
    return _shorten(found.group(1) if found else text)


def _shorten(text):
    """At most :data:`DETAIL_MAX` characters, cut with an ellipsis."""
    text = text.strip()
    if len(text) > DETAIL_MAX:
        text = text[: DETAIL_MAX - 1].rstrip() + "…"
    return text
