"""An item's page into an Article: main text, title, date and canonical URL.

trafilatura finds the main text and the page's own metadata (title, <link rel=canonical> or
og:url, the publication date from the page's meta tags; its guess from dates written in the
text is switched off, since a year quoted in an article is not its date). A feed can name
its body instead (`body` in the feeds file: a CSS selector, or an XPath when it starts with
"/" or "("): then the text is that element's paragraphs, one per line, and trafilatura
still gives the metadata. The publication day is the page's, else the feed's, else the
pipeline looks for a date line in the text (`marsad.text.boilerplate`).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..article import Article
from .config import Feed, FeedsError
from .parse import canonical_url, same_site

_BLOCKS = ".//p | .//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6 | .//li | .//blockquote | .//pre"
_HTML_TYPES = ("html", "xml")
# Fewer words than this is a menu, a headline or a video caption, not an article: a one-sentence
# news brief has more.
MIN_WORDS = 10


class PageError(Exception):
    """A page that yields no article (no text, not HTML)."""


@dataclass
class Page:
    article: Article
    canonical: str          # the URL the article is stored under
    date_from: str | None   # page | feed | None


def compile_hint(hint: str, where: str = "body"):
    """The XPath function of a body hint (a CSS selector or an XPath); FeedsError when it is neither."""
    from lxml import etree

    try:
        if hint.lstrip().startswith(("/", "(", "./")):
            return etree.XPath(hint)
        from cssselect import GenericTranslator, SelectorError
        try:
            return etree.XPath(GenericTranslator().css_to_xpath(hint))
        except SelectorError as e:
            raise FeedsError("E804", f"{where}: {hint!r} is not a CSS selector ({e}); "
                             "an XPath must start with / or (.") from None
    except etree.XPathError as e:
        raise FeedsError("E804", f"{where}: {hint!r} is not a valid XPath ({e}).") from None


def to_article(html: str, *, final_url: str, feed: Feed, item_id: str, title: str | None, feed_day: str | None,
               content_type: str | None = None) -> Page:
    """The Article of a fetched page; PageError when the page has no article text."""
    import trafilatura

    if content_type and not any(t in content_type.lower() for t in _HTML_TYPES):
        raise PageError(f"not an HTML page ({content_type.split(';')[0].strip()})")
    doc = trafilatura.bare_extraction(html, url=final_url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True,
                                      date_extraction_params={"extensive_search": False, "original_date": True})
    if feed.body:
        text = hint_text(html, feed.body)
        if not text:
            raise PageError(f"the body hint {feed.body!r} matches no text on this page")
    else:
        text = getattr(doc, "text", None) if doc is not None else None
    words = len(text.split()) if text else 0
    if words < MIN_WORDS:
        raise PageError("no article text found on the page" + (f" (only {words} words)" if words else ""))
    page_url = getattr(doc, "url", None) if doc is not None else None
    canonical = canonical_url(final_url)
    if page_url and page_url.startswith(("http://", "https://")) and same_site(page_url, final_url):
        own = canonical_url(page_url)
        if own.split("/", 3)[-1]:           # a canonical link to the home page is a template's bug
            canonical = own
    page_day = _iso_day(getattr(doc, "date", None) if doc is not None else None)
    day, date_from = (page_day, "page") if page_day else (feed_day, "feed") if feed_day else (None, None)
    article = Article(text=text, id=item_id, url=canonical, source=feed.outlet,
                      title=title or (getattr(doc, "title", None) if doc is not None else None),
                      date=day, date_source="input" if day else None)
    return Page(article=article, canonical=canonical, date_from=date_from)


def hint_text(html: str, hint: str) -> str:
    """The text of the elements a body hint selects: their paragraphs, one a line."""
    import lxml.html

    tree = lxml.html.fromstring(html)
    for bad in tree.xpath("//script | //style | //noscript | //template"):
        bad.drop_tree()
    lines = []
    for element in compile_hint(hint)(tree):
        if not hasattr(element, "xpath"):
            continue
        blocks = [b for b in element.xpath(_BLOCKS) if not b.xpath("ancestor::p | ancestor::li")]
        for block in blocks or [element]:
            line = " ".join(block.text_content().split())
            if line:
                lines.append(line)
    return "\n".join(lines)


def _iso_day(value) -> str | None:
    from datetime import date

    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None
