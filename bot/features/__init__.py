"""The use cases of Kembar, one service per feature.

Each command of a feature is one method on its service: it takes the chat's context
(``bot.context.ChatContext``), who asks (``Actor``) and the command's text, decides who may do what and
what it means, and answers with a ``Reply`` (or raises ``Refused``) that the handler renders through the
catalogue. Services never see Telegram types; they reach the outside world through ``bot.ports``.

- ``actions``: action items (``/action``, ``/actions``, ``/done`` …, the buttons under an item);
- ``programmes``: ``/programme``, ``/programmes``;
- ``status``: ``/status`` and the digest body;
- ``reminders``: ``/remind``, ``/reminders``, ``/unremind``, ``/digest``, the buttons under a reminder;
  ``reminder_engine`` plans, claims and sends them;
- ``meetings``: ``/meet`` and the buttons under a proposal; ``meeting_slots`` finds the times (pure);
- ``settings``: ``/lang``, ``/city``, ``/tz``, ``/workweek``, ``/original``, ``/glossary``;
- ``bridges``: ``/link``, ``/bridge``, ``/unlink`` and the bot's removal from a group.

Relay (every other group message) has the same shape in ``bot.relay.service``.
"""
