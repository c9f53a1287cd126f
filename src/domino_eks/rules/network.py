"""Rules: network (filled in by the catalogue work)."""
