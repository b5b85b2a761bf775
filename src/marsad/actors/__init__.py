"""Actors: the registry of armed actors (data) and the stage that finds their mentions."""
