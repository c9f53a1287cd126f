"""Rules: pools (filled in by the catalogue work)."""
