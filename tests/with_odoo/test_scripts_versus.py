"""``scripts/versus_credit_control.py`` without OCA's addon: it parses its
arguments and, given no usable ``--oca-addons``, says why and measures nothing
(no database is created). The measure itself is a benchmark, not a test;
these need no database (a plain TestCase) but live beside the scripts' tests."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from unittest import TestCase
from unittest.mock import patch

from .common_scripts import script


class TestVersusCreditControl(TestCase):
    def setUp(self):
        super().setUp()
        self.versus = script("versus_credit_control")

    def run_main(self, argv):
        out, err = io.StringIO(), io.StringIO()
        with (
            patch.object(self.versus, "prepare_database") as prepare,
            redirect_stdout(out),
            redirect_stderr(err),
        ):
            code = self.versus.main(argv)
        return code, out.getvalue(), err.getvalue(), prepare

    def test_defaults_are_the_issue_portfolio(self):
        options = self.versus.parse([])
        self.assertEqual(
            (options.invoices, options.customers, options.paid), (50000, 12500, 25000)
        )
        self.assertIsNone(options.oca_addons)
        options = self.versus.parse(
            ["--oca-addons", "/x", "--invoices", "5000", "--database", "h_v"]
        )
        self.assertEqual((options.oca_addons, options.invoices), ("/x", 5000))
        self.assertEqual(options.database, "h_v")

    def test_bad_sizes_are_refused(self):
        with redirect_stderr(io.StringIO()) as err, self.assertRaises(SystemExit):
            self.versus.parse(["--invoices", "0"])
        self.assertIn("--invoices and --customers must be positive", err.getvalue())

    def test_no_oca_addons_measures_nothing(self):
        code, out, err, prepare = self.run_main(["--invoices", "5000"])
        self.assertEqual(code, 0)
        self.assertIn("--oca-addons is missing", err)
        self.assertIn("nothing was measured", json.loads(out)["skipped"])
        prepare.assert_not_called()

    def test_a_folder_without_the_addon_or_another_version(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            code, out, err, prepare = self.run_main(["--oca-addons", folder])
            self.assertEqual(code, 0)
            self.assertIn("must hold account_credit_control", err)
            manifest = Path(folder, "account_credit_control", "__manifest__.py")
            manifest.parent.mkdir()
            manifest.write_text(
                '{"name": "Account Credit Control", "version": "17.0.1.0.0"}'
            )
            code, out, err, prepare = self.run_main(["--oca-addons", folder])
            self.assertIn("is not an 18.0 version", json.loads(out)["skipped"])
            prepare.assert_not_called()
            manifest.write_text('{"version": "18.0.2.0.2"}')
            self.assertIsNone(self.versus.oca_missing(folder))
