"""Accounts: users, sign-up with invite codes, sessions, API keys and rate limits."""
