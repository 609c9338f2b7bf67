"""Kembar benchmarks: one run prints exactly one JSON object on stdout (progress goes to stderr).

Everything runs in one process over loopback: the project's Telegram Bot API emulator, the local
LibreTranslate-compatible translation server and the real bot (``build_application`` + ``running``).
Run with ``.venv/bin/python -m bench`` (``make bench``); ``--quick`` is a small smoke run and
``--help`` lists the sizes.
"""
