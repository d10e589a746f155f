from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import llm


class ResConfigSettings(models.TransientModel):
    """The optional language model of the AI agent, for the current company
    (admins only: it holds a key)."""

    _inherit = "res.config.settings"

    collection_llm_url = fields.Char(
        related="company_id.collection_llm_url", readonly=False
    )
    collection_llm_model = fields.Char(
        related="company_id.collection_llm_model", readonly=False
    )
    collection_llm_api_key = fields.Char(
        related="company_id.collection_llm_api_key",
        readonly=False,
        groups="base.group_system",
    )
    collection_llm_timeout = fields.Float(
        related="company_id.collection_llm_timeout", readonly=False
    )
    collection_llm_rephrase = fields.Boolean(
        related="company_id.collection_llm_rephrase", readonly=False
    )
    collection_llm_daily_calls = fields.Integer(
        related="company_id.collection_llm_daily_calls", readonly=False
    )

    @api.constrains(
        "collection_llm_url", "collection_llm_model", "collection_llm_timeout"
    )
    def _check_collection_llm(self):
        for settings in self.filtered("collection_llm_url"):
            try:
                llm.LLMConfig.from_dict(
                    {
                        "base_url": settings.collection_llm_url,
                        "model": settings.collection_llm_model or "",
                        "timeout": settings.collection_llm_timeout or 4.0,
                    }
                )
            except ValueError as error:
                raise UserError(
                    self.env._("The LLM settings are not usable: %s", error)
                ) from error
