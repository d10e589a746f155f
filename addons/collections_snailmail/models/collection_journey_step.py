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

    def _problems(self, company):
        """A letter is what post needs: no "no Post template" warning, and the
        step can send when post is its only usable channel."""
        blocking, warnings = super()._problems(company)
        if (
            self.action == "escalate"
            or "post" not in self._channel_order()
            or not self._post_letter()
        ):
            return blocking, warnings
        labels = dict(self._fields["channel"]._description_selection(self.env))
        missing = self.env._(
            "Step %(step)s: no %(channel)s template, so %(channel)s is "
            "always passed over.",
            step=self.name or self.env._("(new step)"),
            channel=labels.get("post", "post"),
        )
        if missing in warnings:
            warnings = [line for line in warnings if line != missing]
            # post is usable: the step can send something
            blocking = []
        return blocking, warnings
