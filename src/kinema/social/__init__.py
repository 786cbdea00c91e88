"""Follows, blocks, likes, comments, remix lineage and notifications."""
