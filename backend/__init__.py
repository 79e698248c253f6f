"""Field Dossier backend."""
