import logging
import re
import threading
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..channels import generic, twilio, whatsapp

_logger = logging.getLogger(__name__)

#: Channels each kind of provider can carry.
KIND_CHANNELS = {
    "whatsapp": ("whatsapp",),
    "twilio": ("sms", "voice"),
    "generic": ("sms", "whatsapp", "voice", "email"),
}
#: queue_job channel of Odoo's own email and SMS.
ODOO_JOB_CHANNEL = "root.collections.odoo"
SECRET_GROUP = "base.group_system"
WEBHOOK_PATH = "/collections/webhook"
# adapters keep a requests session (keep-alive) per provider and process
_ADAPTERS = {}
_ADAPTERS_LOCK = threading.Lock()


class CollectionProvider(models.Model):
    """An external gateway that carries reminders: WhatsApp, Twilio, generic.

    Credentials are fields of their own readable by admins only (``groups``)
    and handed to the adapter through ``sudo``; no error, log line or view
    shows them. Each kind dispatches on its own queue_job channel
    (``root.collections.<kind>``), whose capacity the job runner's
    configuration sets, and paces itself to :attr:`rate_limit` across every
    worker and server through :meth:`_reserve_slots`.
    """

    _name = "collection.provider"
    _description = "Collection Channel Provider"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [
            ("whatsapp", "WhatsApp Business Cloud API"),
            ("twilio", "Twilio (SMS and voice)"),
            ("generic", "Generic signed webhook"),
        ],
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    use_for_sms = fields.Boolean("SMS")
    use_for_whatsapp = fields.Boolean("WhatsApp")
    use_for_voice = fields.Boolean("Voice Calls")
    use_for_email = fields.Boolean("Email")
    base_url = fields.Char(
        "API Base URL",
        groups=SECRET_GROUP,
        help="Leave empty for the provider's own; set for a proxy or a sandbox.",
    )
    timeout = fields.Float("Timeout (s)", default=10.0)
    rate_limit = fields.Float(
        "Rate Limit (messages/s)",
        default=20.0,
        help="Shared by every worker and server; 0 means no limit.",
    )
    batch_size = fields.Integer(default=200, help="Messages per dispatch job.")
    max_attempts = fields.Integer(
        default=5, help="Attempts on a temporary error before the row fails."
    )
    next_slot_at = fields.Datetime(readonly=True, copy=False)
    # --- WhatsApp Business Cloud API
    whatsapp_phone_number_id = fields.Char("Phone Number ID", copy=False)
    whatsapp_api_version = fields.Char("Graph API Version", default="v21.0")
    whatsapp_access_token = fields.Char("Access Token", groups=SECRET_GROUP, copy=False)
    whatsapp_app_secret = fields.Char("App Secret", groups=SECRET_GROUP, copy=False)
    whatsapp_verify_token = fields.Char(
        "Webhook Verify Token", groups=SECRET_GROUP, copy=False
    )
    # --- Twilio
    twilio_account_sid = fields.Char("Account SID", copy=False)
    twilio_auth_token = fields.Char("Auth Token", groups=SECRET_GROUP, copy=False)
    twilio_from_number = fields.Char("From Number")
    voice_transfer_number = fields.Char(
        "Collectors' Number",
        help="Where a call goes when the customer asks for a person (E.164).",
    )
    # --- Generic signed webhook
    generic_url = fields.Char("Endpoint URL", groups=SECRET_GROUP)
    generic_secret = fields.Char("Signing Secret", groups=SECRET_GROUP, copy=False)

    job_channel = fields.Char(compute="_compute_job_channel")
    webhook_url = fields.Char(compute="_compute_webhook_url")

    _sql_constraints = [
        ("batch_size_positive", "CHECK(batch_size > 0)", "Batch size must be > 0."),
        ("rate_limit_positive", "CHECK(rate_limit >= 0)", "Rate limit must be >= 0."),
    ]

    @api.depends("kind")
    def _compute_job_channel(self):
        for provider in self:
            provider.job_channel = f"root.collections.{provider.kind}"

    @api.depends("kind")
    def _compute_webhook_url(self):
        """Where the provider posts its receipts and replies; none until the
        kind is chosen."""
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        for provider in self:
            provider.webhook_url = (
                f"{base.rstrip('/')}{WEBHOOK_PATH}/{provider.kind}"
                if provider.kind
                else False
            )

    @api.constrains("kind", "use_for_sms", "use_for_whatsapp", "use_for_voice")
    def _check_channels(self):
        for provider in self:
            wrong = [
                channel
                for channel in provider._channels()
                if channel not in KIND_CHANNELS[provider.kind]
            ]
            if wrong:
                raise ValidationError(
                    self.env._(
                        "%(provider)s cannot carry %(channels)s.",
                        provider=provider.name,
                        channels=", ".join(wrong),
                    )
                )

    @api.constrains("voice_transfer_number")
    def _check_transfer_number(self):
        for provider in self.filtered("voice_transfer_number"):
            if not re.fullmatch(r"\+[1-9]\d{6,14}", provider.voice_transfer_number):
                raise ValidationError(
                    self.env._(
                        "The collectors' number must be in international format, "
                        "e.g. +525511110000."
                    )
                )

    @api.constrains("kind", "whatsapp_phone_number_id", "active")
    def _check_whatsapp_number(self):
        """A WhatsApp number's events go to the one provider that owns it."""
        for provider in self.filtered(
            lambda p: p.kind == "whatsapp" and p.active and p.whatsapp_phone_number_id
        ):
            number_id = provider.whatsapp_phone_number_id.strip()
            others = self.sudo().search(
                [
                    ("id", "!=", provider.id),
                    ("kind", "=", "whatsapp"),
                    ("whatsapp_phone_number_id", "=", number_id),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "The WhatsApp phone number ID %(number)s is used by "
                        "%(provider)s already: each number belongs to one provider.",
                        number=number_id,
                        provider=others[0].display_name,
                    )
                )

    @api.model
    def _whatsapp_owner(self, phone_number_id, candidates):
        """The provider among ``candidates`` that owns ``phone_number_id``.

        Meta names the business number of every change; without one, a
        single candidate is taken.
        """
        if not phone_number_id:
            return candidates if len(candidates) == 1 else self.browse()
        return candidates.filtered(
            lambda p: (p.whatsapp_phone_number_id or "").strip() == phone_number_id
        )[:1]

    def _channels(self):
        self.ensure_one()
        return [
            channel
            for channel in ("sms", "whatsapp", "voice", "email")
            if self[f"use_for_{channel}"]
        ]

    @api.model
    def _routes(self, company_ids):
        """``{(company_id, channel): provider}`` of the active providers."""
        routes = {}
        for provider in self.sudo().search(
            [("company_id", "in", list(company_ids))], order="sequence, id"
        ):
            for channel in provider._channels():
                routes.setdefault((provider.company_id.id, channel), provider)
        return routes

    @api.model
    @tools.ormcache("company_id", "channel")
    def _route_id(self, company_id, channel):
        """Id of the provider the company routes ``channel`` through, or None
        (cached: webhooks ask it once per receipt)."""
        provider = self._routes([company_id]).get((company_id, channel))
        return provider.id if provider else None

    @api.model
    @tools.ormcache("company_id")
    def _channels_of(self, company_id):
        """Channels the company's active providers carry (cached)."""
        providers = self.sudo().search([("company_id", "=", company_id)])
        return frozenset(c for provider in providers for c in provider._channels())

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) & {"active", "company_id", "sequence", "kind"} or any(
            key.startswith("use_for_") for key in vals
        ):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def _resend_is_safe(self):
        """Whether sending a row again cannot reach the customer twice: the
        generic protocol deduplicates by ``Idempotency-Key``."""
        self.ensure_one()
        return self.kind == "generic"

    # === Adapters === #
    def _adapter(self):
        """The adapter of this provider, kept per process for keep-alive.

        Rebuilt when the record changes (``write_date`` is in the key).
        """
        self.ensure_one()
        provider = self.sudo()
        key = (self.env.cr.dbname, provider.id, provider.write_date)
        with _ADAPTERS_LOCK:
            adapter = _ADAPTERS.get(key)
            if adapter is None:
                for stale in [k for k in _ADAPTERS if k[:2] == key[:2]]:
                    _ADAPTERS.pop(stale).close()
                adapter = _ADAPTERS[key] = provider._build_adapter()
        return adapter

    def _build_adapter(self):
        timeout = self.timeout or 10.0
        options = {"timeout": timeout}
        if self.base_url and self.kind != "generic":
            options["base_url"] = self.base_url
        if self.kind == "whatsapp":
            return whatsapp.WhatsAppCloudAdapter(
                self.whatsapp_phone_number_id or "",
                self.whatsapp_access_token or "",
                api_version=self.whatsapp_api_version or "v21.0",
                **options,
            )
        if self.kind == "twilio":
            return twilio.TwilioAdapter(
                self.twilio_account_sid or "",
                self.twilio_auth_token or "",
                self.twilio_from_number or "",
                **options,
            )
        return generic.GenericWebhookAdapter(
            self.generic_url or "", self.generic_secret or "", **options
        )

    # === Rate limit === #
    def _reserve_slots(self, count, now=None):
        """Reserve ``count`` sends; return when the first may go (UTC, naive).

        The provider row holds the next free slot; one short ``UPDATE`` in
        its own transaction moves it on by ``count / rate_limit`` seconds, so
        every worker and server shares one pace without holding a lock while
        it sends.
        """
        self.ensure_one()
        now = now or fields.Datetime.now()
        if not self.rate_limit:
            return now
        seconds = count / self.rate_limit
        query = SQL(
            """
            UPDATE collection_provider
               SET next_slot_at = GREATEST(COALESCE(next_slot_at, %(now)s), %(now)s)
                                  + %(seconds)s * INTERVAL '1 second'
             WHERE id = %(id)s
         RETURNING next_slot_at
            """,
            now=now,
            seconds=seconds,
            id=self.id,
        )
        if getattr(threading.current_thread(), "testing", False):
            self.env.cr.execute(query)
            (end,) = self.env.cr.fetchone()
        else:
            with self.env.registry.cursor() as cr:
                # workers of every server move this one row at once: in
                # Odoo's repeatable read the second of two would fail ("could
                # not serialize access"), mid-job; read committed makes it
                # wait for the first and move on from the slot it left
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute(query)
                (end,) = cr.fetchone()
        self.invalidate_recordset(["next_slot_at"])
        return end - timedelta(seconds=seconds)
