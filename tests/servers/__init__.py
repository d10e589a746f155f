"""Loopback servers speaking the providers' protocols, for tests and load tests.

``whatsapp.WhatsAppServer``, ``twilio.TwilioServer`` and
``generic.GenericServer`` each run on 127.0.0.1 in a thread while used as a
context manager; see ``base.ProtocolServer`` for the shared controls.
"""
