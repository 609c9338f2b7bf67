"""Telegram handlers: thin adapters from an update to one use case of bot/features and back.

Each handler module lists what it offers in ``COMMANDS`` (name → ``Command``) and ``BUTTONS``
(callback-data pattern → handler); ``handlers.registry`` is the one list of those modules and registers
them, with the chat loader, the relay and the error handler, on the application (bot/telegram/app.py).
"""
