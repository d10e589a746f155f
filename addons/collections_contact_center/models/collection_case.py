from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

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
    user_id = fields.Many2one("res.users", "Collector", index=True, tracking=True)
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
        related="partner_id.collection_hold",
        readonly=False,
        string="Reminders on Hold",
        help="No reminder goes to the customer while on hold.",
    )
    call_ids = fields.One2many("collection.case.call", "case_id", "Calls")
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

    def write(self, vals):
        # whose case it is decides what a collector sees of the customer
        if {"partner_id", "company_id", "debtor_id"} & set(vals) and not (
            self.env.su
            or self.env.user.has_group(
                "collections_automation.group_collection_manager"
            )
        ):
            raise AccessError(
                self.env._(
                    "Only a collection manager may move a case to another customer."
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
                    reason=dict(DISPUTE_REASONS)[case.dispute_reason],
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

        ``escalations``: ``(partner, company, reason, note or None)`` tuples.
        Batched: one search for the open cases, one create for the missing
        ones (routed together), one batch of chatter notes, one create of
        activities, since a journey run may escalate thousands at once.
        """
        wanted = {}
        for partner, company, reason, note in escalations:
            key = (partner.commercial_partner_id.id, company.id)
            wanted[key] = (reason, note)  # the latest escalation of a customer wins
        partner_ids = list({key[0] for key in wanted})
        existing = {
            (case.partner_id.id, case.company_id.id): case
            for case in self.search(
                [("partner_id", "in", partner_ids), ("is_closed", "=", False)]
            )
        }
        to_create = []
        for (partner_id, company_id), (reason, _note) in wanted.items():
            case = existing.get((partner_id, company_id))
            if case:
                values = {"escalation_reason": reason}
                if reason in URGENT_REASONS:
                    values["priority"] = "3"
                case.write(values)
            else:
                to_create.append(
                    {
                        "partner_id": partner_id,
                        "company_id": company_id,
                        "escalation_reason": reason,
                        "priority": "3" if reason in URGENT_REASONS else "0",
                    }
                )
        created = self.create(to_create) if to_create else self.browse()
        for case in created:
            existing[(case.partner_id.id, case.company_id.id)] = case
        unowned = (
            self.browse([case.id for case in existing.values() if not case.user_id])
            - created
        )
        unowned._route()
        cases = self.browse()
        bodies, activities = {}, []
        call = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("collection.case")
        labels = dict(ESCALATION_REASONS)
        today = fields.Date.context_today(self)
        for key, (reason, note) in wanted.items():
            case = existing[key]
            cases |= case
            label = labels[reason]
            body = Markup("<p>%s</p>") % self.env._("Escalated: %s", label)
            bodies[case.id] = body + note if note else body
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "activity_type_id": call.id,
                    "summary": self.env._("Escalation: %s", label),
                    "note": note or "",
                    "date_deadline": today,
                    "user_id": (
                        case.user_id or case.team_id.manager_id or self.env.user
                    ).id,
                }
            )
        cases._message_log_batch(bodies=bodies)
        self.env["mail.activity"].create(activities)
        return cases

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
                case.write(values)
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
        """Open items of the statement, oldest due first: invoices with their
        open amount and the due date of their oldest unpaid installment, then
        unapplied credit notes and payments (negative), so that the lines add
        up to the total due; the overdue total is the customer's figure (see
        ``collection.refresh``: credits settle the oldest items first).

        :return: list of dicts ``name, date, due_date, days_overdue, amount``
            (amounts in company currency)
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT am.name, COALESCE(am.invoice_date, am.date),
                       MIN(aml.date_maturity) FILTER (WHERE aml.amount_residual > 0),
                       SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.partner_id = %(partner)s
                   AND aml.company_id = %(company)s
                   AND aml.account_id IN (
                           SELECT id FROM account_account
                            WHERE account_type = 'asset_receivable')
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
              GROUP BY am.id
                HAVING SUM(aml.amount_residual) <> 0
              ORDER BY SUM(aml.amount_residual) < 0,
                       MIN(aml.date_maturity) FILTER (WHERE aml.amount_residual > 0),
                       COALESCE(am.invoice_date, am.date), am.id
                """,
                partner=self.partner_id.id,
                company=self.company_id.id,
            )
        )
        return [
            {
                "name": name,
                "date": date,
                "due_date": due,
                "days_overdue": max((today - due).days, 0) if due else 0,
                "amount": float(amount),
            }
            for name, date, due, amount in self.env.cr.fetchall()
        ]

    def action_download_statement(self):
        return self.env.ref(
            "collections_contact_center.action_report_collection_statement"
        ).report_action(self)

    def action_send_statement(self):
        """Email the statement PDF, through the contact policy like any
        contact; refused, the collector is told why."""
        self.ensure_one()
        partner = self.partner_id
        if not partner.email:
            raise UserError(self.env._("%s has no email address.", partner.name))
        now = fields.Datetime.now()
        verdict = self.env["collection.contact.gate"]._decide(
            partner, "email", "by_hand", now, self.company_id
        )
        if not verdict.allowed:
            raise UserError(
                self.env._(
                    "The contact policy does not allow it now: %s", verdict.reason
                )
            )
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "collections_contact_center.action_report_collection_statement", self.ids
        )
        customer = self.with_context(lang=partner.lang or self.env.lang)
        link = self._payment_link()
        partner.message_post(
            subject=customer.env._("Your account statement"),
            body=customer.env._(
                "Please find your account statement attached. You can pay online "
                "here: %s",
                link or "",
            ),
            partner_ids=partner.ids,
            attachments=[(f"statement-{partner.id}.pdf", pdf)],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.message_post(body=self.env._("Statement sent to %s.", partner.email))
        return True

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
