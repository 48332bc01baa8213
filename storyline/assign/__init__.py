"""Assign stage: find copies of earlier articles and place each article in a story."""
