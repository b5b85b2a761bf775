"""The parts of `marsad watch` that need no network: the feeds file, feed dates (RFC 822, ISO,
Arabic), canonical URLs, charsets, feed parsing and body hints, on real Arabic text."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.feeds import config
from marsad.feeds.fetch import codec, decode, retry_after
from marsad.feeds.page import hint_text, to_article
from marsad.feeds.parse import canonical_url, parse_date, parse_feed, same_site

from feeds_helpers import FeedItem, arabic_date, corpus, flat, page_html, published, rss

ROOT_README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("text, expected", [
    ("Tue, 19 Mar 2019 10:30:00 GMT", datetime(2019, 3, 19, 10, 30)),
    ("Tue, 19 Mar 2019 13:30:00 +0300", datetime(2019, 3, 19, 10, 30)),
    ("19 Mar 2019 10:30 -0000", datetime(2019, 3, 19, 10, 30)),
    ("2019-03-19T13:30:00+03:00", datetime(2019, 3, 19, 10, 30)),
    ("2019-03-19T10:30:00Z", datetime(2019, 3, 19, 10, 30)),
    ("2019-03-19", datetime(2019, 3, 19)),
    ("الثلاثاء 19 مارس 2019", date(2019, 3, 19)),
    ("الثلاثاء، 19 آذار 2019 - 10:30", date(2019, 3, 19)),
    ("١٩ مارس ٢٠١٩", date(2019, 3, 19)),
    ("الأحد 3 كانون الثاني 2016 الساعة 09:15 بتوقيت غرينتش", date(2016, 1, 3)),
    ("غير معروف", None),
    ("", None),
])
def test_feeds_dates_rfc822_iso_and_arabic(text, expected):
    assert parse_date(text) == expected


def test_feeds_relative_arabic_date_goes_to_dateparser():
    from datetime import timedelta
    from marsad.feeds.state import now
    got = parse_date("منذ ساعتين")      # "two hours ago", as some outlets write it
    assert isinstance(got, datetime) and abs(got - (now() - timedelta(hours=2))) < timedelta(minutes=10)


@pytest.mark.parametrize("url, expected", [
    ("HTTP://Example.ORG:80/a/1.html#comments", "http://example.org/a/1.html"),
    ("https://www.bbc.com/arabic/middleeast-47624577?at_medium=RSS&at_campaign=KARANGA",
     "https://www.bbc.com/arabic/middleeast-47624577"),
    ("https://example.org/news?id=7&utm_source=rss&utm_medium=feed&fbclid=x", "https://example.org/news?id=7"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("http://www.alarabiya.net/ar/arab-and-world/syria/2013/12/29/-داعش-و-الاعلاميين-السوريين.html",
     "http://www.alarabiya.net/ar/arab-and-world/syria/2013/12/29/-%D8%AF%D8%A7%D8%B9%D8%B4-%D9%88-%D8%A7%D9%84%D8%A7"
     "%D8%B9%D9%84%D8%A7%D9%85%D9%8A%D9%8A%D9%86-%D8%A7%D9%84%D8%B3%D9%88%D8%B1%D9%8A%D9%8A%D9%86.html"),
    ("http://example.org/%d8%af%d8%a7%d8%b9%d8%b4", "http://example.org/%D8%AF%D8%A7%D8%B9%D8%B4"),
    ("http://example.org", "http://example.org/"),
])
def test_feeds_canonical_urls(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected      # a fixed point


def test_feeds_canonical_url_is_one_for_raw_and_escaped_arabic():
    raw = "http://www.alarabiya.net/ar/2013/12/29/-داعش-و-الاعلاميين.html"
    from urllib.parse import quote
    assert canonical_url(raw) == canonical_url(quote(raw, safe=":/")) == canonical_url(quote(raw, safe=":/").lower())
    assert same_site("https://www.skynewsarabia.com/a", "https://skynewsarabia.com/b")
    assert not same_site("https://skynewsarabia.com/a", "https://example.org/a")


SENTENCE = "قتل 12 مسلحا من تنظيم داعش في اشتباكات مع قوات سوريا الديمقراطية في بلدة الباغوز، الثلاثاء."


@pytest.mark.parametrize("charset, content_type, meta", [
    ("windows-1256", "text/html; charset=windows-1256", False),      # the HTTP header says it
    ("windows-1256", "text/html", True),                             # only the page says it
    ("cp1256", None, True),
    ("iso-8859-6", "text/html; charset=ISO-8859-6", False),
    ("iso-8859-6", "text/html", True),
    ("utf-8", "text/html; charset=UTF-8", True),
])
def test_feeds_pages_decode_in_their_charset(charset, content_type, meta):
    head = f'<meta charset="{charset}">' if meta else ""
    page = f"<html><head>{head}</head><body><p>{SENTENCE}</p></body></html>"
    assert SENTENCE in decode(page.encode(charset), content_type)


def test_feeds_charset_fallbacks():
    body = f"<html><body><p>{SENTENCE}</p></body></html>"
    assert SENTENCE in decode(body.encode("cp1256"), None)                      # undeclared, not UTF-8
    assert SENTENCE in decode(body.encode("cp1256"), "text/html; charset=utf-8")  # declared wrong
    assert SENTENCE in decode(b"\xef\xbb\xbf" + body.encode("utf-8"), "text/html; charset=windows-1256")  # BOM wins
    assert SENTENCE in decode(body.encode("utf-8"), "text/html; charset=x-no-such-charset")
    assert codec("ISO-8859-6-I") == codec("arabic") == "iso8859-6"
    assert codec("Windows-1256") == "cp1256" and codec("nonsense") is None


def test_feeds_retry_after():
    assert retry_after("120") == 120.0
    assert retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Tue, 19 Mar 2019 10:30:00 GMT") == 0.0     # in the past: no wait


def test_feeds_parse_rss_with_arabic_and_rfc822_dates():
    a, b = corpus(every=400, limit=2)
    items = [FeedItem(a["title"], "/a/1.html", guid="a-1", date=arabic_date(published(a))),
             FeedItem(b["title"], "http://other.example/b.html", date="Tue, 19 Mar 2019 10:30:00 GMT")]
    parsed = parse_feed(rss(items), "application/rss+xml", "http://news.example/feed.xml")
    assert parsed.error is None and parsed.version == "rss20" and parsed.title == "أخبار"
    first, second = parsed.entries
    assert (first.item_id, first.link, first.title) == ("a-1", "http://news.example/a/1.html", a["title"])
    assert first.day == published(a).date().isoformat() and first.published is None
    assert second.item_id == second.link == "http://other.example/b.html"
    assert (second.day, second.published) == ("2019-03-19", datetime(2019, 3, 19, 10, 30))


def test_feeds_parse_rss_in_windows_1256():
    a = corpus(where=lambda r: _encodable(r, "cp1256"), limit=1)[0]
    parsed = parse_feed(rss([FeedItem(a["title"], "/a.html")], title="أخبار اليوم", encoding="windows-1256"),
                        "application/rss+xml", "http://news.example/")
    assert parsed.error is None and parsed.title == "أخبار اليوم" and parsed.entries[0].title == a["title"]


@pytest.mark.parametrize("body, says", [
    (b"<html><body><p>\xd8\xb5\xd9\x81\xd8\xad\xd8\xa9</p></body></html>", "not an RSS or Atom feed"),
    (b"", "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</title>'
     b"<link>http://e.org/1</link></item><item><title>b</ti", "malformed feed"),
])
def test_feeds_malformed_feeds_say_so(body, says):
    parsed = parse_feed(body, "application/xml", "http://e.org/")
    assert parsed.error is not None and parsed.error.startswith(says)


def _encodable(article: dict, charset: str) -> bool:
    try:
        (article["title"] + article["text"]).encode(charset)
        return True
    except UnicodeEncodeError:
        return False


def test_feeds_page_to_article_text_title_date_and_canonical():
    a = corpus(every=250, limit=1)[0]
    feed = config.Feed(name="sky", url="http://news.example/feed.xml", source="Sky News Arabia")
    page = to_article(page_html(a, canonical="http://www.news.example/a/1.html?utm_source=rss"),
                      final_url="http://news.example/a/1.html?from=feed", feed=feed, item_id="g-1", title=None,
                      feed_day="2001-01-01")
    art = page.article
    assert flat(art.text) == flat(a["title"] + "\n" + a["text"])
    assert art.title == a["title"] and art.source == "Sky News Arabia" and art.id == "g-1"
    assert (art.date, page.date_from) == (published(a).date().isoformat(), "page")     # the page's date wins
    assert art.url == page.canonical == "http://www.news.example/a/1.html"
    undated = to_article(page_html(a, date_meta=False, canonical="http://news.example/"), final_url="http://news."
                         "example/a/1.html", feed=feed, item_id="g-1", title="عنوان الخبر", feed_day="2019-03-19")
    assert (undated.article.date, undated.date_from, undated.article.title) == ("2019-03-19", "feed", "عنوان الخبر")
    assert undated.article.url == "http://news.example/a/1.html"      # a canonical link to the home page is ignored


def test_feeds_page_without_article_text_is_an_error():
    from marsad.feeds.page import PageError
    feed = config.Feed(name="x", url="http://e.org/f")
    with pytest.raises(PageError, match="no article text"):
        to_article("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", final_url="http://e.org/a",
                   feed=feed, item_id="i", title=None, feed_day=None)
    with pytest.raises(PageError, match="no article text"):      # a video page: its headline only
        to_article("<html><body><nav><a href='/'>الرئيسية</a></nav><main><article><h1>بالفيديو.. لحظة سقوط "
                   "الصاروخ</h1><video src='v.mp4'></video></article></main></body></html>",
                   final_url="http://e.org/a", feed=feed, item_id="i", title=None, feed_day=None)
    with pytest.raises(PageError, match="not an HTML page"):
        to_article("%PDF-1.4", final_url="http://e.org/a.pdf", feed=feed, item_id="i", title=None, feed_day=None,
                   content_type="application/pdf")


@pytest.mark.parametrize("hint", ["div.story-body", "//div[@class='story-body']", "main div.story-body"])
def test_feeds_body_hint_css_or_xpath(hint):
    a = corpus(every=300, limit=1)[0]
    paragraphs = [p for p in a["text"].split("\n") if p.strip()]
    html = ("<html><body><main><div class='related'><p>اقرأ أيضا: خبر آخر</p></div><div class='story-body'>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "<script>var x = 'لا';</script></div></main></body></html>")
    assert hint_text(html, hint) == flat("\n".join(paragraphs))
    feed = config.Feed(name="x", url="http://e.org/f", body=hint)
    page = to_article(html, final_url="http://e.org/a", feed=feed, item_id="i", title="t", feed_day=None)
    assert "اقرأ أيضا" not in page.article.text and flat(page.article.text) == flat("\n".join(paragraphs))


# -- the feeds file --------------------------------------------------------------------------

GOOD = """
[fetch]
timeout = "5s"
per_host = 1

[defaults]
interval = "10m"

[[feed]]
name = "sky"
url = "https://www.skynewsarabia.com/rss"
body = "div.article-body"

[[feed]]
name = "bbc"
url = "https://feeds.bbci.co.uk/arabic/rss.xml"
interval = "90s"
source = "BBC Arabic"
"""


def test_feeds_file_reads_defaults_and_overrides(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD, encoding="utf-8")
    f = config.load(path)
    assert f.fetch.timeout == 5.0 and f.fetch.per_host == 1 and f.fetch.retries == 2
    assert [(x.name, x.interval, x.outlet, x.body) for x in f.feeds] == [
        ("sky", 600.0, "sky", "div.article-body"), ("bbc", 90.0, "BBC Arabic", None)]
    assert [x.interval for x in f.with_interval(30).feeds] == [30.0, 30.0]
    assert f.fetch.user_agent.startswith("marsad/")


def test_feeds_example_file_is_valid():
    f = config.load(Path(__file__).resolve().parents[1] / "examples" / "feeds.toml")
    assert len(f.feeds) >= 2 and all(x.url.startswith("https://") for x in f.feeds)


@pytest.mark.parametrize("change, says", [
    (("per_host = 1", "per_hots = 1"), "unknown key 'per_hots'"),
    (('interval = "10m"', 'interval = "ten minutes"'), "is not a duration"),
    (('url = "https://www.skynewsarabia.com/rss"', 'url = "ftp://x/rss"'), "is not an http(s) URL"),
    (('name = "bbc"', 'name = "sky"'), "two feeds are named 'sky'"),
    (('body = "div.article-body"', 'body = "div[["'), "is not a CSS selector"),
    (('body = "div.article-body"', 'body = "//div[@"'), "is not a valid XPath"),
    (('timeout = "5s"', "timeout = 0"), "more than zero"),
    (("per_host = 1", "per_host = 0"), "at least 1"),
    (('name = "bbc"\n', ""), "'name' is missing"),
    (("[[feed]]", "[[feed"), "not valid TOML"),
])
def test_feeds_file_errors_name_the_file_and_key(tmp_path, change, says):
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD.replace(*change, 1), encoding="utf-8")
    with pytest.raises(config.FeedsError) as e:
        config.load(path)
    assert says in e.value.message and e.value.message.startswith(str(path))
    result = CliRunner().invoke(main, ["watch", str(path), "--db", str(tmp_path / "x.duckdb"), "--once"])
    assert result.exit_code == 2 and not (tmp_path / "x.duckdb").exists()
    assert result.output.count("\n") == 1 and says in result.output and "Traceback" not in result.output


def test_feeds_cli_bad_interval_and_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["watch", str(tmp_path / "none.toml"), "--db", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 2 and "no such feeds file" in result.output
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["watch", str(path), "--db", str(tmp_path / "x.duckdb"), "--interval", "soon"])
    assert result.exit_code == 2 and "--interval: 'soon' is not a duration" in result.output


def test_feeds_commands_are_documented():
    from marsad.feeds.commands import feeds, watch
    from marsad.service.commands import serve
    readme = ROOT_README.read_text(encoding="utf-8")
    assert "marsad watch FEEDS.toml --db" in readme and "marsad feeds status --db" in readme
    assert "GET /v1/feeds" in readme and "since" in readme
    options = [o for command in (watch, feeds.commands["status"], serve) for p in command.params for o in p.opts
               if o.startswith("--")]
    assert [o for o in options if o not in readme] == []
    keys = [f.name for f in dataclasses.fields(config.FetchSettings)] + ["interval", "language", "body",
                                                                              "source"]
    assert [k for k in keys if f"`{k}`" not in readme and f"{k} =" not in readme] == []


def test_feeds_nothing_reaches_the_network_unless_watch_runs():
    import subprocess
    import sys
    code = ("import sys, marsad.cli, marsad.store, marsad.service.app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'feedparser', 'httpcore') "
            "))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
