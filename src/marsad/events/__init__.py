"""Events: ACLED-typed events with actors, place, date and counts, each tied to its evidence.

`stage.extract_events` is the pipeline stage; `lexicon` holds the triggers, `detect`
finds and filters them, `classify` types them, `arguments` fills actors/place/date/
counts, `merge` joins repeated mentions, `describe` adds PLOVER, ids and notes, and
`relevance` keeps sport, economy and culture out.
"""
