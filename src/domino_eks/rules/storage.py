"""Rules: storage (filled in by the catalogue work)."""
