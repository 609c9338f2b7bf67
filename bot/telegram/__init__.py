"""Kembar's edge to Telegram: the only package of bot/ that imports python-telegram-bot."""
