from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _collection_consents(self):
        """A letter by post needs no consent of its own (do-not-contact,
        holds and the contact policy's calendar still bind it)."""
        return {**super()._collection_consents(), "post": True}
