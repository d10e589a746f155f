"""Pure collection rules: no import from Odoo nor from the addon around it.

The Odoo layer gathers facts in bulk, hands plain data to these modules and
writes their decisions back in bulk. Load it without Odoo through
``engines.load_engine("collections_automation")`` at the repository root.
"""
