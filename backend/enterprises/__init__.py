"""Enterprises: the root of each dossier (profile, licences, contacts, control points)."""
