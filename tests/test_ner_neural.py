"""The neural NER tagger: training a tiny one end to end, numpy inference equal to torch's forward
pass on the same weights, the fastText n-gram hashing, and the CoNLL output of `marsad ner tag`."""
import numpy as np
import pytest

from conftest import SHARED
from ner_helpers import assert_tag_writes_token_tab_tag_lines
from marsad.ner.conll import read_conll

ANER = SHARED / "data" / "anercorp"
TINY = {"hidden": 16, "dilations": [1, 2], "lstm_hidden": 8, "char_dim": 8, "char_filters": 8,
        "feat_dim": 8, "epochs": 2, "batch": 8}

torch = pytest.importorskip("torch", reason="training the neural NER tagger needs torch (pip install 'marsad[train]')")


@pytest.fixture(scope="module")
def tiny_neural(tmp_path_factory):
    """A neural tagger trained end to end on the first 60 training sentences, tiny dimensions, no word
    vectors (fastText fails on so small a text more often than not; its part is tested below)."""
    pytest.importorskip("sklearn", reason="training the neural NER tagger needs scikit-learn")
    from marsad.ner.neural_train import train_model

    out = tmp_path_factory.mktemp("ner") / "neural"
    report = train_model(SHARED, out, max_sentences=60, evaluate=False, cfg=TINY, ft_dim=0, unlabeled=False)
    assert report["sentences"] == 54 and report["dev_sentences"] == 6
    return out


def test_ner_neural_train_tiny_slice_end_to_end(tiny_neural):
    from marsad.ner.model import load
    from marsad.ner.neural import NeuralTagger

    assert {p.name for p in tiny_neural.iterdir()} == {"neural.npz", "resources.json.gz", "MODEL.md"}
    assert "ANERcorp" in (tiny_neural / "MODEL.md").read_text(encoding="utf-8")
    tagger = load(tiny_neural)
    assert isinstance(tagger, NeuralTagger)
    sentences = read_conll(ANER / "ANERCorp.approxCamelSplit.train.txt")[:3]
    many = [tags for tags, _ in tagger.tag_many([t for t, _ in sentences] + [[]])]
    assert many[-1] == []
    for (tokens, _), tags in zip(sentences, many):
        assert len(tags) == len(tokens) and set(tags) <= set(tagger.labels)
        assert tagger.tag(tokens) == tags                            # batching changes nothing
    tags, scores = tagger.tag_with_scores(sentences[0][0])
    assert all(0 < s <= 1 for s in scores), scores


def test_ner_neural_tag_writes_token_tab_tag_lines(tiny_neural, tmp_path):
    assert_tag_writes_token_tab_tag_lines(tiny_neural, tmp_path)


@pytest.mark.parametrize("encoder", ["cnn", "lstm"])
def test_ner_neural_numpy_matches_torch(encoder):
    """A randomly initialised network: numpy's emissions and Viterbi paths equal torch's."""
    from marsad.ner import vectors as V
    from marsad.ner.features import Featurizer
    from marsad.ner.neural import NeuralTagger
    from marsad.ner.neural_train import DEFAULTS, Data, _batch, build_vocab, export, make_net, viterbi_torch

    sentences = [t for t, _ in read_conll(ANER / "ANERCorp.approxCamelSplit.train.txt")[:6]]
    sentences.append(["وبالباغوز"])                                      # one token, a word seen nowhere
    rng = np.random.default_rng(0)
    words = sorted({w for s in sentences[:3] for w in s})
    arrays = V.export_arrays(rng.standard_normal((len(words), 12)), rng.standard_normal((500, 12)))
    vectors = V.SubwordVectors(words, arrays)
    res = {"gazetteers": {"LOC": [["بغداد"]], "PER": [["عبد", "ربه", "منصور", "هادي"]]}}
    featurizer = Featurizer(res, {"clusters": False})
    cfg = {**DEFAULTS, **TINY, "encoder": encoder}
    char_list, feat_list = build_vocab(featurizer, sentences, 1)
    labels = ["O", "B-LOC", "I-LOC", "B-PERS", "I-PERS"]
    torch.manual_seed(0)
    net = make_net(cfg, len(char_list), len(feat_list), 12, len(labels))
    with torch.no_grad():
        for p in net.parameters():
            p.add_(torch.randn_like(p) * 0.3)                            # transitions and biases away from zero
        net.char_emb.weight[0] = 0                                       # padding rows stay zero, as in training
        net.feat_emb.weight[0] = 0
    net.eval()
    tagger = NeuralTagger(weights=export(net, cfg, labels, char_list, feat_list, {"words": words, **arrays}),
                          resources={**res, "config": {"clusters": False}})
    data = Data(featurizer, vectors, {c: i for i, c in enumerate(char_list)}, {f: i for i, f in enumerate(feat_list)})
    vec, chars, feats, tok, marks, mask, _, _ = _batch(data, [(*data.sentence(s), None) for s in sentences])
    with torch.no_grad():
        em = net(vec, chars, feats, tok, marks, mask)
        paths = viterbi_torch(net, em, mask)
    mine = tagger.emissions(sentences)
    for i, s in enumerate(sentences):
        np.testing.assert_allclose(mine[i], em[i, :len(s)].numpy(), rtol=1e-4, atol=1e-4)
    assert tagger.viterbi(mine) == paths


def test_ner_neural_ngram_hashing_matches_fasttext():
    fasttext = pytest.importorskip("fasttext", reason="needs fasttext-numpy2")
    from marsad.ner import vectors as V

    phrase = "انفجاراً في بلدة سروج بجنوب شرق تركيا قرب الحدود مع سوريا"
    # a few epochs on a tiny text: the hashing and the export are what is compared (fasttext-numpy2
    # now and then hands back a garbage row; train_fasttext retries, and the test skips if all fail)
    try:
        ft = V.train_fasttext([phrase.split()] * 20, dim=16, epoch=3, bucket=1000, sample=1.0)
    except RuntimeError as e:
        pytest.skip(f"fastText gave no usable model: {e}")
    n = len(ft.get_words())
    for word in ["سروج", "وبالباغوز", "xyz"]:
        assert [n + i for i in V.ngram_ids(word, 1000)] == list(ft.get_subwords(word)[1])[-len(V.ngram_ids(word, 1000)):]
    arrays = V.export(ft, [])
    unseen = V.SubwordVectors([], arrays)("وبالباغوز")
    np.testing.assert_allclose(unseen, ft.get_word_vector("وبالباغوز"), atol=0.02)
    assert fasttext


def test_ner_neural_named_model_resolves():
    from marsad.ner.model import NAMED, PACKAGED_NEURAL

    assert NAMED["neural"] == PACKAGED_NEURAL
