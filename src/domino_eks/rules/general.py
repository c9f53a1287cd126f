"""Rules: general (filled in by the catalogue work)."""
