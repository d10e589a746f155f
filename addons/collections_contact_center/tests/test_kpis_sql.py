import random
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon

from ..models.collection_kpi_line import _Facts
from .kpi_reference import PythonFacts

TODAY = date(2026, 4, 10)
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1))
#: Fields that tell one KPI line from another of the same month.
LINE_KEYS = (
    "kpi",
    "dimension",
    "channel",
    "journey_id",
    "variant_id",
    "segment_id",
    "team_id",
    "user_id",
    "bucket_id",
    "escalation_reason",
)


def keyed(lines):
    """KPI lines by what they measure -> (value, sample size)."""
    result = {}
    for line in lines:
        if line.get("step_id"):  # A/B lines: one computation for both
            continue
        key = tuple(line.get(name) or False for name in LINE_KEYS)
        assert key not in result, f"two lines for {key}"
        result[key] = (line["value"], line.get("sample_size", 0))
    return result


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 12:00:00")
class TestKpisSql(CollectionsCommon):
    """The KPIs aggregated in SQL are those the record-by-record computation
    (``kpi_reference``, the pure ``engine.kpis`` over every fact read into
    Python) gives, on a random portfolio: installments, partial and full
    payments over several months, credit notes reconciled or not, unapplied
    payments, customers without a case or with a closed one, messages, calls,
    promises and AI conversations of every kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(18)
        company = cls.env.company
        collector = cls.env.ref("collections_automation.group_collection_user")
        users = cls.env["res.users"].create(
            [
                {
                    "name": f"Collector {n}",
                    "login": f"kpi_sql_{n}",
                    "groups_id": [Command.set(collector.ids)],
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                }
                for n in range(3)
            ]
        )
        teams = cls.env["collection.team"].create(
            [
                {
                    "name": f"Team {n}",
                    "member_ids": [
                        Command.create({"user_id": user.id, "capacity": 50})
                        for user in users[n : n + 2]
                    ],
                }
                for n in range(2)
            ]
        )
        partners = cls.env["res.partner"].create(
            [{"name": f"KPI SQL {n}"} for n in range(10)]
        )
        cls._ledger(partners)
        cases = cls._cases(partners, teams)
        cls._contacts(partners, cases, users)
        cls.env.invalidate_all()

    @classmethod
    def some_day(cls, start=date(2025, 11, 1), end=TODAY):
        return start + timedelta(days=cls.rng.randrange((end - start).days + 1))

    @classmethod
    def moment(cls, start=date(2026, 1, 1)):
        return datetime.combine(cls.some_day(start), datetime.min.time()) + timedelta(
            hours=cls.rng.randrange(24)
        )

    @classmethod
    def _ledger(cls, partners):
        """Invoices (some in two installments), credit notes, payments."""
        rng, some_day = cls.rng, cls.some_day
        invoices = cls.env["account.move"]
        for _n in range(36):
            partner = rng.choice(partners)
            dated = some_day()
            move_type = "out_refund" if rng.random() < 0.12 else "out_invoice"
            term = cls.two_installments if rng.random() < 0.3 else None
            values = {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": dated,
                "date": dated,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "price_unit": rng.randrange(50, 3000),
                            "tax_ids": [],
                        }
                    )
                ],
                "invoice_payment_term_id": term.id if term else False,
            }
            if not term:
                values["invoice_date_due"] = dated + timedelta(
                    days=rng.choice((0, 10, 30, 45))
                )
            move = cls.env["account.move"].create(values)
            move.action_post()
            if move_type == "out_invoice":
                invoices |= move
            elif rng.random() < 0.5:  # a credit note applied to an invoice
                target = invoices.filtered(
                    lambda m, p=partner: m.partner_id == p
                    and m.payment_state in ("not_paid", "partial")
                )[:1]
                if target:
                    (move | target).line_ids.filtered(
                        lambda line: line.account_id.account_type == "asset_receivable"
                    ).reconcile()
        for invoice in invoices:
            for _k in range(rng.choice((0, 0, 1, 1, 2))):
                if invoice.amount_residual <= 0:
                    break
                paid_on = some_day(invoice.invoice_date)
                amount = (
                    invoice.amount_residual
                    if rng.random() < 0.5
                    else round(invoice.amount_residual * rng.uniform(0.2, 0.8), 2)
                )
                cls.pay(invoice, amount, paid_on)
        for partner in partners[:3]:  # unapplied payments: credits on account
            payment = cls.env["account.payment"].create(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": partner.id,
                    "amount": rng.randrange(100, 1500),
                    "date": some_day(date(2026, 2, 1)),
                }
            )
            payment.action_post()

    @classmethod
    def _cases(cls, partners, teams):
        rng = cls.rng
        # cases: the latest one gives the team and collector; some closed
        Case = cls.env["collection.case"]
        closed = cls.env.ref("collections_contact_center.stage_closed")
        cases = Case
        for partner in partners[:8]:
            case = Case.create({"partner_id": partner.id})
            team = rng.choice(teams)
            case.write(
                {
                    "team_id": team.id,
                    "user_id": rng.choice(team.member_ids.user_id).id,
                }
            )
            if rng.random() < 0.3:
                case.write({"stage_id": closed.id})
                case.flush_recordset()
                case = Case.create({"partner_id": partner.id})
                case.write({"team_id": teams[0].id, "user_id": False})
            cases |= case
        return cases

    @classmethod
    def _contacts(cls, partners, cases, users):
        """Segments and journeys, messages, calls, promises, conversations."""
        rng, some_day, moment = cls.rng, cls.some_day, cls.moment
        company = cls.env.company
        segments = cls.env["collection.segment"].search([], limit=2)
        journeys = cls.env["collection.journey"].search([], limit=2)
        debtors = cls.env["collection.debtor"].search(
            [("partner_id", "in", partners.ids)]
        )
        for debtor in debtors:
            debtor.write(
                {
                    "segment_id": rng.choice([*segments.ids, False]),
                    "journey_id": rng.choice([*journeys.ids, False]),
                }
            )

        states = ("sent", "delivered", "read", "replied", "failed", "queued")
        for n in range(60):
            sent_at = moment()
            cls.env["collection.message"].create(
                {
                    "partner_id": rng.choice(partners).id,
                    "company_id": company.id,
                    "channel": rng.choice(("sms", "email", "whatsapp")),
                    "state": rng.choice(states),
                    "kind": rng.choice(("journey", "promise_reminder")),
                    "journey_id": rng.choice([*journeys.ids, False]),
                    "sent_at": sent_at,
                    "scheduled_at": sent_at,
                    "idempotency_key": f"kpi-sql-{n}",
                }
            )
        dispositions = cls.env["collection.disposition"].search([])
        for _n in range(30):
            case = rng.choice(cases)
            cls.env["collection.case.call"].create(
                {
                    "case_id": case.id,
                    "call_date": moment(),
                    "disposition_id": rng.choice(dispositions).id,
                    "user_id": rng.choice(users).id,
                }
            )
        Promise = cls.env["collection.promise"].sudo()
        for _n in range(20):
            amount = rng.randrange(100, 1000)
            promise = Promise.create(
                {
                    "partner_id": rng.choice(partners).id,
                    "amount": amount,
                    "promise_date": some_day(date(2026, 1, 1)),
                }
            )
            state = rng.choice(
                ("open", "kept", "broken", "partially_kept", "cancelled")
            )
            paid = {"kept": amount, "partially_kept": amount // 2}.get(state, 0)
            if rng.random() < 0.2:
                paid = amount  # paid in full, not yet settled
            promise.write({"state": state, "amount_paid": paid})
        reasons = (False, False, "dispute", "hardship", "request_human")
        for _n in range(25):
            conversation = cls.env["collection.conversation"].create(
                {
                    "partner_id": rng.choice(partners).id,
                    "company_id": company.id,
                    "channel": rng.choice(("whatsapp", "sms", "web")),
                    "escalation_reason": rng.choice(reasons),
                }
            )
            cls.env.cr.execute(
                "UPDATE collection_conversation SET create_date = %s WHERE id = %s",
                (moment(), conversation.id),
            )

    def assert_same_kpis(self, month):
        date_to = min(month + relativedelta(months=1, days=-1), TODAY)
        env = self.env["collection.kpi.line"].sudo().with_company(self.env.company)
        self.env.flush_all()
        sql = keyed(_Facts(env, self.env.company, month, date_to).kpi_lines())
        python = keyed(PythonFacts(env, self.env.company, month, date_to).kpi_lines())
        self.assertEqual(sorted(sql), sorted(python), f"the same lines in {month}")
        for key, (value, sample) in python.items():
            self.assertAlmostEqual(sql[key][0], value, 6, f"{key} in {month}")
            self.assertEqual(sql[key][1], sample, f"sample of {key} in {month}")
        return python

    def test_same_kpis_as_the_python_computation(self):
        kpis_seen = set()
        for month in MONTHS:
            kpis_seen |= {key[0] for key in self.assert_same_kpis(month)}
        # the portfolio exercises every KPI but the A/B ones
        self.assertEqual(
            kpis_seen,
            {
                "contact_rate",
                "right_party_rate",
                "promise_rate",
                "promise_kept_rate",
                "recovery_rate",
                "amount_collected",
                "dso",
                "best_dso",
                "average_days_delinquent",
                "cei",
                "roll_rate",
                "containment_rate",
                "escalation_rate",
            },
        )

    def test_empty_month(self):
        self.assertEqual(self.assert_same_kpis(date(2024, 1, 1)), {})
