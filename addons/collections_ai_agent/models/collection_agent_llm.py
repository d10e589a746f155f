import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..engine import llm

_logger = logging.getLogger(__name__)

#: Before the settings were per company they were these system parameters;
#: they are moved to every company without an endpoint of its own on update.
PARAM_PREFIX = "collections_ai_agent.llm_"
DEFAULT_DAILY_CALLS = 2000
USAGE_TABLE = "collection_agent_usage"
USAGE_KEPT_DAYS = 2


class ResCompany(models.Model):
    """The optional language model of the AI agent, one per company."""

    _inherit = "res.company"

    collection_llm_url = fields.Char(
        "LLM Endpoint",
        help="Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 "
        "or http://127.0.0.1:8000/v1. Empty: the agent reads messages offline.",
    )
    collection_llm_model = fields.Char("LLM Model")
    collection_llm_api_key = fields.Char("LLM API Key", groups="base.group_system")
    collection_llm_timeout = fields.Float(
        "LLM Timeout (s)",
        default=4.0,
        help="Past this, the agent answers with its offline reading.",
    )
    collection_llm_rephrase = fields.Boolean(
        "Let the LLM Word Replies",
        help="Replies keep every amount, date, link and choice and add no waiver, "
        "discount or threat, or the fixed wording is sent.",
    )
    collection_llm_daily_calls = fields.Integer(
        "LLM Calls per Day",
        default=DEFAULT_DAILY_CALLS,
        help="Model calls this company may make in any 24 hours; past them the "
        "agent reads and answers offline until the oldest calls age out.",
    )

    @api.constrains("collection_llm_daily_calls")
    def _check_collection_llm_daily_calls(self):
        if any(company.collection_llm_daily_calls < 0 for company in self):
            raise ValidationError(
                self.env._("The LLM calls per day cannot be negative.")
            )

    def _collection_llm_from_parameters(self):
        """Move the former system-wide LLM parameters to every company that has
        no endpoint of its own, then drop them (idempotent; run once by
        ``migrations/18.0.1.2.0/post-migrate.py``)."""
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param(f"{PARAM_PREFIX}url") or "").strip()
        if url:
            try:
                timeout = float(params.get_param(f"{PARAM_PREFIX}timeout") or 4.0)
            except ValueError:
                timeout = 4.0
            companies = self.sudo().search([("collection_llm_url", "in", (False, ""))])
            companies.write(
                {
                    "collection_llm_url": url,
                    "collection_llm_model": params.get_param(f"{PARAM_PREFIX}model")
                    or "",
                    "collection_llm_api_key": params.get_param(f"{PARAM_PREFIX}api_key")
                    or "",
                    "collection_llm_timeout": timeout,
                    "collection_llm_rephrase": bool(
                        params.get_param(f"{PARAM_PREFIX}rephrase")
                    ),
                }
            )
        for name in ("url", "model", "api_key", "timeout", "rephrase"):
            params.search([("key", "=", f"{PARAM_PREFIX}{name}")]).unlink()


class CollectionAgentBudget(models.AbstractModel):
    """What the agent's public surface has spent recently, shared by all workers.

    One row per portal chat message (invoice and client address) and per
    model call (company) in the ``collection_agent_usage`` table; counting and
    adding happen in a cursor of their own, under an advisory lock per key, and
    are committed at once, so that every worker sees them and a limit is not
    overshot by parallel requests. Rows older than two days are dropped daily.
    """

    _name = "collection.agent.budget"
    _description = "AI Agent Budget"

    def init(self):
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %(table)s (
                    id bigserial PRIMARY KEY,
                    kind varchar NOT NULL,
                    company_id integer,
                    invoice_id integer,
                    address varchar,
                    at timestamp NOT NULL
                );
                CREATE INDEX IF NOT EXISTS collection_agent_usage_company_idx
                    ON %(table)s (kind, company_id, at);
                CREATE INDEX IF NOT EXISTS collection_agent_usage_invoice_idx
                    ON %(table)s (kind, invoice_id, at);
                CREATE INDEX IF NOT EXISTS collection_agent_usage_address_idx
                    ON %(table)s (kind, address, at);
                CREATE INDEX IF NOT EXISTS collection_agent_usage_at_idx
                    ON %(table)s (at);
                """,
                table=SQL.identifier(USAGE_TABLE),
            )
        )

    @api.model
    def _take(self, kind, limits, now=None, **values):
        """Count one use of ``kind`` unless a limit is reached.

        :param limits: ``[(column, value, limit, seconds)]``: at most ``limit``
            uses with that ``column`` value in the last ``seconds``
        :param values: the row's ``company_id``, ``invoice_id``, ``address``
        :return: the first ``column`` whose limit is reached (nothing is
            counted then), or None (the use is counted)
        """
        now = now or fields.Datetime.now()
        with self.env.registry.cursor() as cr:
            if not self.env.registry.in_test_mode():
                # each count after the lock sees what the previous holder
                # committed (REPEATABLE READ would keep the older snapshot)
                cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
            for column, value, _limit, _seconds in limits:
                cr.execute(
                    SQL(
                        "SELECT pg_advisory_xact_lock(hashtext(%s))",
                        f"{USAGE_TABLE}:{kind}:{column}:{value}",
                    )
                )
            for column, value, limit, seconds in limits:
                cr.execute(
                    SQL(
                        "SELECT count(*) FROM %s WHERE kind = %s AND %s = %s "
                        "AND at > %s",
                        SQL.identifier(USAGE_TABLE),
                        kind,
                        SQL.identifier(column),
                        value,
                        now - timedelta(seconds=seconds),
                    )
                )
                if cr.fetchone()[0] >= limit:
                    return column
            cr.execute(
                SQL(
                    "INSERT INTO %s (kind, company_id, invoice_id, address, at) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    SQL.identifier(USAGE_TABLE),
                    kind,
                    values.get("company_id"),
                    values.get("invoice_id"),
                    values.get("address"),
                    now,
                )
            )
        return None

    @api.autovacuum
    def _gc_usage(self):
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE at < %s",
                SQL.identifier(USAGE_TABLE),
                fields.Datetime.now() - timedelta(days=USAGE_KEPT_DAYS),
            )
        )


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
    """The optional LLM endpoint of the current company, for reading and
    wording only.

    Not configured, failing, slow or past the company's daily calls, the agent
    reads messages with its own rules (``engine.nlu``) and sends its fixed
    wording; the negotiation policy decides either way.
    """

    _name = "collection.agent.llm"
    _description = "AI Agent Language Model"

    @api.model
    def _config(self, company=None):
        company = (company or self.env.company).sudo()
        url = (company.collection_llm_url or "").strip()
        if not url:
            return None
        return {
            "base_url": url,
            "model": company.collection_llm_model or "",
            "api_key": company.collection_llm_api_key or "",
            "timeout": company.collection_llm_timeout or 4.0,
        }

    @api.model
    def _permit(self, company):
        """Whether ``company`` may make one more model call (and count it)."""
        cap = company.sudo().collection_llm_daily_calls
        limits = [("company_id", company.id, cap, 24 * 3600)]
        spent = self.env["collection.agent.budget"]._take(
            "llm", limits, company_id=company.id
        )
        if spent:
            _logger.info(
                "AI agent: %s reached its %s LLM calls a day; answering offline",
                company.name,
                cap,
            )
        return not spent

    @api.model
    def _build(self, company=None):
        company = company or self.env.company
        config = self._config(company)
        try:
            built = llm.build(config, permit=lambda: self._permit(company))
            return built, bool(config)
        except ValueError as error:
            _logger.warning(
                "AI agent LLM settings unusable, reading offline: %s", error
            )
            return llm.build(None), False

    @api.model
    def _understander(self, company=None):
        (understand, _rephrase), configured = self._build(company)
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
    def _rephrase(self, reply, lang, company=None):
        company = company or self.env.company
        if not company.sudo().collection_llm_rephrase:
            return reply
        (_understand, rephrase), _configured = self._build(company)
        return rephrase(reply, lang)
