"""Analyze stage: facts in clean text (entities, quotes, claims, times, places, events)."""
