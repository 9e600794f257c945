"""What an article's text names, and the links it gets from that.

- localities.py: legacy administrative units (find_localities), against the gazetteer;
- officials.py: people with the positions stated beside their names (find_officials);
- terms.py: party terms, "nhiệm kỳ 2020-2025" (find_terms);
- linking.py: link_articles(articles), which replaces the extracted links with what the text
  names now and keeps what an editor decided.

The finders are plain functions of text (and, for places, the gazetteer); only linking writes.
"""

from archive.extraction.linking import link_articles
from archive.extraction.localities import find_localities
from archive.extraction.officials import Statement, find_officials
from archive.extraction.terms import find_terms

__all__ = ["Statement", "find_localities", "find_officials", "find_terms", "link_articles"]
