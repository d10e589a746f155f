"""Tests of the command-line tools of ``scripts/`` against a real Odoo.

They need Odoo 18 and a database with the three addons, so ``scripts/dev.py
test`` runs them with the addons' Odoo tests (through pytest-odoo), not with
the tests that need no Odoo; they live here, beside the scripts they test,
because no addon's tests reach outside their addon.
"""
