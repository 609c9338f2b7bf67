"""Language: catalogues, dates and schedules, CLDR formatting, Telegram HTML, language detection."""
