from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import journeys as journey_engine
from .res_partner import CHANNEL_SELECTION


class CollectionJourneyStep(models.Model):
    """One step of a journey: when, on which channels, with which words.

    The step is due ``offset_days`` after its anchor (the oldest unpaid due
    date, or the date a promise was broken). Channels are tried in order,
    the preferred one first; the first the contact policy allows and that has
    a template in the step is used.
    """

    _name = "collection.journey.step"
    _description = "Collection Journey Step"
    _order = "journey_id, sequence, id"

    journey_id = fields.Many2one(
        "collection.journey", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="journey_id.company_id", store=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    offset_days = fields.Integer(
        "Day", help="Days after the anchor date; negative: before the due date."
    )
    anchor = fields.Selection(
        [("due", "Due date"), ("broken_promise", "Broken promise")],
        required=True,
        default="due",
    )
    action = fields.Selection(
        [("message", "Send a message"), ("escalate", "Escalate to a collector")],
        required=True,
        default="message",
    )
    channel = fields.Selection(
        CHANNEL_SELECTION,
        "Preferred Channel",
        default="email",
    )
    fallback_channels = fields.Char(
        default="email,sms",
        help="Channels tried, in the order picked, when the preferred one is "
        "refused or has no template. Kept as channel codes separated by commas "
        "(sms,email), as the planner reads them.",
    )
    template_ids = fields.Many2many(
        "collection.template",
        string="Templates",
        help="One per channel the step may use.",
    )
    variant_ids = fields.One2many(
        "collection.journey.variant", "step_id", "A/B Variants"
    )
    min_amount = fields.Float(
        "Only Above", help="Skip customers owing less than this overdue amount."
    )
    response_hours = fields.Integer(
        "Wait for Reply (hours)",
        default=48,
        help="When this step's message is not delivered, or not answered within "
        "these hours, the next step starts with the next allowed channel.",
    )
    only_if_no_reply = fields.Boolean(
        "Only Without Reply", help="Skip customers who replied since the last step."
    )
    attach_invoices = fields.Boolean(
        "Attach the Invoices",
        help="Email reminders of this step carry the PDF of each open invoice "
        "they list.",
    )

    # === CRUD === #
    @api.model_create_multi
    def create(self, vals_list):
        self._check_journeys_writable(vals_list)
        steps = super().create(vals_list)
        steps.journey_id._check_still_runs()
        return steps

    def write(self, vals):
        self._check_journeys_writable([vals])
        journeys = self.journey_id
        result = super().write(vals)
        (journeys | self.journey_id)._check_still_runs()
        return result

    def unlink(self):
        journeys = self.journey_id
        result = super().unlink()
        journeys._check_still_runs()
        return result

    @api.model
    def _check_journeys_writable(self, vals_list):
        """A step goes only into a journey its author may edit (not one of
        a company they do not work in)."""
        ids = {vals["journey_id"] for vals in vals_list if vals.get("journey_id")}
        self.env["collection.journey"].browse(ids).check_access("write")

    # === Late fees and interest (engine/fees.py, models/collection_fee.py) === #
    late_fee_currency_id = fields.Many2one(
        "res.currency", compute="_compute_late_fee_currency_id"
    )
    late_fee_fixed = fields.Monetary(
        "Late Fee",
        currency_field="late_fee_currency_id",
        help="A fixed fee charged once to each customer this step runs for, in "
        "the currency of the customer's company (Settings > Collections says "
        "with which product and whether the fee invoice is posted).",
    )
    late_fee_rate = fields.Float(
        "Interest (% a year)",
        digits=(16, 2),
        help="Simple interest on each overdue invoice, percent a year, counted "
        "day by day (actual/365) from its due date, or from the day interest "
        "was last charged to the customer, to the day this step runs.",
    )
    problems = fields.Text(
        compute="_compute_problems",
        help="What this step will always pass over, or why it can never send.",
    )

    # === Compute === #
    @api.depends(
        "action",
        "channel",
        "fallback_channels",
        "template_ids",
        "variant_ids.template_ids",
        "journey_id.company_id",
    )
    def _compute_problems(self):
        for step in self:
            company = step.journey_id.company_id or self.env.company
            blocking, warnings = step._problems(company)
            step.problems = "\n".join(blocking + warnings) or False

    # === Constraint === #
    @api.depends("company_id")
    def _compute_late_fee_currency_id(self):
        for step in self:
            step.late_fee_currency_id = (
                step.company_id.currency_id or self.env.company.currency_id
            )

    @api.constrains("late_fee_fixed", "late_fee_rate")
    def _check_late_fee(self):
        for step in self:
            if step.late_fee_fixed < 0 or step.late_fee_rate < 0:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: a late fee or an interest rate cannot be "
                        "negative.",
                        step=step.name,
                    )
                )

    def _charges_late_fee(self):
        """Whether this step charges a fee or interest when it runs."""
        self.ensure_one()
        return self.late_fee_fixed > 0 or self.late_fee_rate > 0

    @api.constrains("fallback_channels")
    def _check_fallback_channels(self):
        valid = {key for key, _label in self._fields["channel"].selection}
        for step in self:
            unknown = set(step._channel_order()) - valid
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Unknown channel(s) %(channels)s; use %(valid)s.",
                        channels=", ".join(sorted(unknown)),
                        valid=", ".join(sorted(valid)),
                    )
                )

    def _problems(self, company):
        """``(blocking, warnings)`` of this step for ``company``, in words:
        channels always passed over (no provider, no template), templates
        never used, and a step that can never send anything."""
        self.ensure_one()
        if self.action == "escalate":
            return [], []
        Message = self.env["collection.message"]
        step_name = self.name or self.env._("(new step)")
        labels = dict(self._fields["channel"]._description_selection(self.env))
        templates = self.template_ids | self.variant_ids.template_ids
        usable, warnings = [], []
        for channel in self._channel_order():
            label = labels.get(channel, channel)
            if not Message._channel_available(channel, company):
                warnings.append(
                    self.env._(
                        "Step %(step)s: %(channel)s has no provider in %(company)s, "
                        "so it is always passed over.",
                        step=step_name,
                        channel=label,
                        company=company.name,
                    )
                )
            elif not self._has_content_for(channel, templates):
                warnings.append(
                    self.env._(
                        "Step %(step)s: no %(channel)s template, so %(channel)s is "
                        "always passed over.",
                        step=step_name,
                        channel=label,
                    )
                )
            else:
                usable.append(channel)
        for channel in sorted(set(self.template_ids.mapped("channel"))):
            same = self.template_ids.filtered(lambda t, c=channel: t.channel == c)
            if len(same) > 1:
                warnings.append(
                    self.env._(
                        "Step %(step)s has %(count)s %(channel)s templates: only "
                        "%(first)s is used.",
                        step=step_name,
                        count=len(same),
                        channel=labels.get(channel, channel),
                        first=same[0].name,
                    )
                )
        blocking = []
        if not usable:
            blocking.append(
                self.env._(
                    "Step %(step)s has no channel with both a provider and a "
                    "template: it can never send anything.",
                    step=step_name,
                )
            )
        return blocking, warnings

    def _has_content_for(self, channel, templates):
        """Whether the step has something to send on ``channel``: a template
        of it among ``templates`` (a bridge adds its own, e.g. the step's
        letter for post)."""
        return bool(templates.filtered(lambda t: t.channel == channel))

    def _channel_order(self):
        """Preferred channel first, then the fallbacks, without repeats."""
        self.ensure_one()
        order = [self.channel] if self.channel else []
        for channel in (self.fallback_channels or "").split(","):
            channel = channel.strip()
            if channel and channel not in order:
                order.append(channel)
        return tuple(order)

    def _to_engine(self):
        return [
            journey_engine.JourneyStep(
                step_id=step.id,
                sequence=step.sequence,
                offset_days=step.offset_days,
                anchor=step.anchor,
                channels=step._channel_order(),
                template="",
                action=step.action,
                min_amount=step.min_amount or None,
                only_if_no_reply=step.only_if_no_reply,
                variants=tuple(
                    journey_engine.Variant(v.code, v.weight, str(v.id))
                    for v in step.variant_ids
                ),
            )
            for step in self
        ]

    def _template_for(self, channel, variant=None):
        """The template of ``channel`` in the variant, else in the step."""
        self.ensure_one()
        for templates in (variant.template_ids if variant else None, self.template_ids):
            if templates:
                found = templates.filtered(lambda t: t.channel == channel)[:1]
                if found:
                    return found
        return self.env["collection.template"]
