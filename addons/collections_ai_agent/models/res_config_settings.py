from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import llm


class ResConfigSettings(models.TransientModel):
    """The optional language model of the AI agent (admins only: it holds a key)."""

    _inherit = "res.config.settings"

    collection_llm_url = fields.Char(
        "LLM Endpoint",
        config_parameter="collections_ai_agent.llm_url",
        help="Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 "
        "or http://127.0.0.1:8000/v1. Empty: the agent reads messages offline.",
    )
    collection_llm_model = fields.Char(
        "LLM Model", config_parameter="collections_ai_agent.llm_model"
    )
    collection_llm_api_key = fields.Char(
        "LLM API Key",
        config_parameter="collections_ai_agent.llm_api_key",
        groups="base.group_system",
    )
    collection_llm_timeout = fields.Float(
        "LLM Timeout (s)",
        config_parameter="collections_ai_agent.llm_timeout",
        default=4.0,
        help="Past this, the agent answers with its offline reading.",
    )
    collection_llm_rephrase = fields.Boolean(
        "Let the LLM Word Replies",
        config_parameter="collections_ai_agent.llm_rephrase",
        help="Replies keep every amount, date and link, or the fixed wording is sent.",
    )

    @api.constrains("collection_llm_url", "collection_llm_model")
    def _check_collection_llm(self):
        for settings in self.filtered("collection_llm_url"):
            try:
                llm.LLMConfig.from_dict(
                    {
                        "base_url": settings.collection_llm_url,
                        "model": settings.collection_llm_model or "",
                    }
                )
            except ValueError as error:
                raise UserError(
                    self.env._("The LLM settings are not usable: %s", error)
                ) from error
