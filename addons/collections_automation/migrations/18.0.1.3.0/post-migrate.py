"""Once, on the update to 18.0.1.3.0: the shipped reminder templates (kept
as they were, being noupdate) state the debt per currency, not as one sum in
the company currency; see ``migrations/template_placeholders.py``."""

import logging

from odoo.addons.collections_automation.migrations.template_placeholders import (
    rewrite_template_bodies,
    shipped_template_ids,
)

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    changed = rewrite_template_bodies(cr, shipped_template_ids(cr))
    _logger.info(
        "Collection templates stating the debt per currency now: %s", len(changed)
    )
