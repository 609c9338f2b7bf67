"""Monitoring and evaluation: indicators, the event history, activity counts, reports, charts and exports."""
