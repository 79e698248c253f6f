"""Inspections: checklist templates, visits, findings."""
