"""Events: ACLED-typed events with actors, place, date and counts, each tied to its evidence.

`stage.extract_events` is the pipeline stage. `lexicon` holds the triggers and cues,
`detect` finds and filters them, `classify` types them; `roles` (actors), `location`,
`dating` and `counts` fill the arguments from the other layers through `context`;
`merge` joins repeated mentions of one incident; `describe` adds PLOVER, ids and English
notes; `relevance` keeps sport, economy and culture out; `commands` is `marsad eval`.
"""
