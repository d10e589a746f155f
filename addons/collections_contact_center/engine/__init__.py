"""Pure contact-center rules: no import from Odoo nor from the addon around it.

Routing of cases to teams and collectors, the order of a collector's work for
the day, the contact-center KPIs and the A/B test of journey variants. The
Odoo layer gathers facts in bulk, hands plain data to these modules and writes
their decisions back in bulk. Load it without Odoo through
``engines.load_engine("collections_contact_center")`` at the repository root.
"""
