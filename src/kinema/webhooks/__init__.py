"""Webhooks: people register endpoints and receive signed ``video.completed`` /
``video.failed`` events (Standard Webhooks signatures), retried with backoff, with every
delivery attempt recorded."""
