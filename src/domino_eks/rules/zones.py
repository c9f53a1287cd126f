"""Rules: zones (filled in by the catalogue work)."""
