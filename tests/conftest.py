"""Tests that need no Odoo: they load the engines through ``engines.load_engine``."""

from engines import load_engine

load_engine("collections_automation")
load_engine("collections_automation", "channels")
load_engine("collections_automation", "loopback")
load_engine("collections_ai_agent")
load_engine("collections_contact_center")
