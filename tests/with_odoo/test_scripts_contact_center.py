import csv
import io
import json

from odoo import Command, fields
from odoo.tests import tagged

from .common_scripts import (
    ScriptsCase,
    run_script,
)


@tagged("post_install", "-at_install")
class TestContactCenterScripts(ScriptsCase):
    """kpis.py and export_cases.py over JSON-RPC against the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Collector Script",
                "login": "collector_script",
                "password": "collector_script",
                "groups_id": [
                    Command.set(
                        cls.env.ref("collections_automation.group_collection_user").ids
                    )
                ],
            }
        )
        cls.team = cls.env["collection.team"].create(
            {
                "name": "Script Team",
                "member_ids": [
                    Command.create({"user_id": cls.collector.id, "capacity": 50})
                ],
            }
        )
        partners = cls.env["res.partner"].create(
            [{"name": f"Export {n}"} for n in range(5)]
        )
        cls.cases = cls.env["collection.case"].create(
            [{"partner_id": p.id} for p in partners]
        )
        cls.cases.write({"team_id": cls.team.id, "user_id": cls.collector.id})
        cls.cases[-1].stage_id = cls.env.ref("collections_contact_center.stage_closed")

    def test_export_cases_pages_through_every_open_case(self):
        code, out, err = run_script(
            "export_cases",
            [*self.connection(), "--team", "Script Team", "--page", "2"],
        )
        self.assertEqual(code, 0, err)
        rows = list(csv.DictReader(io.StringIO(out)))
        open_cases = self.cases[:-1]
        self.assertEqual([int(r["case_id"]) for r in rows], open_cases.ids)
        self.assertEqual(
            [r["customer"] for r in rows], open_cases.partner_id.mapped("name")
        )
        self.assertEqual({r["collector"] for r in rows}, {"Collector Script"})
        self.assertEqual({r["team"] for r in rows}, {"Script Team"})
        code, out, err = run_script(
            "export_cases", [*self.connection(), "--team", "Script Team", "--all"]
        )
        self.assertEqual(len(list(csv.DictReader(io.StringIO(out)))), 5)

    def test_kpis_prints_the_dashboards_figures(self):
        self.env["collection.case.call"].create(
            {
                "case_id": self.cases[0].id,
                "team_id": self.team.id,
                "user_id": self.collector.id,
                "disposition_id": self.env.ref(
                    "collections_contact_center.disposition_right_party"
                ).id,
            }
        )
        self.env.flush_all()  # the RPC requests read the database, not our cache
        code, out, err = run_script(
            "kpis", [*self.connection(), "--compute", "--json", "--by", "team"]
        )
        self.assertEqual(code, 0, err)
        rows = json.loads(out)
        month = fields.Date.context_today(self.env["res.partner"]).replace(day=1)
        lines = self.env["collection.kpi.line"].search(
            [("date_from", "=", month), ("dimension", "=", "team")]
        )
        self.assertEqual(
            sorted((r["kpi"], r["group"] or "", round(r["value"], 2)) for r in rows),
            sorted(
                (line.kpi, line.team_id.name or "", round(line.value, 2))
                for line in lines
            ),
        )
        self.assertIn(
            ("right_party_rate", "Script Team", 100.0),
            [(r["kpi"], r["group"], r["value"]) for r in rows],
        )
        code, out, err = run_script("kpis", [*self.connection(), "--by", "team"])
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"Right-party contact rate +Script Team +100\.0 %")

    def test_a_collector_cannot_compute_kpis(self):
        code, out, err = run_script(
            "kpis", [*self.connection("collector_script"), "--compute"]
        )
        self.assertEqual(code, 2)
        self.assertEqual(err, "error: Only collection managers compute KPIs.\n")
