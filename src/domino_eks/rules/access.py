"""Rules: access (filled in by the catalogue work)."""
