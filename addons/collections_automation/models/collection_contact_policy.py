from dataclasses import replace
from datetime import time

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..engine import policy as policy_engine

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHANNELS = ("email", "sms", "whatsapp", "voice")
#: What "attempts in 7 days" counts: calls; calls and texts (940 CMR 7.04);
#: every channel (New York City).
ATTEMPT_SCOPES = {
    "voice": frozenset({policy_engine.VOICE}),
    "phone": policy_engine.PHONE_CHANNELS,
    "all": frozenset(policy_engine.CHANNELS),
}
PRESET_SELECTION = [
    ("default", "Permissive default"),
    ("US", "United States (Regulation F)"),
    ("US-MA", "Massachusetts (940 CMR 7.00)"),
    ("US-NY", "New York City"),
    ("CO", "Colombia (Ley 2300 de 2023)"),
    ("MX", "Mexico"),
]


def _float_to_time(value):
    hours = int(value)
    minutes = round((value - hours) * 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    return time(23, 59) if hours >= 24 else time(hours, minutes)


def _time_to_float(value):
    return value.hour + value.minute / 60


def _window_fields():
    fields_by_name = {}
    for day in WEEKDAYS:
        fields_by_name[f"{day}_start"] = fields.Float(f"{day.title()} from")
        fields_by_name[f"{day}_end"] = fields.Float(
            f"{day.title()} to", help="Leave both at 0 for no contact that day."
        )
    return fields_by_name


def _cap_fields():
    fields_by_name = {}
    for channel in CHANNELS:
        fields_by_name[f"daily_cap_{channel}"] = fields.Integer(
            f"{channel.title()} per day", help="0: no cap."
        )
        fields_by_name[f"weekly_cap_{channel}"] = fields.Integer(
            f"{channel.title()} per 7 days", help="0: no cap."
        )
    return fields_by_name


class CollectionContactPolicy(models.Model):
    """When, how often and on which days a customer may be contacted.

    One policy per country (optionally per state, e.g. Massachusetts). Each
    starts from a preset of the law it follows and can be adjusted; the pure
    engine (``engine/policy.py``) applies it before every outbound contact.
    Customers of a country without a policy get the shipped preset for their
    country, else the permissive default.
    """

    _name = "collection.contact.policy"
    _description = "Contact Policy"
    _order = "country_id, state_id, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to apply to every company."
    )
    country_id = fields.Many2one("res.country", help="Empty: customers elsewhere.")
    state_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id', '=?', country_id)]",
        help="Rules of a state apply on top of its country's.",
    )
    preset = fields.Selection(
        PRESET_SELECTION,
        required=True,
        default="default",
        help="The law these rules start from; changing it resets the values below.",
    )
    skip_holidays = fields.Boolean(
        "No Contact on Public Holidays",
        help="Public holidays of the customer's country (and state).",
    )
    locals().update(_window_fields())
    locals().update(_cap_fields())
    call_attempts_7d = fields.Integer(
        "Call Attempts per Debt in 7 Days", help="Regulation F: 7. 0: no limit."
    )
    call_cooldown_days = fields.Integer(
        "Days Without Calls After a Conversation", help="Regulation F: 7. 0: none."
    )
    after_contact_daily = fields.Integer(
        "Contacts per Day Once Reached", help="Ley 2300: 1. 0: no limit."
    )
    after_contact_weekly = fields.Integer(
        "Contacts per 7 Days Once Reached", help="Ley 2300: 2. 0: no limit."
    )
    attempts_7d = fields.Integer(
        "Attempts per 7 Days", help="Massachusetts, New York City: 2. 0: no limit."
    )
    attempts_7d_scope = fields.Selection(
        [
            ("voice", "Calls only"),
            ("phone", "Calls and text messages"),
            ("all", "All channels"),
        ],
        "Attempts Counted",
        default="all",
    )

    _sql_constraints = [
        (
            "country_state_company_uniq",
            "unique(country_id, state_id, company_id)",
            "One contact policy per country, state and company.",
        ),
    ]

    # === Constraints and onchange === #
    @api.constrains(*(f"{day}_{edge}" for day in WEEKDAYS for edge in ("start", "end")))
    def _check_windows(self):
        for record in self:
            for day in WEEKDAYS:
                start, end = record[f"{day}_start"], record[f"{day}_end"]
                if not (0 <= start <= 24 and 0 <= end <= 24):
                    raise ValidationError(
                        self.env._("Hours must lie between 0 and 24.")
                    )
                if (start or end) and start >= end:
                    raise ValidationError(
                        self.env._(
                            "%(policy)s: on %(day)s the allowed hours must start "
                            "before they end.",
                            policy=record.name,
                            day=day,
                        )
                    )

    @api.onchange("preset")
    def _onchange_preset(self):
        for record in self:
            record.update(self._values_from_rules(policy_engine.preset(record.preset)))

    @api.model_create_multi
    def create(self, vals_list):
        """A policy created with only a preset gets the preset's values."""
        for vals in vals_list:
            rules = policy_engine.preset(vals.get("preset") or "default")
            for name, value in self._values_from_rules(rules).items():
                vals.setdefault(name, value)
        return super().create(vals_list)

    # === Conversion to and from the engine === #
    @api.model
    def _values_from_rules(self, rules):
        values = {"skip_holidays": rules.skip_holidays}
        for index, day in enumerate(WEEKDAYS):
            window = rules.windows.get(index)
            values[f"{day}_start"] = _time_to_float(window.start) if window else 0.0
            values[f"{day}_end"] = _time_to_float(window.end) if window else 0.0
        for channel in CHANNELS:
            values[f"daily_cap_{channel}"] = rules.daily_cap.get(channel, 0)
            values[f"weekly_cap_{channel}"] = rules.weekly_cap.get(channel, 0)
        values.update(
            call_attempts_7d=rules.call_attempts_7d or 0,
            call_cooldown_days=rules.call_cooldown_days_after_conversation or 0,
            after_contact_daily=rules.after_contact_daily or 0,
            after_contact_weekly=rules.after_contact_weekly or 0,
            attempts_7d=rules.attempts_7d or 0,
            attempts_7d_scope=next(
                (
                    scope
                    for scope, channels in ATTEMPT_SCOPES.items()
                    if channels == rules.attempts_7d_channels
                ),
                "all",
            ),
        )
        return values

    def _to_rules(self):
        """The engine's rules for this policy, as the admin adjusted them."""
        self.ensure_one()
        windows = {}
        for index, day in enumerate(WEEKDAYS):
            start, end = self[f"{day}_start"], self[f"{day}_end"]
            windows[index] = (
                policy_engine.Window(_float_to_time(start), _float_to_time(end))
                if end > start
                else None
            )
        return replace(
            policy_engine.preset(self.preset),
            code=self.preset,
            windows=windows,
            skip_holidays=self.skip_holidays,
            daily_cap={
                c: self[f"daily_cap_{c}"] for c in CHANNELS if self[f"daily_cap_{c}"]
            },
            weekly_cap={
                c: self[f"weekly_cap_{c}"] for c in CHANNELS if self[f"weekly_cap_{c}"]
            },
            call_attempts_7d=self.call_attempts_7d or None,
            call_cooldown_days_after_conversation=self.call_cooldown_days or None,
            after_contact_daily=self.after_contact_daily or None,
            after_contact_weekly=self.after_contact_weekly or None,
            attempts_7d=self.attempts_7d or None,
            attempts_7d_channels=ATTEMPT_SCOPES[self.attempts_7d_scope or "all"],
        )

    @api.model
    def _rules_resolver(self, company):
        """A function (country_code, state_code) -> rules, for one planning run.

        Looks policies up once: a state's policy wins over its country's, a
        country's over the catch-all (no country); without any, the shipped
        preset for the country applies.
        """
        policies = self.search([("company_id", "in", [company.id, False])])
        by_key = {}
        # the shared policies first, the company's own last: theirs win
        for record in policies.sorted(lambda p: (bool(p.company_id), p.id)):
            key = (record.country_id.code or None, record.state_id.code or None)
            by_key[key] = record._to_rules()
        cache = {}

        def resolve(country_code, state_code):
            key = (country_code, state_code)
            if key not in cache:
                shipped = policy_engine.rules_for(country_code, state_code)
                cache[key] = (
                    by_key.get(key)
                    or (shipped if "-" in shipped.code else None)
                    or by_key.get((country_code, None))
                    or (shipped if shipped.code != "default" else None)
                    or by_key.get((None, None))
                    or shipped
                )
            return cache[key]

        return resolve
