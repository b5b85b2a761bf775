"""Quotes: reported speech, its speaker and what it does (statement, threat, call to violence)."""
