from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from odoo.addons.collections_automation.tools import pg_array

from ..engine import routing, worklist

PRIORITIES = [("0", "Normal"), ("1", "Medium"), ("2", "High"), ("3", "Urgent")]
DISPUTE_REASONS = [
    ("not_mine", "Not mine"),
    ("wrong_amount", "Wrong amount"),
    ("already_paid", "Already paid"),
    ("quality", "Quality"),
    ("other", "Other"),
]
#: Escalation reasons that make a case urgent at once.
URGENT_REASONS = ("dispute", "hardship", "frustration")
#: Stages an agreement moves a case out of (not a dispute, not legal).
AGREEMENT_FROM = ("new", "in_progress", "promise", "plan")
ESCALATION_REASONS = [
    ("journey", "Journey step"),
    ("dispute", "Dispute"),
    ("hardship", "Hardship"),
    ("request_human", "Asked for a person"),
    ("wrong_person", "Wrong person"),
    ("misunderstanding", "Not understood twice"),
    ("frustration", "Frustration"),
    ("identity", "Identity not verified"),
]


def _id_of(record_or_id):
    return record_or_id if isinstance(record_or_id, int) else record_or_id.id


class CollectionCase(models.Model):
    """A customer's debt in the hands of a collector: one open case per
    customer and company. The chatter is the customer's whole history (the
    case reads the customer's messages), the kanban is the team's board."""

    _name = "collection.case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Collection Case"
    _order = "work_rank, priority desc, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    debtor_id = fields.Many2one("collection.debtor", index=True, readonly=True)
    stage_id = fields.Many2one(
        "collection.case.stage",
        required=True,
        index=True,
        tracking=True,
        group_expand="_read_group_stage_ids",
        default=lambda s: s.env.ref("collections_contact_center.stage_new"),
    )
    stage_code = fields.Selection(related="stage_id.code", store=True)
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    user_id = fields.Many2one(
        "res.users",
        "Collector",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    team_id = fields.Many2one(
        "collection.team", index=True, tracking=True, check_company=True
    )
    priority = fields.Selection(PRIORITIES, default="0", index=True, tracking=True)
    amount_overdue = fields.Monetary(related="debtor_id.total_overdue")
    amount_due = fields.Monetary(related="debtor_id.total_due")
    worst_bucket_id = fields.Many2one(related="debtor_id.worst_bucket_id")
    score = fields.Integer(related="debtor_id.score")
    segment_id = fields.Many2one(related="debtor_id.segment_id")
    next_action_date = fields.Date(tracking=True)
    sla_deadline = fields.Datetime("SLA Deadline", tracking=True)
    sla_overdue = fields.Boolean(
        "SLA Overdue", compute="_compute_sla_overdue", search="_search_sla_overdue"
    )
    escalation_reason = fields.Selection(ESCALATION_REASONS, tracking=True)
    dispute_reason = fields.Selection(DISPUTE_REASONS, tracking=True)
    dispute_invoice_ids = fields.Many2many(
        "account.move",
        "collection_case_dispute_invoice_rel",
        "case_id",
        "move_id",
        string="Disputed Invoices",
        check_company=True,
    )
    collection_hold = fields.Selection(
        [("dispute", "Dispute"), ("legal", "Legal")],
        string="Reminders on Hold",
        compute="_compute_collection_hold",
        inverse="_inverse_collection_hold",
        help="No reminder goes to the customer while on hold.",
    )
    call_ids = fields.One2many("collection.case.call", "case_id", "Calls")
    # the customer's contact details, where the collector calls from
    partner_phone = fields.Char("Phone", related="partner_id.phone")
    partner_mobile = fields.Char("Mobile", related="partner_id.mobile")
    partner_email = fields.Char("Email", related="partner_id.email")
    partner_lang = fields.Selection(string="Language", related="partner_id.lang")
    partner_tz = fields.Selection(string="Time Zone", related="partner_id.tz")
    open_invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_open_invoice_ids",
        string="Open Invoices",
        help="The customer's invoices with something left to pay, oldest due " "first.",
    )
    history_message_ids = fields.Many2many(
        "mail.message",
        compute="_compute_history_message_ids",
        string="Customer History",
    )
    promise_due = fields.Date(
        compute="_compute_promise_due", help="Next open promise's date."
    )
    work_rank = fields.Integer(
        readonly=True, index=True, help="Place in the collector's work for today."
    )
    closed_date = fields.Datetime(readonly=True)
    close_reason = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "dispute_needs_reason",
            "CHECK(stage_code IS DISTINCT FROM 'dispute' "
            "OR dispute_reason IS NOT NULL)",
            "A dispute needs its reason.",
        ),
    ]

    def init(self):
        # one open case per customer and company, whatever happens concurrently
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS collection_case_one_open
                ON collection_case (partner_id, company_id)
             WHERE NOT is_closed
            """
        )

    @api.depends("partner_id")
    def _compute_name(self):
        for case in self:
            case.name = case.partner_id.display_name or ""

    def _compute_open_invoice_ids(self):
        for case in self:
            case.open_invoice_ids = (
                case._open_invoices() if case.partner_id else self.env["account.move"]
            )

    def _compute_sla_overdue(self):
        now = fields.Datetime.now()
        for case in self:
            case.sla_overdue = bool(
                case.sla_deadline and case.sla_deadline < now and not case.is_closed
            )

    def _search_sla_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on SLA overdue."))
        overdue = [
            ("sla_deadline", "<", fields.Datetime.now()),
            ("is_closed", "=", False),
        ]
        if (operator == "=") == value:
            return overdue
        return ["!", "&", *overdue]

    def _compute_promise_due(self):
        promises = self.env["collection.promise"]._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "=", "open"),
            ],
            ["partner_id", "company_id"],
            ["promise_date:min"],
        )
        due = {(p.id, c.id): day for p, c, day in promises}
        for case in self:
            case.promise_due = due.get((case.partner_id.id, case.company_id.id))

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    # === Life cycle === #
    @api.model_create_multi
    def create(self, vals_list):
        """Cases are kept on the commercial partner, with its debtor row
        (found in one search for the whole batch), then routed together."""
        Partner = self.env["res.partner"]
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = Partner.browse(
                    vals["partner_id"]
                ).commercial_partner_id.id
        debtors = {
            (debtor.partner_id.id, debtor.company_id.id): debtor.id
            for debtor in self.env["collection.debtor"].search(
                [
                    (
                        "partner_id",
                        "in",
                        [v["partner_id"] for v in vals_list if v.get("partner_id")],
                    )
                ]
            )
        }
        for vals in vals_list:
            if not vals.get("debtor_id"):
                company_id = vals.get("company_id") or self.env.company.id
                vals["debtor_id"] = debtors.get(
                    (vals.get("partner_id"), company_id), False
                )
        cases = super().create(vals_list)
        cases._set_sla()
        cases._route()
        return cases

    @api.constrains("user_id", "company_id")
    def _check_collector(self):
        """A case is worked by an employee of its company: not a portal
        login (the customer's own, say), nor someone who cannot open it."""
        Member = self.env["collection.team.member"]
        for case in self.filtered("user_id"):
            if not Member._may_work(case.user_id, case.company_id):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot work on this case: only employees of "
                        "%(company)s can.",
                        user=case.user_id.sudo().name,
                        company=case.company_id.name,
                    )
                )

    def write(self, vals):
        # whose case it is decides what a collector sees of the customer, and
        # who works it is routing's or a manager's choice (a collector
        # changes the stage, priority and next action of their cases)
        if not (
            self.env.su
            or self.env.user.has_group(
                "collections_automation.group_collection_manager"
            )
        ):
            if {"partner_id", "company_id", "debtor_id"} & set(vals):
                raise AccessError(
                    self.env._(
                        "Only a collection manager may move a case to another "
                        "customer or company."
                    )
                )
            if any(
                case[name].id != (vals[name] or False)
                for name in ("user_id", "team_id")
                if name in vals
                for case in self
            ):
                raise AccessError(
                    self.env._(
                        "Only a collection manager may hand a case to another "
                        "collector or team."
                    )
                )
        stage_change = "stage_id" in vals
        result = super().write(vals)
        if stage_change:
            self._on_stage_change()
        return result

    def _on_stage_change(self):
        now = fields.Datetime.now()
        self._set_sla()
        closed = self.filtered(lambda c: c.is_closed and not c.closed_date)
        if closed:
            closed.write({"closed_date": now})
        self.filtered(lambda c: not c.is_closed and c.closed_date).write(
            {"closed_date": False, "close_reason": False}
        )
        disputes = self.filtered(lambda c: c.stage_code == "dispute")
        disputes._hold_disputed_invoices()
        left_dispute = self.filtered(
            lambda c: c.stage_code != "dispute" and c.dispute_invoice_ids
        )
        left_dispute._release_disputed_invoices()

    def _set_sla(self):
        now = fields.Datetime.now()
        for case in self:
            hours = case.stage_id.sla_hours
            case.sla_deadline = (
                now + timedelta(hours=hours) if hours and not case.is_closed else False
            )

    # === Agreements (see collection_agreement.py) === #
    def _on_agreement(self, agreement, kind):
        """An agreement was recorded: the case moves to its stage, the open
        calls are done, the chatter says what was agreed."""
        self.ensure_one()
        case = self.sudo()
        stage = self.env.ref(f"collections_contact_center.stage_{kind}")
        if case.stage_code in AGREEMENT_FROM and case.stage_id != stage:
            case.stage_id = stage
        call = self.env.ref("mail.mail_activity_data_call")
        calls = case.activity_ids.filtered(lambda a: a.activity_type_id == call)
        if calls:
            calls.action_feedback(
                feedback=self.env._("Agreed: %s", agreement.sudo().display_name)
            )
        case.message_post(
            body=self.env._("Agreed: %s", agreement.sudo().display_name),
            subtype_xmlid="mail.mt_note",
        )

    def _open_agreements(self):
        """The customer's open promises and running plans."""
        self.ensure_one()
        promises = (
            self.env["collection.promise"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "open"),
                ]
            )
        )
        return promises.filtered(lambda p: not p.plan_id or p.plan_id.state == "open")

    def _on_agreement_ended(self):
        """Nothing agreed is open any more: a case waiting on an agreement
        goes back to work."""
        self.ensure_one()
        case = self.sudo()
        if case.stage_code in ("promise", "plan") and not case._open_agreements():
            case.stage_id = self.env.ref("collections_contact_center.stage_in_progress")

    def _on_broken_agreement(self, promise):
        """A promise or an installment was broken: a call for the case's
        collector (else the team's manager, else whoever recorded it) today,
        and the case back to work."""
        self.ensure_one()
        case = self.sudo()
        owner = case.user_id or case.team_id.manager_id or promise.user_id
        what = promise.plan_id or promise
        case.activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=fields.Date.context_today(self),
            summary=self.env._("Broken promise: call %s", case.partner_id.name),
            note=what.sudo().display_name,
            user_id=owner.id or self.env.uid,
        )
        case._on_agreement_ended()

    # === Disputes === #
    def action_dispute(self, reason, invoices=None):
        """Open a dispute: its reason, the invoices' journeys paused, the
        dispute stage's SLA running until it is resolved or rejected."""
        stage = self.env.ref("collections_contact_center.stage_dispute")
        for case in self:
            case.write(
                {
                    "dispute_reason": reason,
                    "dispute_invoice_ids": [
                        (6, 0, (invoices or case._open_invoices()).ids)
                    ],
                    "stage_id": stage.id,
                }
            )

    def action_resolve_dispute(self, accepted=False):
        """Close the dispute: accepted (the invoices stay on hold for the
        accountants to credit) or rejected (collection resumes)."""
        stage = self.env.ref("collections_contact_center.stage_in_progress")
        for case in self.filtered(lambda c: c.stage_code == "dispute"):
            label = self.env._("accepted") if accepted else self.env._("rejected")
            case.message_post(
                body=self.env._(
                    "Dispute (%(reason)s) %(result)s.",
                    reason=dict(
                        case._fields["dispute_reason"]._description_selection(self.env)
                    )[case.dispute_reason],
                    result=label,
                )
            )
            if accepted:
                case.write({"stage_id": stage.id, "dispute_invoice_ids": [(5, 0, 0)]})
            else:
                case.write({"stage_id": stage.id})

    def _disputed_invoices(self):
        """The disputed invoices of the cases' customers, with the server's
        rights: holding them is a collector's work, editing invoices is not."""
        return self.dispute_invoice_ids.sudo().filtered(
            lambda m: m.commercial_partner_id in self.partner_id
        )

    def _hold_disputed_invoices(self):
        self._disputed_invoices().filtered(lambda m: not m.collection_hold).write(
            {"collection_hold": "dispute"}
        )

    def _release_disputed_invoices(self):
        self._disputed_invoices().filtered(
            lambda m: m.collection_hold == "dispute"
        ).write({"collection_hold": False})
        self.write({"dispute_invoice_ids": [(5, 0, 0)]})

    def _open_invoices(self):
        self.ensure_one()
        return self.env["collection.invoice"]._open_moves(
            self.partner_id, self.company_id
        )

    # === Escalations === #
    @api.model
    def _escalate(self, partner, company, reason, note=None):
        """Open or update the customer's case for an escalation (see
        :meth:`_escalate_many`); return the case."""
        return self._escalate_many([(partner, company, reason, note)])

    @api.model
    def _escalate_many(self, escalations):
        """Open or update each customer's case for an escalation: the reason
        and transcript on the case, priority raised where the reason calls
        for it, and a call activity for the owner.

        ``escalations``: ``(partner, company, reason, note or None)`` tuples
        (records, or ids).
        Set-based, since a journey run may escalate tens of thousands of
        customers at once: the open cases are found in one search and updated
        through the ORM (one write per reason); the missing ones are opened
        together by :meth:`_open_cases`, routed by the engine as a batch, with
        the rows, chatter and followers the ORM would have written; the notes
        and activities of every case are then inserted in one statement each.
        The ORM's per-case emails ("you have been assigned", "activity
        assigned") are not sent: the collector finds the cases and their call
        activities in their work list.
        """
        escalations = [
            (_id_of(partner), _id_of(company), reason, note)
            for partner, company, reason, note in escalations
        ]
        if not escalations:
            return self.browse()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id, COALESCE(commercial_partner_id, id) FROM res_partner"
                " WHERE id = ANY(%s::int[])",
                pg_array({partner_id for partner_id, *_rest in escalations}),
            )
        )
        commercial = dict(self.env.cr.fetchall())
        wanted = {}
        for partner_id, company_id, reason, note in escalations:
            # the latest escalation of a customer wins
            wanted[commercial[partner_id], company_id] = (reason, note)
        partner_ids = list({key[0] for key in wanted})
        existing = {
            (case.partner_id.id, case.company_id.id): case
            for case in self.search(
                [("partner_id", "in", partner_ids), ("is_closed", "=", False)]
            )
        }
        updates, to_open = defaultdict(list), []
        for key, (reason, _note) in wanted.items():
            case = existing.get(key)
            if case:
                values = {"escalation_reason": reason}
                if reason in URGENT_REASONS:
                    values["priority"] = "3"
                updates[tuple(sorted(values.items()))].append(case.id)
            else:
                to_open.append((key, reason))
        for values, case_ids in updates.items():
            self.browse(case_ids).write(dict(values))
        unowned = self.browse(
            [case.id for case in existing.values() if not case.user_id]
        )
        unowned._route()
        opened = self._open_cases(to_open)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.partner_id, c.company_id, c.name,
                       COALESCE(c.user_id, t.manager_id)
                  FROM collection_case c
                  LEFT JOIN collection_team t ON t.id = c.team_id
                 WHERE c.id = ANY(%s::int[])
                """,
                pg_array([case.id for case in existing.values()] + opened),
            )
        )
        found = {
            (partner_id, company_id): (case_id, name, owner)
            for case_id, partner_id, company_id, name, owner in self.env.cr.fetchall()
        }
        labels = dict(
            self._fields["escalation_reason"]._description_selection(self.env)
        )
        bodies, activities, texts = {}, [], {}
        for key, (reason, note) in wanted.items():
            case_id, name, owner = found[key]
            if (reason, note) not in texts:  # a few reasons and notes per run
                label = labels[reason]
                body = Markup("<p>%s</p>") % self.env._("Escalated: %s", label)
                texts[reason, note] = (
                    body + note if note else body,
                    self.env._("Escalation: %s", label),
                )
            body, summary = texts[reason, note]
            bodies[case_id] = body
            activities.append(
                (case_id, name, owner or self.env.uid, summary, note or "")
            )
        self._log_notes(bodies)
        self._insert_call_activities(activities)
        self.env.invalidate_all()
        return self.browse(bodies)

    @api.model
    def _open_cases(self, to_open):
        """Open a case for each ``((partner_id, company_id), reason)`` with
        the rows, chatter and followers that ``create`` would write, in a
        few statements: routed by the engine as a batch (most urgent first),
        the creation logged, the creator (when a person) and the collector
        following.

        :return: the new case ids
        """
        if not to_open:
            return []
        self.env.flush_all()
        stage = self.env.ref("collections_contact_center.stage_new")
        partner_ids = list({partner_id for (partner_id, _c), _r in to_open})
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.complete_name, p.lang, country.code
                  FROM res_partner p
                  LEFT JOIN res_country country ON country.id = p.country_id
                 WHERE p.id = ANY(%s::int[])
                """,
                pg_array(partner_ids),
            )
        )
        partners = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT d.partner_id, d.company_id, d.id, d.segment_id,
                       b.code, d.total_overdue
                  FROM collection_debtor d
                  LEFT JOIN collection_bucket b ON b.id = d.worst_bucket_id
                 WHERE d.partner_id = ANY(%s::int[])
                """,
                pg_array(partner_ids),
            )
        )
        debtors = {(row[0], row[1]): row[2:] for row in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                "SELECT nextval('collection_case_id_seq') FROM generate_series(1, %s)",
                len(to_open),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        now = fields.Datetime.now()
        sla = now + timedelta(hours=stage.sla_hours) if stage.sla_hours else None
        rows = {}
        for case_id, ((partner_id, company_id), reason) in zip(
            ids, to_open, strict=True
        ):
            debtor_id, segment_id, bucket, overdue = debtors.get(
                (partner_id, company_id), (None, None, None, None)
            )
            name, lang, country = partners[partner_id]
            rows[case_id] = {
                "partner_id": partner_id,
                "company_id": company_id,
                "debtor_id": debtor_id,
                "name": name or "",
                "priority": "3" if reason in URGENT_REASONS else "0",
                "reason": reason,
                "engine": routing.Case(
                    id=case_id,
                    lang=lang or None,
                    segment=str(segment_id) if segment_id else None,
                    bucket=bucket or None,
                    country=country or None,
                    amount=Decimal(str(float(overdue or 0))),
                    reason=reason if reason != "journey" else None,
                    current_user_id=None,
                    team_id=None,
                ),
                "overdue": float(overdue or 0),
                "team_id": None,
                "user_id": None,
            }
        self._route_new(rows)
        self._insert_cases(rows, stage, sla)
        self._log_opening(rows)
        return list(rows)

    @api.model
    def _route_new(self, rows):
        """Route the cases to open (``rows``: case id -> values) as
        :meth:`_route` routes cases: per company, most urgent first."""
        companies = self.env["res.company"].browse(
            {r["company_id"] for r in rows.values()}
        )
        for company in companies:
            ordered = sorted(
                (r for r in rows.values() if r["company_id"] == company.id),
                key=lambda r: (-int(r["priority"]), -r["overdue"], r["engine"].id),
            )
            teams, engine_teams, workload = self._teams_and_workload(company)
            for assignment in routing.assign(
                [r["engine"] for r in ordered], engine_teams, workload
            ):
                rows[assignment.case_id].update(
                    team_id=assignment.team_id or None,
                    user_id=assignment.user_id or None,
                )
            self._write_assignments([], teams, workload)

    @api.model
    def _insert_cases(self, rows, stage, sla):
        ids = list(rows)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_case
                       (id, name, partner_id, company_id, debtor_id, stage_id,
                        stage_code, is_closed, user_id, team_id, priority,
                        escalation_reason, sla_deadline, create_uid, write_uid,
                        create_date, write_date)
                SELECT v.id, v.name, v.partner_id, v.company_id, v.debtor_id,
                       %(stage)s, %(stage_code)s, %(is_closed)s, v.user_id,
                       v.team_id, v.priority, v.reason, %(sla)s, %(uid)s, %(uid)s,
                       %(now)s, %(now)s
                  FROM UNNEST(%(ids)s::int[], %(names)s::varchar[],
                              %(partners)s::int[], %(companies)s::int[],
                              %(debtors)s::int[], %(users)s::int[], %(teams)s::int[],
                              %(priorities)s::varchar[], %(reasons)s::varchar[])
                       AS v(id, name, partner_id, company_id, debtor_id, user_id,
                            team_id, priority, reason)
                """,
                stage=stage.id,
                stage_code=stage.code,
                is_closed=stage.is_closed,
                sla=sla,
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(ids),
                names=pg_array(rows[i]["name"] for i in ids),
                partners=pg_array(rows[i]["partner_id"] for i in ids),
                companies=pg_array(rows[i]["company_id"] for i in ids),
                debtors=pg_array(rows[i]["debtor_id"] for i in ids),
                users=pg_array(rows[i]["user_id"] for i in ids),
                teams=pg_array(rows[i]["team_id"] for i in ids),
                priorities=pg_array(rows[i]["priority"] for i in ids),
                reasons=pg_array(rows[i]["reason"] for i in ids),
            )
        )

    @api.model
    def _log_opening(self, rows):
        """The followers ``create`` gives a case opened and routed: the user
        who opened it (a person, not a scheduled action) and the collector.

        No "Collection Case created" line (``mail_create_nolog``): the
        escalation's note, logged next, opens the chatter and says why the
        case exists; a second line at the same minute told the collector
        nothing more, and cost a chatter row per case (35,000 on a first
        planning of 200,000 invoices). Nothing is tracked: a record created
        in a transaction is not tracked before its commit
        (``_track_discard``), so routing it is not either.
        """
        context = self.env.context
        if context.get("tracking_disable"):  # as mail.thread: no chatter at all
            return
        ids = list(rows)
        users = self.env["res.users"].browse(
            {r["user_id"] for r in rows.values()} - {None}
        )
        followers = defaultdict(list)
        if self.env.user.active and not context.get("mail_create_nosubscribe"):
            followers[self.env.user.partner_id.id] += ids
        active = {user.id: user.partner_id.id for user in users.filtered("active")}
        for case_id, row in rows.items():
            if row["user_id"] in active:
                followers[active[row["user_id"]]].append(case_id)
        self._add_followers(followers)

    @api.model
    def _log_notes(self, bodies):
        """Log ``bodies`` (case id -> body) as notes, in one statement, as
        ``_message_log_batch`` does."""
        if not bodies:
            return
        Message = self.env["mail.message"]
        author_id, email_from = self._message_compute_author(
            None, None, raise_on_email=False
        )
        body_field, cleaned = Message._fields["body"], {}
        for body in bodies.values():
            if body not in cleaned:
                cleaned[body] = body_field.convert_to_column(body, Message)
        ids = list(bodies)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message
                       (model, res_id, subtype_id, author_id, email_from,
                        message_type, is_internal, email_add_signature,
                        message_id, reply_to, body, date, create_uid,
                        write_uid, create_date, write_date)
                SELECT %(model)s, v.res_id, %(subtype)s, %(author)s, %(email_from)s,
                       'notification', TRUE, FALSE, %(message_id)s, %(reply_to)s,
                       v.body, %(date)s, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM UNNEST(%(ids)s::int[], %(bodies)s::text[]) AS v(res_id, body)
                """,
                model=self._name,
                subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author=author_id,
                email_from=email_from or None,
                message_id=generate_tracking_message_id("message-notify"),
                reply_to=self.env["mail.thread"]._notify_get_reply_to(
                    default=email_from
                )[False]
                or None,
                date=fields.Datetime.now(),
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(ids),
                bodies=pg_array(cleaned[bodies[i]] for i in ids),
            )
        )

    @api.model
    def _add_followers(self, followers):
        """Make each partner follow its cases (partner id -> case ids) with
        the default subtypes, unless they already do."""
        default_subtypes = self.env["mail.message.subtype"]._default_subtypes(
            self._name
        )[0]
        pairs = [(pid, case_id) for pid, ids in followers.items() for case_id in ids]
        if not pairs:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH added AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT %(model)s, v.res_id, v.partner_id
                      FROM UNNEST(%(partners)s::int[], %(ids)s::int[])
                           AS v(partner_id, res_id)
                        ON CONFLICT DO NOTHING
                 RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel
                       (mail_followers_id, mail_message_subtype_id)
                SELECT added.id, subtype
                  FROM added, UNNEST(%(subtypes)s::int[]) AS subtype
                """,
                model=self._name,
                partners=pg_array(pid for pid, _i in pairs),
                ids=pg_array(case_id for _p, case_id in pairs),
                subtypes=pg_array(default_subtypes),
            )
        )

    @api.model
    def _insert_call_activities(self, activities):
        """A call activity per ``(case id, case name, user id, summary,
        note)``, in one statement, as ``mail.activity.create`` writes it,
        its user following the case."""
        if not activities:
            return
        Activity = self.env["mail.activity"]
        note_field, cleaned = Activity._fields["note"], {}
        for *_rest, note in activities:
            if note not in cleaned:
                cleaned[note] = note_field.convert_to_column(note, Activity)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_activity
                       (res_model_id, res_model, res_id, res_name,
                        activity_type_id, user_id, user_tz, summary, note,
                        date_deadline, active, create_uid, write_uid,
                        create_date, write_date)
                SELECT %(model_id)s, %(model)s, v.res_id, v.res_name, %(type_id)s,
                       v.user_id, up.tz, v.summary, v.note, %(today)s, TRUE,
                       %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM UNNEST(%(ids)s::int[], %(names)s::varchar[],
                              %(users)s::int[], %(summaries)s::varchar[],
                              %(notes)s::text[])
                       AS v(res_id, res_name, user_id, summary, note)
                  LEFT JOIN res_users u ON u.id = v.user_id
                  LEFT JOIN res_partner up ON up.id = u.partner_id
                """,
                model_id=self.env["ir.model"]._get_id(self._name),
                model=self._name,
                type_id=self.env.ref("mail.mail_activity_data_call").id,
                today=fields.Date.context_today(self),
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=pg_array(a[0] for a in activities),
                names=pg_array(a[1] for a in activities),
                users=pg_array(a[2] for a in activities),
                summaries=pg_array(a[3] for a in activities),
                notes=pg_array(cleaned[a[4]] for a in activities),
            )
        )
        followers = defaultdict(list)
        users = self.env["res.users"].browse({a[2] for a in activities})
        partner_of = {user.id: user.partner_id.id for user in users}
        for case_id, _name, user_id, *_rest in activities:
            followers[partner_of[user_id]].append(case_id)
        self._add_followers(followers)

    # === Routing === #
    @api.model
    def _open_loads(self, user_ids):
        """User id -> open cases they own."""
        groups = self.sudo()._read_group(
            [("user_id", "in", list(user_ids)), ("is_closed", "=", False)],
            ["user_id"],
            ["__count"],
        )
        return {user.id: count for user, count in groups}

    def _engine_case(self):
        self.ensure_one()
        return routing.Case(
            id=self.id,
            lang=self.partner_id.lang or None,
            segment=str(self.segment_id.id) if self.segment_id else None,
            bucket=self.worst_bucket_id.code or None,
            country=self.partner_id.country_id.code or None,
            amount=Decimal(str(self.amount_overdue or 0)),
            reason=self.escalation_reason
            if self.escalation_reason != "journey"
            else None,
            current_user_id=self.user_id.id or None,
            team_id=self.team_id.id or None,
        )

    def _teams_and_workload(self, companies):
        teams = (
            self.env["collection.team"]
            .sudo()
            .search([("company_id", "in", companies.ids)])
        )
        loads = self._open_loads(teams.member_ids.user_id.ids)
        engine_teams = [team._to_engine(loads) for team in teams]
        return teams, engine_teams, routing.Workload.of(engine_teams)

    def _route(self):
        """Give each case a team and a collector, most urgent first."""
        open_cases = self.filtered(lambda c: not c.is_closed)
        for company in open_cases.company_id:
            cases = open_cases.filtered(lambda c, co=company: c.company_id == co)
            teams, engine_teams, workload = self._teams_and_workload(company)
            ordered = cases.sorted(
                lambda c: (-int(c.priority), -(c.amount_overdue or 0), c.id)
            )
            assignments = routing.assign(
                [c._engine_case() for c in ordered], engine_teams, workload
            )
            self._write_assignments(assignments, teams, workload)

    def _write_assignments(self, assignments, teams, workload):
        for assignment in assignments:
            case = self.browse(assignment.case_id)
            values = {
                "team_id": assignment.team_id or False,
                "user_id": assignment.user_id or False,
            }
            if (case.team_id.id, case.user_id.id) != (
                values["team_id"],
                values["user_id"],
            ):
                # routing's choice, whoever's action opened or moved the case
                case.sudo().write(values)
        for team in teams:
            last = workload.last.get(team.id)
            if last and last != team.last_assigned_user_id.id:
                team.last_assigned_user_id = last

    @api.model
    def _reassign_absent(self):
        """Cases of collectors on leave go to their team-mates with room."""
        absent = (
            self.env["collection.team.member"].sudo().search([("absent", "=", True)])
        )
        cases = self.sudo().search(
            [("user_id", "in", absent.user_id.ids), ("is_closed", "=", False)]
        )
        for company in cases.company_id:
            company_cases = cases.filtered(lambda c, co=company: c.company_id == co)
            teams, engine_teams, workload = self._teams_and_workload(company)
            assignments = routing.reassign_absent(
                [c._engine_case() for c in company_cases], engine_teams, workload
            )
            company_cases._write_assignments(assignments, teams, workload)
            for assignment in assignments:
                self.browse(assignment.case_id).message_post(
                    body=self.env._("Reassigned: the collector is away.")
                )

    # === Closing === #
    @api.model
    def _close_paid(self):
        """Close the open cases whose customer has nothing overdue left."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM collection_case c
                  LEFT JOIN collection_debtor d ON d.id = c.debtor_id
                 WHERE NOT c.is_closed
                   AND COALESCE(d.total_overdue, 0) <= 0
                """
            )
        )
        cases = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        if cases:
            closed = self.env.ref("collections_contact_center.stage_closed")
            cases.write({"stage_id": closed.id})
            cases.write({"close_reason": self.env._("Paid: nothing overdue left.")})
            for case in cases:
                case.message_post(
                    body=self.env._("Closed: the overdue balance is paid.")
                )
                case.activity_ids.action_feedback(
                    feedback=self.env._("Case closed: paid.")
                )
        return cases

    # === My work today === #
    @api.model
    def _rank_work(self, user=None):
        """Number the collector's open cases in the order to work them."""
        user = user or self.env.user
        cases = self.search([("user_id", "=", user.id), ("is_closed", "=", False)])
        now = fields.Datetime.now()
        items = [
            worklist.WorkItem(
                id=case.id,
                amount_overdue=Decimal(str(case.amount_overdue or 0)),
                # the automation's score is a payment score (100 = best payer)
                score=100 - case.score if case.debtor_id else None,
                sla_deadline=case.sla_deadline or None,
                promise_due=case.promise_due or None,
                next_action_date=case.next_action_date or None,
                priority=int(case.priority or 0),
            )
            for case in cases
        ]
        for rank, item in enumerate(worklist.order(items, now), start=1):
            self.browse(item.id).work_rank = rank
        return cases

    @api.model
    def action_my_work_today(self):
        self._rank_work()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_contact_center.collection_case_action_my_work"
        )
        return action

    # === Payment link and statement === #
    def _payment_link(self):
        """The portal page of the oldest open invoice, where it is paid online."""
        self.ensure_one()
        invoice = (
            self.env["collection.invoice"]
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="due_date, id",
                limit=1,
            )
            .move_id
        )
        return invoice.get_base_url() + invoice.get_portal_url() if invoice else None

    def _statement_lines(self):
        """The lines of the customer's statement in the case's company, every
        currency's (see ``collection.statement``): open invoices, unapplied
        credit notes and payments, by date, each with the running balance of
        its currency.

        :return: list of dicts ``name, kind, date, due_date, days_overdue,
            amount, balance`` (amounts in the line's currency)
        """
        self.ensure_one()
        data = self.env["collection.statement"]._data(self.partner_id, self.company_id)
        return [line for section in data["sections"] for line in section["lines"]]

    def action_download_statement(self):
        return self.env.ref(
            "collections_contact_center.action_report_collection_statement"
        ).report_action(self)

    def action_download_statement_xlsx(self):
        self.ensure_one()
        return self.env["collection.statement"]._action_xlsx(self.partner_id)

    def action_send_statement(self):
        """Email the customer's statement (``collection.statement``: through
        the contact gate, purpose ``by_hand``); refused, the collector is told
        why."""
        self.ensure_one()
        # collectors do not edit contacts: the case they work is checked
        self.check_access("write")
        sending = self.env["collection.statement"]._send_by_hand(
            self.partner_id, self.company_id
        )
        if sending:
            self.message_post(
                body=self.env._("Statement sent to %s.", sending.recipient)
            )
        return True

    # === Hold === #
    @api.depends("partner_id.collection_hold")
    def _compute_collection_hold(self):
        for case in self:
            case.collection_hold = case.partner_id.sudo().collection_hold

    def _inverse_collection_hold(self):
        """A collector puts the customer of a case they work on hold; they do
        not edit contacts, so the hold is written with the server's rights
        once the case is known to be theirs."""
        self.check_access("write")
        for case in self:
            case.partner_id.sudo().collection_hold = case.collection_hold

    # === History === #
    @api.depends("partner_id")
    def _compute_history_message_ids(self):
        """The customer's whole story: its chatter (reminders, replies, calls,
        AI transcripts, promises, plans), its invoices' and payments'."""
        Message = self.env["mail.message"]
        for case in self:
            partner = case.partner_id
            if not partner:
                case.history_message_ids = Message
                continue
            invoices = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("move_type", "in", ("out_invoice", "out_refund", "entry")),
                    ("company_id", "=", case.company_id.id),
                ],
                limit=500,
            )
            payments = self.env["account.payment"].search(
                [("partner_id", "child_of", partner.id)], limit=500
            )
            plans = self.env["collection.payment.plan"].search(
                [("partner_id", "=", partner.id)]
            )
            conversations = self.env["collection.conversation"].search(
                [("partner_id", "=", partner.id)]
            )
            case.history_message_ids = Message.search(
                [
                    ("message_type", "!=", "user_notification"),
                    "|",
                    "|",
                    "|",
                    "|",
                    "|",
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "in", (partner | partner.child_ids).ids),
                    "&",
                    ("model", "=", "account.move"),
                    ("res_id", "in", invoices.ids),
                    "&",
                    ("model", "=", "account.payment"),
                    ("res_id", "in", payments.ids),
                    "&",
                    ("model", "=", "collection.payment.plan"),
                    ("res_id", "in", plans.ids),
                    "&",
                    ("model", "=", "collection.conversation"),
                    ("res_id", "in", conversations.ids),
                    "&",
                    ("model", "=", "collection.case"),
                    ("res_id", "=", case.id),
                ],
                order="date desc, id desc",
                limit=300,
            )

    def action_open_partner(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }
