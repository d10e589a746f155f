"""Pure rules of the collections agent: no import from Odoo nor from the addon.

Understanding (``nlu``), the negotiation policy (``negotiation``) and the
dialogue (``dialogue``) take and return plain data. Load it without Odoo
through ``engines.load_engine("collections_ai_agent")`` at the repository root.
"""
