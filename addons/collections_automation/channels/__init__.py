"""Provider adapters over ``requests``: no import from Odoo nor from the addon.

Each adapter is a small class built from plain settings (credentials, base
URL, timeouts) that sends one message and raises a typed error
(:class:`~.base.RetryableProviderError` or :class:`~.base.FatalProviderError`)
the dispatcher turns into a retry or a visible failure. Webhook signature
checks and payload parsing are plain functions beside them. Load without Odoo
through ``engines.load_engine("collections_automation", "channels")``.
"""
