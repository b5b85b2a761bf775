"""The numpy CRF decoder (`ner/linear.py`) must give crfsuite's own answers from crfsuite's weights."""
import numpy as np
import pytest

from conftest import SHARED
from marsad.ner.conll import read_conll
from marsad.ner.linear import marginals, viterbi
from marsad.ner.model import PACKAGED, load

TEST = SHARED / "data" / "anercorp" / "ANERCorp.approxCamelSplit.test.txt"


def _crfsuite(tagger, tokens):
    """Tags and marginals the way python-crfsuite gives them, attribute strings and all."""
    features = tagger.featurizer.sentence(tokens)
    tags = tagger.tagger.tag(features)
    return tags, [tagger.tagger.marginal(t, i) for i, t in enumerate(tags)]


@pytest.fixture(scope="module")
def shipped():
    return load(PACKAGED)


@pytest.fixture(scope="module")
def real_sentences():
    return [tokens for tokens, _ in read_conll(TEST)[:400]]


def test_ner_linear_matches_crfsuite_on_real_sentences(shipped, real_sentences):
    # batches mix long sentences with one- and two-word ones, where the ±2 window pads
    batch = real_sentences[:200] + [["قال"], ["وزير", "الدفاع"], []] + real_sentences[200:]
    got = shipped.linear.tag_many(batch)
    for tokens, (tags, scores) in zip(batch, got):
        want_tags, want_scores = _crfsuite(shipped, tokens) if tokens else ([], [])
        assert tags == want_tags, tokens
        assert scores == pytest.approx(want_scores, abs=1e-5)
    assert sum(t != "O" for tags, _ in got for t in tags) > 300     # the slice has names to find


def test_ner_linear_gives_the_same_answer_alone_and_in_a_batch(shipped, real_sentences):
    batch = real_sentences[:30]
    together = shipped.linear.tag_many(batch)
    alone = [shipped.linear.tag_many([s])[0] for s in batch]
    assert [t for t, _ in together] == [t for t, _ in alone]


def test_ner_viterbi_and_marginals_agree_with_brute_force():
    rng = np.random.default_rng(7)
    L, lengths = 3, np.array([4, 1, 3])
    E = rng.normal(size=(3, 4, L))
    trans = rng.normal(size=(L, L))
    paths = viterbi(E, lengths, trans)
    probs = marginals(E, lengths, np.exp(trans))
    for b, n in enumerate(lengths):
        seqs = np.array(np.meshgrid(*[range(L)] * n, indexing="ij")).reshape(n, -1).T
        score = np.array([E[b, np.arange(n), s].sum() + trans[s[:-1], s[1:]].sum() for s in seqs])
        assert list(paths[b, :n]) == list(seqs[score.argmax()])
        weight = np.exp(score - score.max())
        for t in range(n):
            exact = [weight[seqs[:, t] == k].sum() / weight.sum() for k in range(L)]
            assert probs[b, t] == pytest.approx(exact)
