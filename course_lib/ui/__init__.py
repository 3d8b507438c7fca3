"""Shared drawing: the course's plotly theme (``viz``) and dashboards of sliders (``widgets``).
Imported by views only.
"""
