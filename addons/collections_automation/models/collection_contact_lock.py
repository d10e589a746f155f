from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import pg_array


class CollectionContactLock(models.Model):
    """One row per customer, rewritten by every decision to contact them at
    send time: two send jobs never decide for one customer at once.

    The caps and cool-downs count what went out before (the contact
    history). Two jobs sending to one customer at the same minute (an SMS
    through one provider, a WhatsApp through another, both released at
    09:00) each read a history without the other's contact, and both would
    go out: one contact a day became two. Each job rewrites its customers'
    rows here before it reads their history. The second job waits for the
    first to commit its claim, then PostgreSQL refuses its stale view
    ("could not serialize access"): the job queue runs it again a few
    seconds later (``queue_job``'s retry on concurrency errors), when it
    reads the first job's contact in the history.
    """

    _name = "collection.contact.lock"
    _description = "Contact Decision Lock"
    _rec_name = "partner_id"
    # Kept by SQL only (see init): no log columns, no foreign key (a row of
    # a deleted customer is never read again).
    _auto = False
    _log_access = False

    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    decided_at = fields.Datetime(
        "Last Decision", readonly=True, help="When a send job last decided."
    )

    def init(self):
        self.env.cr.execute(
            """
            CREATE TABLE IF NOT EXISTS collection_contact_lock (
                id SERIAL PRIMARY KEY,
                partner_id INTEGER NOT NULL UNIQUE,
                decided_at TIMESTAMP
            )
            """
        )

    @api.model
    def _take(self, partner_ids, now):
        """Rewrite the rows of ``partner_ids``, in their order (two jobs
        taking the same customers never wait for each other in a circle).
        Raises PostgreSQL's serialization failure when another transaction
        decided for one of them since this one began."""
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_contact_lock (partner_id, decided_at)
                SELECT UNNEST(%s::int[]), %s
                ON CONFLICT (partner_id) DO UPDATE SET decided_at = EXCLUDED.decided_at
                """,
                pg_array(sorted(set(partner_ids))),
                now,
            )
        )
