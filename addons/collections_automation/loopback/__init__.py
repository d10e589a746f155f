"""Loopback servers speaking the providers' protocols, for the tests, the
load test and the demo (``scripts/dev.py run``); plain Python, no Odoo.

``whatsapp.WhatsAppServer``, ``twilio.TwilioServer``, ``generic.GenericServer``
and ``chat_completions.ChatCompletionsServer`` (an OpenAI-compatible model)
each run on 127.0.0.1 in a thread while used as a context manager; see
``base.ProtocolServer`` for the shared controls. ``combined.LoopbackProvider``
answers like all three providers at once, for the Odoo tests. Load them
without Odoo through ``engines.load_engine("collections_automation",
"loopback")``.
"""
