"""`marsad actors ...`: look at the actor registry."""
from __future__ import annotations

import json

import click


@click.group("actors")
def actors():
    """The actor registry: armed actors, state forces and the names the news uses for them."""


@actors.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "tsv", "json"]), default="table", show_default=True,
              help="table: one line per actor; tsv: with every alias; json: one object per line.")
@click.option("--country", help="Only actors of this country (ISO 3166-1 alpha-2, e.g. IQ).")
def list_actors(fmt, country):
    """Print the registry: the id written in the data, ACLED type, country, English name, aliases."""
    from .registry import load_registry

    reg = load_registry()
    rows = [a for a in reg.actors.values() if not country or (a.country or "").upper() == country.upper()]
    if fmt == "tsv":
        click.echo("code\tinter\tcountry\tname\tkinds\taliases\tdescriptors")
    for a in rows:
        if fmt == "json":
            click.echo(json.dumps({"id": a.id, "code": a.code, "name": a.name, "inter": a.inter, "country": a.country,
                                   "role": list(a.role), "kinds": list(a.kinds), "aliases": a.aliases,
                                   "descriptors": a.descriptors}, ensure_ascii=False))
        elif fmt == "tsv":
            click.echo("\t".join([a.code, str(a.inter or ""), a.country or "", a.name, "|".join(a.kinds),
                                  "|".join(a.aliases), "|".join(a.descriptors)]))
        else:
            click.echo(f"{a.code:<45} {a.inter or '-'}  {a.country or '--'}  {len(a.aliases):>3} aliases  "
                       f"{a.aliases[0] if a.aliases else ''}")
