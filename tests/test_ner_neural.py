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


def test_ner_neural_ngram_hashing_matches_fasttext(tmp_path):
    """Our n-gram ids and the exported arrays give fastText's own vector for a word it never saw.

    fastText's vocabulary and hashing come from a model built with 0 epochs (no training, so no
    "Encountered NaN" from a loss over no examples); its input matrix is then set to known random
    values, because with one thread fastText initialises only the first tenth of that matrix and
    leaves the rest as whatever memory it got (the garbage rows train_fasttext guards against).
    Nothing here depends on a lucky run."""
    import fasttext                 # fasttext-numpy2, in the test extra
    from marsad.ner import vectors as V

    phrase = "انفجاراً في بلدة سروج بجنوب شرق تركيا قرب الحدود مع سوريا"
    text = tmp_path / "tiny.txt"
    text.write_text(phrase + "\n", encoding="utf-8")
    ft = fasttext.train_unsupervised(str(text), model="skipgram", dim=16, epoch=0, minCount=1, minn=V.MINN,
                                     maxn=V.MAXN, bucket=1000, thread=1, t=1.0, verbose=0)
    n = len(ft.get_words())
    assert n == len(set(phrase.split())) + 1                              # the words and </s>
    rng = np.random.default_rng(0)
    ft.set_matrices(rng.uniform(-1, 1, ft.get_input_matrix().shape).astype(np.float32),
                    np.zeros(ft.get_output_matrix().shape, np.float32))
    for word in ["سروج", "وبالباغوز", "xyz"]:
        ids = V.ngram_ids(word, 1000)
        assert ids and [n + i for i in ids] == list(ft.get_subwords(word)[1])[-len(ids):]
    arrays = V.export(ft, ["سروج"])
    assert arrays["ft_ngrams_q"].shape == (1000, 16)
    seen = V.SubwordVectors(["سروج"], arrays)
    np.testing.assert_allclose(seen("سروج"), ft.get_word_vector("سروج"), atol=0.01)
    for word in ["وبالباغوز", "بلدتي"]:                                   # never seen: n-grams alone
        want = ft.get_word_vector(word)
        assert np.abs(want).max() > 0.05
        np.testing.assert_allclose(seen(word), want, atol=0.01)


def test_ner_neural_named_model_resolves():
    from marsad.ner.model import NAMED, PACKAGED_NEURAL

    assert NAMED["neural"] == PACKAGED_NEURAL
