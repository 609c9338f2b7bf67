"""Monitoring and evaluation, the pure part: report values (model), figures with known answers, periods,
charts and exports (CSV, XLSX, iCalendar). No I/O: bot/features/reports.py reads the data and sends the
results."""
