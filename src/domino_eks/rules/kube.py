"""Rules: kube (filled in by the catalogue work)."""
