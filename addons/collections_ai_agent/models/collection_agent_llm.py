import logging

from odoo import api, models

from ..engine import llm

_logger = logging.getLogger(__name__)

PARAM_PREFIX = "collections_ai_agent.llm_"


class _Reader:
    """Reads a message like ``nlu.understand`` and remembers what it heard and
    whether the LLM or the offline rules read it."""

    def __init__(self, understand, configured):
        self.understand = understand
        self.configured = configured
        self.last = None

    def __call__(self, text, today, lang=None):
        self.last = self.understand(text, today, lang=lang)
        return self.last

    @property
    def fallback(self):
        return getattr(self.understand, "last_fallback", None)


class CollectionAgentLLM(models.AbstractModel):
    """The optional LLM endpoint of Settings, for reading and wording only.

    Not configured, failing or slow, the agent reads messages with its own
    rules (``engine.nlu``); the negotiation policy decides either way.
    """

    _name = "collection.agent.llm"
    _description = "AI Agent Language Model"

    @api.model
    def _config(self):
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param(f"{PARAM_PREFIX}url") or "").strip()
        if not url:
            return None
        return {
            "base_url": url,
            "model": params.get_param(f"{PARAM_PREFIX}model") or "",
            "api_key": params.get_param(f"{PARAM_PREFIX}api_key") or "",
            "timeout": float(params.get_param(f"{PARAM_PREFIX}timeout") or 4.0),
        }

    @api.model
    def _build(self):
        config = self._config()
        try:
            return llm.build(config), bool(config)
        except ValueError as error:
            _logger.warning(
                "AI agent LLM settings unusable, reading offline: %s", error
            )
            return llm.build(None), False

    @api.model
    def _understander(self):
        (understand, _rephrase), configured = self._build()
        return _Reader(understand, configured)

    @api.model
    def _last_reading(self, reader):
        """``(via, why the offline rules answered)`` for the last message."""
        if not reader.configured:
            return "offline", False
        if reader.fallback:
            return "fallback", str(reader.fallback)[:200]
        return "llm", False

    @api.model
    def _rephrase(self, reply, lang):
        params = self.env["ir.config_parameter"].sudo()
        if not params.get_param(f"{PARAM_PREFIX}rephrase"):
            return reply
        (_understand, rephrase), _configured = self._build()
        return rephrase(reply, lang)
