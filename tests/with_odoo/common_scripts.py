"""Running the command-line tools of ``scripts/`` against the test server.

Their ``main`` runs in this process and talks JSON-RPC (odoorpc) to the test
server, whose requests share the test's transaction: what the tools create
is seen by the test after ``invalidate_all`` and rolled back at the end.
"""

import importlib
import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def script(name):
    """A module of ``scripts/``, imported as the scripts import each other."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    return importlib.import_module(name)


def run_script(name, argv, stdin_lines=None):
    """``(exit code, stdout, stderr)`` of ``scripts/<name>.py`` run as a
    command, given ``stdin_lines`` (one per line) as its standard input."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("".join(f"{line}\n" for line in stdin_lines or ()))
    with patch("sys.stdin", stdin), redirect_stdout(out), redirect_stderr(err):
        code = script("odoo_rpc").run(script(name).main, argv)
    return code, out.getvalue(), err.getvalue()


class ScriptsCase(HttpCase):
    """An HttpCase whose tests run the scripts against its server."""

    def connection(self, login="admin", password=None):
        """The scripts' connection options for ``login`` (its password is
        the login unless given)."""
        return [
            "--url",
            self.base_url(),
            "--db",
            self.env.cr.dbname,
            "--user",
            login,
            "--password",
            login if password is None else password,
        ]
