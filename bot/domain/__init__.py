"""The domain: what Kembar's features work on, below storage.

- ``records``: the values (``Scope``, ``Chat``, ``Bridge``, ``ActionItem``, ``Reminder`` …), plain frozen
  dataclasses that storage returns and the features pass around;
- ``rules``: the limits and formats every layer checks against, each defined once;
- ``errors``: what a repository raises that a feature answers (a group already in a bridge, a bad code);
- ``repositories``: the repositories the features need, as ``Protocol`` classes; ``storage/``
  implements them on SQLAlchemy, the unit tests in memory.

Nothing here imports from the rest of ``bot``, from ``storage`` or from python-telegram-bot.
"""
