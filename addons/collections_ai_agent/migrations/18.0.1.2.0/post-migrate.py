"""Once, on the update to 18.0.1.2.0: the former system-wide LLM parameters
become the settings of every company without an endpoint of its own."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    api.Environment(cr, SUPERUSER_ID, {})[
        "res.company"
    ]._collection_llm_from_parameters()
