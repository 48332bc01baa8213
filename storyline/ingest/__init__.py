"""Ingest stage: read files, archives, URLs and feeds into `Article` records (raw, not cleaned)."""
