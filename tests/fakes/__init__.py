"""Fakes for the unit tier: the outside world in memory.

- ``telegram``: ``Sender`` and ``Members`` (bot/ports.py) that record what is sent, and a translator;
- ``memory``: every repository of bot/domain/repositories.py in memory (``Memory().repositories()``),
  one module per area (``chats``, ``groups``, ``chatdata``, ``relay``, ``actions``, ``reminders``,
  ``monitoring``). They keep the promises the protocols state; the storage tests of tests/integration run
  against them as well as against SQLite and PostgreSQL (the ``repos`` fixture), so they cannot drift.
"""
