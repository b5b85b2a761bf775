"""Cross-article deduplication: which reports, from different articles, are one incident.

    keys.py      what is compared of each report (computed in the per-article step)
    model.py     the learned pair score (logistic regression, weights in data/dedup/model.json)
    cluster.py   links -> components -> incidents, independent of the order reports arrive in
    incident.py  an incident's fields chosen from its reports
    train.py     building the training pairs, cross-validation, fitting (needs scikit-learn)

The store keeps the incidents up to date as it writes reports (`marsad.store.incidents`);
`marsad dedup --db FILE` re-clusters a whole store.
"""
