"""Rules: domain (filled in by the catalogue work)."""
