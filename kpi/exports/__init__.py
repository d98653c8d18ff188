"""Exports of what the dashboard shows: chart images, tables as CSV/Excel, and the SOM briefing pack."""
