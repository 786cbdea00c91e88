"""The HTTP layer: the FastAPI app, request dependencies (auth, database session) and
the error body every failure carries."""
