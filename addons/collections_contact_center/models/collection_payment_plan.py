"""Payment plans follow the case too: see ``collection_promise.py``."""

from odoo import api, models


class CollectionPaymentPlan(models.Model):
    _name = "collection.payment.plan"
    _inherit = ["collection.payment.plan", "collection.team.scope"]

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        for plan in plans.filtered(lambda p: p.state == "open"):
            first = plan.promise_ids.sorted(lambda p: (p.promise_date, p.id))[:1]
            if not first:
                continue
            first._replace_others()
            case = first._open_case()
            if case:
                case._on_agreement(plan, "plan")
        return plans
