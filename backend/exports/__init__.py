"""Exports: the dossier leaving the system, as tables (CSV, XLSX) and as an evidence package (ZIP)."""
