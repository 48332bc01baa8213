"""Scale-out: backfills of large archives on a Ray cluster."""
