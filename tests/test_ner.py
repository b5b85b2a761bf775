"""NER: the scorer, CoNLL I/O, training on a tiny slice, the CLI, the stage, the transformer plug-in."""
import json
import pickle

import pytest
from click.testing import CliRunner

from conftest import CORPUS, SHARED
from ner_helpers import assert_tag_writes_token_tab_tag_lines
from marsad.article import Article
from marsad.cli import main
from marsad.ner.conll import bio_spans, read_conll
from marsad.ner.score import score

ANER = SHARED / "data" / "anercorp"


@pytest.mark.parametrize("tags, spans", [
    (["B-PERS", "I-PERS", "O", "B-LOC"], [(0, 2, "PERS"), (3, 4, "LOC")]),
    (["I-ORG", "I-ORG", "O"], [(0, 2, "ORG")]),                      # stray I- starts a chunk (conlleval)
    (["B-LOC", "B-LOC", "I-LOC"], [(0, 1, "LOC"), (1, 3, "LOC")]),
    (["B-PERS", "I-LOC", "I-LOC"], [(0, 1, "PERS"), (1, 3, "LOC")]),  # type change ends the chunk
    (["O", "O"], []),
])
def test_ner_bio_spans_follow_conlleval(tags, spans):
    assert bio_spans(tags) == spans


def test_ner_scorer_on_a_hand_made_case():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC", "O"], ["B-ORG", "I-ORG", "I-ORG", "O", "B-LOC"]]
    pred = [["B-PERS", "I-PERS", "O", "B-ORG", "O"], ["B-ORG", "I-ORG", "O", "O", "B-LOC"]]
    s = score(gold, pred)
    # gold: PERS 1, LOC 2, ORG 1; predicted: PERS 1 (right), ORG 2 (both wrong: one type, one boundary), LOC 1 (right)
    assert (s.n_gold["LOC"], s.n_pred["LOC"], s.tp["LOC"]) == (2, 1, 1)
    assert s.of("PERS") == (1.0, 1.0, 1.0)
    assert s.of("ORG") == (0.0, 0.0, 0.0)
    assert s.of("LOC") == pytest.approx((1.0, 0.5, 2 / 3))
    assert s.micro == pytest.approx((0.5, 0.5, 0.5))
    assert "micro" in s.table() and s.correct_tags == 8


def test_ner_scorer_rejects_misaligned_input():
    with pytest.raises(ValueError):
        score([["O", "O"]], [["O"]])


def test_ner_read_conll_keeps_odd_tokens(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("بغداد B-LOC\n O\nفي O\n\n\nقال O\nكلمة\n", encoding="utf-8")
    assert read_conll(p) == [(["بغداد", "", "في"], ["B-LOC", "O", "O"]), (["قال", "كلمة"], ["O", "O"])]


def test_ner_read_conll_reads_the_training_part():
    sentences = read_conll(ANER / "ANERCorp.approxCamelSplit.train.txt")
    assert len(sentences) == 4036
    assert sum(len(t) for t, _ in sentences) == 125099


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A CRF trained end to end on the first 80 training sentences (no clusters, to stay fast)."""
    from marsad.ner.train import train_model

    out = tmp_path_factory.mktemp("ner") / "tiny"
    report = train_model(SHARED, out, max_sentences=80, clusters=False, evaluate=False)
    assert report["sentences"] == 80
    return out


def test_ner_train_tiny_slice_end_to_end(tiny_model):
    from marsad.ner.model import load

    assert {p.name for p in tiny_model.iterdir()} == {"crf.crfsuite", "resources.json.gz", "MODEL.md"}
    assert "ANERcorp" in (tiny_model / "MODEL.md").read_text(encoding="utf-8")
    tagger = load(tiny_model)
    assert load(tiny_model) is tagger                                  # cached per process
    tokens, gold = read_conll(ANER / "ANERCorp.approxCamelSplit.train.txt")[0]
    tags = tagger.tag(tokens)
    assert len(tags) == len(tokens) and set(tags) <= set(tagger.tagger.labels())
    assert sum(a == b for a, b in zip(tags, gold)) / len(gold) > 0.9    # it learned its own training data


def test_ner_tag_writes_token_tab_tag_lines(tiny_model, tmp_path):
    assert_tag_writes_token_tab_tag_lines(tiny_model, tmp_path)


def test_ner_eval_prints_scores_per_type(tiny_model, tmp_path):
    sentences = read_conll(ANER / "ANERCorp.approxCamelSplit.train.txt")[:30]
    src = tmp_path / "gold.txt"
    src.write_text("".join("".join(f"{t} {g}\n" for t, g in zip(*s)) + "\n" for s in sentences), encoding="utf-8")
    r = CliRunner().invoke(main, ["ner", "eval", str(src), "--model", str(tiny_model)])
    assert r.exit_code == 0, r.output
    head, *rows = r.output.splitlines()
    assert head.split()[:4] == ["type", "precision", "recall", "F1"]
    types = [row.split()[0] for row in rows]
    assert {"LOC", "PERS", "micro"} <= set(types)
    micro = float(rows[types.index("micro")].split()[3])
    assert micro > 0.5                                                  # scored on its own training sentences


def test_ner_word_clusters_are_reproducible():
    from itertools import islice

    from marsad.ner import resources as R

    texts = list(islice(R.news_texts(CORPUS.parent), 150))
    sents = [s for t in texts for s in R.unlabeled_sentences_of(t)]
    counts = R.Counter(w for s in sents for w in s)
    a = R.word_clusters(sents, counts, dim=16, sizes=(4, 16))
    b = R.word_clusters(sents, counts, dim=16, sizes=(4, 16))
    assert a == b
    assert set(a) == {w for w, c in counts.items() if c >= 3}
    assert all(len(v) == 2 and 0 <= v[0] < 4 and 0 <= v[1] < 16 for v in a.values())


# --- the pipeline stage, with the model shipped in the package ----------------------------------

def _articles(n):
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line, _ in zip(f, range(n))]


@pytest.fixture(scope="module")
def ner_pipeline():
    from marsad.pipeline import Pipeline
    return Pipeline.default(["marsad.text.sentences:split_sentences", "marsad.text.tokens:tokenize",
                             "marsad.ner.stage:find_entities"])


def test_ner_stage_spans_match_token_text_on_real_articles(ner_pipeline):
    n_entities = 0
    for rec in _articles(15):
        article = ner_pipeline(Article(rec["text"]))
        starts = {t.span.start for t in article.layer("tokens")}
        ends = {t.span.end for t in article.layer("tokens")}
        for e in article.layer("entities"):
            assert e.span.start in starts and e.span.end in ends
            assert e.label in ("PER", "LOC", "ORG", "MISC") and 0 < e.score <= 1
            text = article.span_text(e.span)
            assert text == text.strip() and "\n" not in text
        n_entities += len(article.layer("entities"))
    assert n_entities > 50


@pytest.mark.parametrize("phrase, name, label", [
    ("الموالية لحكومة الرئيس اليمني عبد ربه منصور هادي أمس الاثنين", "منصور هادي", "PER"),
    ("أعلن وزير الداخلية العراقي محمد سالم الغبان أمس الأحد", "الغبان", "PER"),
    ("انفجاراً في بلدة سروج بجنوب شرق تركيا قرب الحدود مع سوريا", "تركيا", "LOC"),
    ("آخر معقل للحوثيين في عدن، كبرى مدن الجنوب اليمني", "عدن", "LOC"),
])
def test_ner_stage_finds_names_in_real_phrases(ner_pipeline, phrase, name, label):
    article = ner_pipeline(Article(phrase))
    found = {(article.span_text(e.span), e.label) for e in article.layer("entities")}
    assert any(name in text and lab == label for text, lab in found), found


def test_ner_stage_is_in_the_default_pipeline_and_pickles():
    from marsad.ner.stage import find_entities
    from marsad.pipeline import DEFAULT_STAGES

    assert "marsad.ner.stage:find_entities" in DEFAULT_STAGES
    assert pickle.loads(pickle.dumps(find_entities)) is find_entities
    assert find_entities.requires == ("tokens", "sentences") and find_entities.assigns == ("entities",)


# --- the transformer plug-in, with a tiny random model made here ------------------------------

@pytest.fixture(scope="module")
def tiny_transformer(tmp_path_factory):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    out = tmp_path_factory.mktemp("bert")
    words = ["قال", "وزير", "الخارجية", "في", "بغداد", "إن", "##ه"]
    (out / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n",
                                   encoding="utf-8")
    tok = transformers.BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=False)
    labels = ["O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
    config = transformers.BertConfig(vocab_size=len(tok), hidden_size=16, num_hidden_layers=1,
                                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                                     num_labels=len(labels), id2label=dict(enumerate(labels)),
                                     label2id={l: i for i, l in enumerate(labels)})
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():                      # make every word B-LOC, so the mapping back to spans is checkable
        model.classifier.bias[labels.index("B-LOC")] = 100.0
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_ner_transformer_plugin_loads_a_local_model(tiny_transformer):
    from marsad.ner.model import load
    from marsad.ner.transformer import TransformerTagger

    tagger = load(tiny_transformer)
    assert isinstance(tagger, TransformerTagger)
    tokens = ["قال", "وزير", "غيرمعروف", "في", "بغداد"]
    tags, scores = tagger.tag_with_scores(tokens)
    assert tags == ["B-LOC"] * 5 and all(0.99 < s <= 1 for s in scores)
    assert tagger.tag(tokens * 70) == ["B-LOC"] * 350            # longer than one forward pass


def test_ner_stage_with_the_transformer_maps_words_to_spans(tiny_transformer):
    from marsad.ner.model import load
    from marsad.ner.stage import entities_of
    from marsad.text.sentences import split_sentences
    from marsad.text.tokens import tokenize

    article = Article("قال وزير الخارجية في بغداد.")
    article.layers.update(split_sentences(article))
    article.layers.update(tokenize(article))
    ents = entities_of(article, load(tiny_transformer))
    assert [article.span_text(e.span) for e in ents] == ["قال", "وزير", "الخارجية", "في", "بغداد", "."]
    assert {e.label for e in ents} == {"LOC"}


def test_ner_load_names_what_a_model_folder_lacks(tmp_path):
    from marsad.errors import MarsadError
    from marsad.ner.model import load

    with pytest.raises(MarsadError) as e:
        load(tmp_path)
    assert e.value.code == "E400" and "marsad ner train" in e.value.message


def test_ner_train_says_which_shared_files_are_missing(tmp_path):
    from marsad.errors import MarsadError
    from marsad.ner.train import train_model

    with pytest.raises(MarsadError) as e:
        train_model(tmp_path, tmp_path / "out", evaluate=False)
    assert e.value.code == "E403" and "ANERCorp.approxCamelSplit.train.txt" in e.value.message


class _FixedTagger:
    """Tags from a table, with a fixed confidence: enough to test what comes after the tagger."""

    def __init__(self, table, score):
        self.table, self.score = table, score

    def tag_with_scores(self, words):
        return [self.table.get(w, "O") for w in words], [self.score] * len(words)


@pytest.mark.parametrize("score, expected", [
    (0.95, ["O", "B-PERS", "O", "O", "O", "B-PERS"]),   # وليبرمان shares the stem of ليبرمان
    (0.5, ["O", "O", "O", "O", "O", "B-PERS"]),         # a doubtful name is not spread
])
def test_ner_consistency_spreads_a_confident_name_across_the_article(score, expected):
    from marsad.ner.consistency import tag_document

    sentences = [["قال", "وليبرمان", "إن"], ["أعلن", "وزير", "ليبرمان"]]
    tagged = tag_document(_FixedTagger({"ليبرمان": "B-PERS"}, score), sentences)
    assert [t for tags, _ in tagged for t in tags] == expected
    assert tag_document(_FixedTagger({"ليبرمان": "B-PERS"}, score), sentences, consistent=False) == \
        [(["O", "O", "O"], [score] * 3), (["O", "O", "B-PERS"], [score] * 3)]


def test_ner_gazetteer_marks_where_a_phrase_can_start_equal_a_full_scan():
    """Both taggers scan only the words a gazetteer phrase can start with; that marks exactly
    what trying every position does."""
    from marsad.ner.crf import CRFTagger
    from marsad.ner.model import PACKAGED

    featurizer = CRFTagger(PACKAGED).featurizer
    sentences = [t for t, _ in read_conll(ANER / "ANERCorp.approxCamelSplit.test.txt")[:300]]
    sentences.append(["قال", "عبد", "ربه", "منصور", "هادي", "في", "المملكة", "العربية", "السعودية"])
    marked = 0
    for tokens in sentences:
        mine = featurizer.phrase_marks(tokens)
        assert mine == featurizer.phrase_marks(tokens, candidates=range(len(tokens)))
        marked += sum(map(bool, mine))
    assert marked > 10
