"""The ranked, steerable feed: sources -> hydrate -> filter -> score -> select."""
