"""Named entities (PER / LOC / ORG / MISC) in Arabic news, trained here on ANERcorp.

The default tagger is a linear-chain CRF over hand-built Arabic features
(`features.py`) with resources learned from ../shared (`resources.py`), trained
by `marsad ner train` (`train.py`) and shipped as a small model folder. A
transformer token classifier the user has on disk plugs in instead
(`transformer.py`); `model.load` picks whichever a folder holds. `stage.py` is the
pipeline stage; `conll.py` and `score.py` read CoNLL files and score them with
conlleval's exact-span rule.
"""
