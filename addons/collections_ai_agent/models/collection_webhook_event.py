import logging

from odoo import models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)


class CollectionWebhookEvent(models.Model):
    _inherit = "collection.webhook.event"

    def _hand_to_agent(self, partner, channel, text, source=None):
        """Let the AI agent answer. A failure of the agent never loses the
        message: it is in the chatter already, and a person is asked to
        answer it."""
        company = (
            self.company_id
            or (source and source.company_id)
            or partner.company_id
            or self.env.company
        )
        Conversation = self.env["collection.conversation"].sudo().with_company(company)
        try:
            with self.env.cr.savepoint():
                turn, _link = Conversation._converse(
                    partner,
                    company,
                    channel,
                    text,
                    provider=self.provider_id.sudo() or None,
                    source=source,
                )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # the request (or job) is retried whole
        except Exception as error:  # pylint: disable=broad-except
            _logger.exception("AI agent failed on a message of partner %s", partner.id)
            partner.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Answer the customer: the AI agent failed"),
                user_id=partner._collection_follow_up_user(company).id,
                note=self.env._("%(text)s (error: %(error)s)", text=text, error=error),
            )
            return False
        if not turn:
            return False
        return turn.reply if channel == "voice" else True
