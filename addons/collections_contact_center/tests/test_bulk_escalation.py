from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.collections_automation.tests.common import CollectionsCommon

from ..models.collection_case import ESCALATION_REASONS, URGENT_REASONS

REASONS = ("journey", "dispute", "hardship", "request_human", "journey")


def escalate_through_the_orm(Case, escalations):
    """How ``_escalate_many`` opened cases before it was set-based (the
    record-by-record ORM path), kept as the reference."""
    wanted = {}
    for partner, company, reason, note in escalations:
        wanted[(partner.commercial_partner_id.id, company.id)] = (reason, note)
    existing = {
        (case.partner_id.id, case.company_id.id): case
        for case in Case.search(
            [
                ("partner_id", "in", [key[0] for key in wanted]),
                ("is_closed", "=", False),
            ]
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
    # the escalation's note opens the case's chatter: no "created" line
    created = (
        Case.with_context(mail_create_nolog=True).create(to_create)
        if to_create
        else Case.browse()
    )
    for case in created:
        existing[(case.partner_id.id, case.company_id.id)] = case
    unowned = (
        Case.browse([case.id for case in existing.values() if not case.user_id])
        - created
    )
    unowned._route()
    cases, bodies, activities = Case.browse(), {}, []
    labels = dict(ESCALATION_REASONS)
    for key, (reason, note) in wanted.items():
        case = existing[key]
        cases |= case
        body = Markup("<p>%s</p>") % Case.env._("Escalated: %s", labels[reason])
        bodies[case.id] = body + note if note else body
        activities.append(
            {
                "res_model_id": Case.env["ir.model"]._get_id("collection.case"),
                "res_id": case.id,
                "activity_type_id": Case.env.ref("mail.mail_activity_data_call").id,
                "summary": Case.env._("Escalation: %s", labels[reason]),
                "note": note or "",
                "date_deadline": fields.Date.context_today(Case),
                "user_id": (
                    case.user_id or case.team_id.manager_id or Case.env.user
                ).id,
            }
        )
    cases._message_log_batch(bodies=bodies)
    Case.env["mail.activity"].create(activities)
    return cases


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10 09:00:00")
class TestBulkEscalation(CollectionsCommon):
    """A journey run escalating 30 customers at once opens the cases, chatter,
    followers and activities that escalating them one by one through the ORM
    did: the same rows, the same chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        collector = cls.env.ref("collections_automation.group_collection_user")
        cls.ana, cls.beto, cls.carla = cls.env["res.users"].create(
            [
                {
                    "name": name,
                    "login": f"bulk_{name.lower()}",
                    "groups_id": [Command.set(collector.ids)],
                    "tz": tz,
                }
                for name, tz in (
                    ("Ana", "Europe/Madrid"),
                    ("Beto", "America/Bogota"),
                    ("Carla", False),
                )
            ]
        )
        Team = cls.env["collection.team"]
        # routing that does not depend on the order of the cases: one
        # collector per team, room for all, and a team without collectors
        Team.search([]).write({"active": False})
        Team.create(
            [
                {"name": "Hardship", "sequence": 1, "reasons": "hardship",
                 "manager_id": cls.carla.id},
                {"name": "Spanish", "sequence": 2, "lang_codes": "es",
                 "member_ids": [Command.create({"user_id": cls.ana.id,
                                                "capacity": 100})]},
                {"name": "Others", "sequence": 3,
                 "member_ids": [Command.create({"user_id": cls.beto.id,
                                                "capacity": 100})]},
            ]
        )  # fmt: skip
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    # the last one's name as the bulk statements must keep it
                    "name": f"Bulk Customer {n}"
                    if n < 29
                    else 'Bulk Customer 29: O\'Brien "Ñandú" {a, b} \\ NULL',
                    "lang": "es_ES" if n % 3 else "en_US",
                    "is_company": n % 2 == 0,
                }
                for n in range(30)
            ]
        )
        for n, customer in enumerate(cls.customers[:12]):
            cls.make_invoice(customer, 100 * (n + 1), due_in=-10 * (n + 1))
        cls.contact = cls.env["res.partner"].create(
            {"name": "Someone at 0", "parent_id": cls.customers[0].id}
        )
        Case = cls.env["collection.case"]
        owned = Case.create({"partner_id": cls.customers[1].id})
        owned.write({"user_id": cls.beto.id})
        Case.create({"partner_id": cls.customers[2].id}).write(
            {"user_id": False, "team_id": False}
        )
        cls.env.flush_all()
        cls.env.cr.precommit.run()

    def escalations(self):
        result = []
        for n, customer in enumerate(self.customers):
            note = Markup("<p>Transcript %s</p>") % n if n % 4 else None
            result.append((customer, self.env.company, REASONS[n % len(REASONS)], note))
        # a contact of the first customer escalates later: the latest wins
        result.append((self.contact, self.env.company, "request_human", None))
        return result

    def written(self, cases):
        """What an escalation wrote, customer by customer, comparable."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # the ORM's tracking messages
        self.env.invalidate_all()
        Case = self.env["collection.case"]
        result = {}
        for case in Case.search([("partner_id", "in", self.customers.ids)]):
            messages = self.env["mail.message"].search(
                [("model", "=", "collection.case"), ("res_id", "=", case.id)],
                order="id",
            )
            activities = self.env["mail.activity"].search(
                [("res_model", "=", "collection.case"), ("res_id", "=", case.id)],
                order="id",
            )
            result[case.partner_id.name, case.is_closed] = {
                "case": {
                    name: case[name]
                    for name in (
                        "name",
                        "company_id",
                        "debtor_id",
                        "stage_id",
                        "stage_code",
                        "user_id",
                        "team_id",
                        "priority",
                        "escalation_reason",
                        "sla_deadline",
                        "work_rank",
                        "next_action_date",
                        "dispute_reason",
                        "create_uid",
                    )
                },
                "chatter": [
                    (
                        m.message_type,
                        m.subtype_id,
                        m.author_id,
                        m.email_from,
                        m.reply_to,
                        m.body,
                        m.is_internal,
                        m.record_name,
                        m.date,
                        sorted(
                            (
                                t.field_id.name,
                                t.old_value_integer,
                                t.new_value_integer,
                                t.old_value_char,
                                t.new_value_char,
                                t.old_value_datetime,
                                t.new_value_datetime,
                            )
                            for t in m.tracking_value_ids
                        ),
                    )
                    for m in messages
                    if m.message_type != "user_notification"
                ],
                "followers": sorted(
                    (f.partner_id.id, tuple(sorted(f.subtype_ids.ids)))
                    for f in case.message_follower_ids
                ),
                "activities": [
                    (
                        a.activity_type_id,
                        a.user_id,
                        a.user_tz,
                        a.summary,
                        a.note,
                        a.date_deadline,
                        a.res_name,
                        a.res_model_id,
                        a.automated,
                        a.request_partner_id,
                        a.create_uid,
                    )
                    for a in activities
                ],
            }
        result["returned"] = [case.partner_id.name for case in cases]
        result["team rotation"] = [
            (team.name, team.last_assigned_user_id)
            for team in self.env["collection.team"].search([])
        ]
        return result

    def compare(self, Case):
        with self.env.cr.savepoint() as savepoint:
            returned = Case.browse()
            # in a batch the latest escalation of a customer wins: one by one,
            # the customers in the batch's order, each with its latest
            latest = {}
            for escalation in self.escalations():
                latest[escalation[0].commercial_partner_id] = escalation
            for escalation in latest.values():
                returned |= escalate_through_the_orm(Case, [escalation])
            one_by_one = self.written(returned)
            savepoint.rollback()
        self.env.invalidate_all()
        bulk = self.written(Case._escalate_many(self.escalations()))
        self.assertEqual(bulk.keys(), one_by_one.keys())
        for key, expected in one_by_one.items():
            self.assertEqual(bulk[key], expected, key)
        return bulk

    def test_with_chatter_disabled(self):
        # the tests' context, as mail.thread honours it: no log, no tracking
        bulk = self.compare(self.env["collection.case"].sudo())
        self.assertEqual(len(bulk["Bulk Customer 5", False]["chatter"]), 1)

    def test_bulk_is_what_the_orm_wrote_one_by_one(self):
        # a scheduled action's context: everything logged and tracked
        Case = (
            self.env["collection.case"]
            .sudo()
            .with_context(
                tracking_disable=False,
                mail_create_nolog=False,
                mail_create_nosubscribe=False,
                mail_notrack=False,
            )
        )
        bulk = self.compare(Case)
        # the batch is routed: teams, collectors, else the team leader
        opened = bulk["Bulk Customer 5", False]
        self.assertEqual(opened["case"]["user_id"], self.ana)
        self.assertEqual(bulk["Bulk Customer 7", False]["activities"][0][1], self.carla)
        # the escalation and its transcript, no "Collection Case created"
        self.assertEqual(len(opened["chatter"]), 1)
        self.assertIn("Escalated", opened["chatter"][0][5])
        self.assertIn("Transcript 5", opened["chatter"][0][5])
        self.assertEqual(len(bulk["returned"]), 30)
        first = bulk["Bulk Customer 0", False]
        self.assertEqual(first["case"]["escalation_reason"], "request_human")
        self.assertEqual(len(first["activities"]), 1)

    def test_bulk_sends_no_email_per_case(self):
        before = self.env["mail.mail"].search_count([])
        cases = self.env["collection.case"].sudo()._escalate_many(self.escalations())
        self.assertEqual(len(cases), 30)
        self.assertEqual(self.env["mail.mail"].search_count([]), before)
        self.assertFalse(
            self.env["mail.message"].search(
                [
                    ("model", "=", "collection.case"),
                    ("res_id", "in", cases.ids),
                    ("message_type", "=", "user_notification"),
                ]
            )
        )
