from datetime import timedelta

from freezegun import freeze_time
from markupsafe import Markup
from psycopg2 import IntegrityError

from odoo import SUPERUSER_ID, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.collections_automation.tests.common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestCases(CollectionsCommon):
    """Cases: routing, capacity, absence, escalation, calls, closing, access."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["collection.case"]
        collector_group = cls.env.ref("collections_automation.group_collection_user")

        def user(login):
            return cls.env["res.users"].create(
                {
                    "name": login.title(),
                    "login": login,
                    "groups_id": [(6, 0, collector_group.ids)],
                    "company_id": cls.env.company.id,
                    "company_ids": [(6, 0, cls.env.company.ids)],
                }
            )

        cls.ana, cls.beto, cls.caro = user("ana"), user("beto"), user("caro")
        cls.spanish = cls.env["collection.team"].create(
            {
                "name": "Spanish",
                "sequence": 1,
                "lang_codes": "es",
                "member_ids": [
                    (0, 0, {"user_id": cls.ana.id, "capacity": 2}),
                    (0, 0, {"user_id": cls.beto.id, "capacity": 1}),
                ],
            }
        )
        cls.disputes = cls.env["collection.team"].create(
            {
                "name": "Disputes",
                "sequence": 0,
                "reasons": "dispute",
                "member_ids": [(0, 0, {"user_id": cls.caro.id, "capacity": 5})],
            }
        )
        cls.env["res.lang"]._activate_lang("es_MX")

    def customer(self, name, amount=1000, lang="es_MX"):
        partner = self.env["res.partner"].create(
            {"name": name, "lang": lang, "country_id": self.env.ref("base.mx").id}
        )
        invoice = self.make_invoice(partner, amount, due_in=-20)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        return partner, invoice

    def case(self, partner, **values):
        return self.Case.create({"partner_id": partner.id, **values})

    def test_routing_fills_the_least_loaded_within_capacity(self):
        cases = self.Case
        for index in range(4):
            partner, _invoice = self.customer(f"Cliente {index}", 1000 + index)
            cases |= self.case(partner)
        owners = cases.mapped("user_id")
        self.assertEqual(set(cases.mapped("team_id")), {self.spanish})
        self.assertEqual(
            sorted(cases.mapped(lambda c: c.user_id.login or "")),
            ["", "ana", "ana", "beto"],
            "2 for Ana, 1 for Beto, the 4th waits: the team is full",
        )
        self.assertIn(self.ana, owners)
        # an English-speaking customer matches no team
        english, _invoice = self.customer("John", lang="en_US")
        self.assertFalse(self.case(english).team_id)

    def test_a_call_counts_for_who_made_it_never_for_the_system(self):
        """Logged by a collector, the call is theirs; loaded by the system
        (demo data, an import), it is the case's collector's, not OdooBot's
        (the dashboard's list of collectors)."""
        partner, _invoice = self.customer("Llamada")
        case = self.case(partner)
        self.assertEqual(case.user_id, self.ana)
        Call = self.env["collection.case.call"]
        outcome = self.env.ref("collections_contact_center.disposition_no_answer")
        values = {"case_id": case.id, "disposition_id": outcome.id}
        system = Call.with_user(SUPERUSER_ID).create(dict(values))
        self.assertEqual(system.user_id, self.ana)
        by_beto = Call.with_user(self.beto).sudo().create(dict(values))
        self.assertEqual(by_beto.user_id, self.beto)

    @mute_logger("odoo.sql_db")
    def test_one_open_case_per_customer(self):
        partner, _invoice = self.customer("Único")
        self.case(partner)
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.case(partner)
            self.env.flush_all()

    def test_absent_collector_cases_move_to_team_mates(self):
        partner, _invoice = self.customer("Ausente")
        case = self.case(partner)
        self.assertEqual(case.user_id, self.ana)
        self.spanish.member_ids.filtered(lambda m: m.user_id == self.ana).absent = True
        self.assertEqual(case.user_id, self.beto)
        self.assertIn("away", case.message_ids[0].body)

    def test_agent_escalation_opens_a_case_with_the_transcript(self):
        partner, _invoice = self.customer("Disputa")
        company = self.env.company
        case = self.Case._escalate(
            partner, company, "dispute", note=Markup("<p>no es mío</p>")
        )
        self.assertEqual((case.team_id, case.user_id), (self.disputes, self.caro))
        self.assertEqual((case.priority, case.escalation_reason), ("3", "dispute"))
        self.assertTrue(any("no es mío" in b for b in case.message_ids.mapped("body")))
        self.assertEqual(case.activity_ids.user_id, self.caro)
        # a second escalation updates the same case
        again = self.Case._escalate(partner, company, "request_human")
        self.assertEqual(again, case)
        self.assertEqual(case.priority, "3", "never lowered")
        self.assertEqual(len(case.activity_ids), 2)

    def test_ai_agent_hand_over_goes_through_the_case(self):
        partner, _invoice = self.customer("Agente")
        conversation = self.env["collection.conversation"].create(
            {"partner_id": partner.id, "company_id": self.env.company.id}
        )
        conversation._on_escalation(
            "request_human", [{"from": "customer", "text": "una persona por favor"}]
        )
        case = self.Case.search([("partner_id", "=", partner.id)])
        self.assertEqual(case.escalation_reason, "request_human")
        self.assertIn("una persona por favor", case.activity_ids.note)

    def test_calls_with_dispositions_move_the_case(self):
        partner, invoice = self.customer("Llamada")
        case = self.case(partner)
        Wizard = self.env["collection.case.log.call"]
        Wizard.create(
            {
                "case_id": case.id,
                "disposition_id": self.env.ref(
                    "collections_contact_center.disposition_no_answer"
                ).id,
            }
        ).action_log()
        self.assertEqual(case.stage_code, "in_progress")
        self.assertFalse(case.call_ids.right_party)
        Wizard.create(
            {
                "case_id": case.id,
                "disposition_id": self.env.ref(
                    "collections_contact_center.disposition_promise"
                ).id,
                "promise_amount": 1000,
                "promise_date": self.days(3),
            }
        ).action_log()
        self.assertEqual(case.stage_code, "promise")
        self.assertEqual(len(case.call_ids), 2)
        self.assertEqual(case.promise_due, self.days(3))
        promise = self.env["collection.promise"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual((promise.amount, promise.source), (1000, "collector"))
        # a dispute needs a reason, holds the invoices, has its own SLA
        dispute = self.env.ref("collections_contact_center.disposition_dispute")
        with self.assertRaises(UserError):
            Wizard.create(
                {"case_id": case.id, "disposition_id": dispute.id}
            ).action_log()
        Wizard.create(
            {
                "case_id": case.id,
                "disposition_id": dispute.id,
                "dispute_reason": "wrong_amount",
            }
        ).action_log()
        self.assertEqual(
            (case.stage_code, case.dispute_reason), ("dispute", "wrong_amount")
        )
        self.assertEqual(invoice.collection_hold, "dispute")
        self.assertGreater(case.sla_deadline, fields.Datetime.now() + timedelta(days=9))
        case.action_resolve_dispute(accepted=False)
        self.assertFalse(invoice.collection_hold, "rejected: collection resumes")

    def test_cases_close_when_the_overdue_balance_is_paid(self):
        partner, invoice = self.customer("Pagador")
        case = self.case(partner)
        self.pay(invoice, 1000)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        self.assertTrue(case.is_closed)
        self.assertTrue(case.closed_date)
        # a new debt opens a new case
        self.make_invoice(partner, 300, due_in=-5)
        self.env["collection.debtor"]._refresh(partner_ids=partner.ids)
        self.assertTrue(self.case(partner))

    def test_my_work_today_puts_the_one_to_call_first(self):
        small, _i = self.customer("Pequeño", 200)
        big, _i = self.customer("Grande", 5000)
        small_case, big_case = self.case(small), self.case(big)
        (small_case | big_case).write({"user_id": self.ana.id})
        self.Case.with_user(self.ana)._rank_work()
        self.assertLess(big_case.work_rank, small_case.work_rank)
        small_case.sla_deadline = fields.Datetime.now() - timedelta(hours=1)
        self.assertTrue(small_case.sla_overdue)
        self.assertIn(small_case, self.Case.search([("sla_overdue", "=", True)]))
        self.Case.with_user(self.ana)._rank_work()
        self.assertEqual(small_case.work_rank, 1, "a breached SLA comes first")

    def test_collectors_see_only_their_teams_cases(self):
        mine, _i = self.customer("Del equipo")
        theirs, _i = self.customer("De disputas")
        team_case = self.case(mine)
        other = self.Case._escalate(theirs, self.env.company, "dispute")
        self.assertEqual(other.team_id, self.disputes)
        visible = self.Case.with_user(self.beto).search([])
        self.assertIn(team_case, visible)
        self.assertNotIn(other, visible)
        with self.assertRaises(AccessError):
            other.with_user(self.beto).read(["partner_id"])
        manager = self.env["res.users"].create(
            {
                "name": "Manager",
                "login": "cc-manager",
                "groups_id": [
                    (
                        6,
                        0,
                        self.env.ref(
                            "collections_automation.group_collection_manager"
                        ).ids,
                    )
                ],
            }
        )
        self.assertEqual(
            self.Case.with_user(manager).search([]) & (team_case | other),
            team_case | other,
        )

    def test_agreements_stay_within_the_policy_unless_a_manager_overrides(self):
        partner, _invoice = self.customer("Acuerdo")
        case = self.case(partner)
        Agreement = self.env["collection.case.agreement"]
        late = Agreement.with_user(self.ana).create(
            {
                "case_id": case.id,
                "kind": "promise",
                "amount": 1000,
                "promise_date": self.days(60),
            }
        )
        self.assertIn("later than the policy allows", late.policy_problems)
        with self.assertRaises(UserError):
            late.action_record()
        late.write({"override": True, "override_reason": "VIP"})
        with self.assertRaises(UserError):
            late.action_record()  # a collector may not override
        late.with_user(self.env.user).action_record()  # the test user is a manager
        self.assertEqual(case.stage_code, "promise")
        self.assertTrue(any("overridden" in b for b in case.message_ids.mapped("body")))
        plan = Agreement.create(
            {
                "case_id": case.id,
                "kind": "plan",
                "amount": 1000,
                "promise_date": self.days(1),
                "installments": 3,
            }
        )
        self.assertFalse(plan.policy_problems)
        plan.action_record()
        record = self.env["collection.payment.plan"].search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual((record.installment_count, record.amount_total), (3, 1000))
        self.assertEqual(case.stage_code, "plan")

    @freeze_time("2026-11-25 16:00:00")  # a Wednesday, 10:00 in Mexico City
    def test_payment_link_on_any_channel_through_the_contact_policy(self):
        partner, invoice = self.customer("Enlace")
        partner.write(
            {
                "email": "enlace@example.com",
                "tz": "America/Mexico_City",
                "collection_consent_email": True,
            }
        )
        case = self.case(partner)
        Wizard = self.env["collection.case.send.link"]
        refused = Wizard.create({"case_id": case.id, "channel": "sms"})
        with self.assertRaisesRegex(UserError, "does not allow"):
            refused.action_send()
        self.assertFalse(
            self.env["collection.message"].search([("partner_id", "=", partner.id)])
        )
        wizard = Wizard.create({"case_id": case.id, "channel": "email"})
        self.assertIn(invoice.get_portal_url().split("?")[0], wizard.payment_url)
        wizard.action_send()
        row = self.env["collection.message"].search([("partner_id", "=", partner.id)])
        self.assertEqual((row.kind, row.channel), ("payment_link", "email"))
        self.assertIn(wizard.payment_url, row.body)
        # a second click in the same minute sends nothing more
        with self.assertRaises(UserError):
            Wizard.create({"case_id": case.id, "channel": "email"}).action_send()

    @freeze_time("2026-11-25 16:00:00")
    def test_statement_with_payment_link(self):
        partner, invoice = self.customer("Estado")
        partner.write(
            {
                "email": "estado@example.com",
                "tz": "America/Mexico_City",
                "collection_consent_email": True,
            }
        )
        case = self.case(partner)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "collections_contact_center.action_report_collection_statement",
                case.ids,
            )[0]
            .decode()
        )
        self.assertIn(invoice.name, html)
        # the "pay everything overdue" link of the customer's statement
        link = self.env["collection.statement"]._data(partner, case.company_id)["link"]
        self.assertTrue(link)
        self.assertIn(link, html.replace("&amp;", "&"))
        action = case.with_context(discard_logo_check=True).action_download_statement()
        self.assertEqual(
            (action["type"], action["report_name"]),
            (
                "ir.actions.report",
                "collections_contact_center.report_collection_statement",
            ),
        )
        case.action_send_statement()
        sent = partner.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(len(sent), 1)
        self.assertIn(partner, sent.partner_ids)
        partner.collection_do_not_contact = True
        with self.assertRaisesRegex(UserError, "does not allow"):
            case.action_send_statement()

    def test_many_escalations_at_once(self):
        first, _i = self.customer("Uno")
        second, _i = self.customer("Dos")
        third, _i = self.customer("Tres")
        existing = self.case(first)
        company = self.env.company
        cases = self.Case._escalate_many(
            [
                (first, company, "journey", None),
                (second, company, "hardship", None),
                (third, company, "journey", None),
                (third, company, "frustration", None),  # the latest one counts
            ]
        )
        self.assertEqual(len(cases), 3)
        self.assertIn(existing, cases)
        by_partner = {case.partner_id: case for case in cases}
        self.assertEqual(by_partner[first].escalation_reason, "journey")
        self.assertEqual(
            (by_partner[third].escalation_reason, by_partner[third].priority),
            ("frustration", "3"),
        )
        self.assertEqual(by_partner[second].priority, "3")
        self.assertTrue(all(len(case.activity_ids) == 1 for case in cases))
        self.assertTrue(all(case.user_id for case in cases))
