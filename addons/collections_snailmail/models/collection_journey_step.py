from odoo import fields, models


class CollectionJourneyStep(models.Model):
    """A step may send its dunning letter by post: for the "post" channel the
    step's letter (``collection.letter``) plays the template's role."""

    _inherit = "collection.journey.step"

    channel = fields.Selection(
        selection_add=[("post", "Post")], ondelete={"post": "set default"}
    )

    def _post_letter(self):
        """The dunning letter of this step, if any."""
        self.ensure_one()
        return (
            self.env["collection.letter"]
            .sudo()
            .search([("step_id", "=", self.id)], limit=1)
        )

    def _template_for(self, channel, variant=None):
        """For post, the step's letter (the planner only needs to know there
        is something to send; the row keeps no template, see
        ``collection.planner._choose_channel``)."""
        if channel == "post":
            return self._post_letter()
        return super()._template_for(channel, variant)

    def _has_content_for(self, channel, templates):
        """A letter is what post needs: no "no Post template" warning, and the
        step can send when post is its only usable channel."""
        if channel == "post":
            return bool(self._post_letter())
        return super()._has_content_for(channel, templates)
