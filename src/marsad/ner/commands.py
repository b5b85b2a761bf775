"""`marsad ner train | eval | tag`: thin wrappers over `train.py`, `score.py` and the tagger."""
from __future__ import annotations

import sys
from pathlib import Path

import click


def _shared() -> Path:
    return Path.cwd().parent / "shared"


@click.group()
def ner():
    """Named entities (PER/LOC/ORG/MISC): train the CRF, score a model, tag a CoNLL file."""


@ner.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Model folder to write (default: <data dir>/ner, which marsad then uses).")
@click.option("--shared", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The shared data folder (default: ../shared).")
@click.option("--max-sentences", type=int, default=None, help="Train on the first N training sentences only.")
@click.option("--no-clusters", is_flag=True, help="Skip the word clusters (faster, weaker).")
@click.option("--no-eval", is_flag=True, help="Do not score the model on the ANERcorp test part for its card.")
@click.option("--kind", type=click.Choice(["crf", "neural"]), default="crf", show_default=True,
              help="crf: python-crfsuite; neural: char CNN + dilated CNN + CRF, trained with torch "
                   "(pip install 'marsad[train]'), tagged with numpy.")
@click.option("--epochs", type=int, default=None, help="neural: at most this many epochs (default 40).")
@click.option("--encoder", type=click.Choice(["cnn", "lstm"]), default="cnn", show_default=True,
              help="neural: dilated CNN (fast) or BiLSTM (slower to tag).")
@click.option("--all-train", is_flag=True,
              help="neural: learn from the dev slice too, for exactly --epochs epochs (no early stopping).")
def train(out, shared, max_sentences, no_clusters, no_eval, kind, epochs, encoder, all_train):
    """Train a tagger on ANERcorp's training part and write the model folder with its MODEL.md card."""
    from ..paths import data_dir

    out = out or data_dir() / "ner"
    command = "marsad ner train " + " ".join(sys.argv[3:]) if len(sys.argv) > 3 else "marsad ner train"
    if kind == "neural":
        from .neural_train import train_model as train_neural

        report = train_neural(shared or _shared(), out, max_sentences=max_sentences, evaluate=not no_eval,
                              cfg={"encoder": encoder, **({"epochs": epochs} if epochs else {})}, command=command,
                              all_train=all_train,
                              log=lambda m: click.echo(m, err=True))
        click.echo(f"model written to {out} ({report['size_mb']:.1f} MB, trained in {report['seconds']:.0f} s)")
        if report.get("scores"):
            click.echo(report["scores"])
        return
    from .train import train_model

    report = train_model(shared or _shared(), out, max_sentences=max_sentences, clusters=not no_clusters,
                         evaluate=not no_eval, command=command, log=lambda m: click.echo(m, err=True))
    click.echo(f"model written to {out} ({report['size_mb']:.1f} MB, trained in {report['seconds']:.0f} s)")
    if report.get("scores"):
        click.echo(report["scores"])


@ner.command("eval")
@click.argument("conll", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", default=None,
              help="Model folder, or `crf` / `neural` for the packaged ones (default: MARSAD_NER_MODEL, else the CRF).")
@click.option("--sentence-only", is_flag=True, help="Tag each sentence alone (no document-level consistency).")
def eval_(conll, model, sentence_only):
    """Tag the tokens of CONLL and print precision/recall/F1 per type and micro-F1 (exact spans).

    Sentences are read as documents of 20 (CoNLL files here carry no document breaks), the
    way the pipeline stage reads one article."""
    from .conll import read_conll
    from .consistency import tag_conll
    from .model import load
    from .score import score

    tagger = load(model)
    sentences = read_conll(conll)
    pred = tag_conll(tagger, [tokens for tokens, _ in sentences], consistent=not sentence_only)
    click.echo(score([tags for _, tags in sentences], pred).table())


@ner.command()
@click.option("--conll", "conll", type=click.Path(exists=True, dir_okay=False, allow_dash=True), required=True,
              help="CoNLL input: one token per line (a tag after a space is ignored), blank line between sentences.")
@click.option("--model", default=None,
              help="Model folder, or `crf` / `neural` for the packaged ones (default: MARSAD_NER_MODEL, else the CRF).")
@click.option("--sentence-only", is_flag=True, help="Tag each sentence alone (no document-level consistency).")
def tag(conll, model, sentence_only):
    """Write `token<TAB>predicted-tag` per line, a blank line between sentences."""
    from .conll import read_conll, write_conll
    from .consistency import tag_conll
    from .model import load

    tagger = load(model)
    sentences = [tokens for tokens, _ in read_conll("/dev/stdin" if conll == "-" else conll)]
    pred = tag_conll(tagger, sentences, consistent=not sentence_only)
    for line in write_conll(zip(sentences, pred)):
        sys.stdout.write(line)
