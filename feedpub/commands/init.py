"""Start a new project: a commented feedpub.toml and one example document.

Nothing is overwritten unless asked: an existing file is an error naming it, so running
``feedpub init`` in the wrong folder cannot destroy a configured site.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from feedpub.errors import FeedpubError, Problem

SOURCE = "articles"
EXAMPLE = "hello-feedpub.md"

CONFIG_TEXT = """\
# feedpub configuration. Paths are relative to this file.
# Every key is optional; the commented lines show the default. Reference: README.md.
# Keep the tables ([digest], [categories]) at the end: in TOML every key below a [table]
# line belongs to that table.

# Folder of documents (.md, .markdown, .txt; subfolders become categories).
source = "articles"
# Where the feeds, index.html, feeds.opml and feed.css are written (replaced on every build).
out = "dist"

# Shown as the title of the site-wide feed and of index.html.
title = "My feeds"
# description = "Articles published with feedpub"

# The address the output folder is published at. Relative links and images in documents
# are made absolute against it; `feedpub check` warns while it is the example host.
base_url = "https://news.example.org/"

# language = "en"            # xml:lang of the feeds, lang of the pages (BCP 47 tag)
# timezone = "UTC"           # IANA zone for dates written without one ("2024-05-01")
# author = ""                # feed author; defaults to the title
# author_email = ""
# feed_limit = 50            # newest entries per feed
# content_mode = "both"      # "both": summary and full text; "full"; "summary"
# default_category = "news"  # for documents with no category and no folder
# templates_dir = "templates"  # your templates, tried before the built-in ones
# future = false             # publish entries dated in the future

# Bounds per document, so one hostile file cannot cost unbounded time or memory.
# max_document_kb = 10240      # larger files are refused before they are read
# max_front_matter_kb = 64     # larger front matter is refused before it is parsed
# max_nesting = 50             # deepest YAML [ / { nesting accepted

# Large archives (see README, "Performance" and "Feed history").
# cache = true                 # keep a build cache (outside the project, see cache_dir)
# cache_dir = "~/.cache/feedpub"  # default: $FEEDPUB_CACHE_DIR, else $XDG_CACHE_HOME/feedpub
# workers = 0                  # processes for many changed documents; 0 = one per core
# archive_page_size = 50       # entries per RFC 5005 archive page (default feed_limit); 0 = none
# hub_url = ""                 # WebSub hub announced by the feeds

# Reading a Hugo, Zola, Jekyll, Pelican or Eleventy site (see README, "Bring your existing site").
# exclude = ["drafts/*"]         # files and folders that are not articles, beside the defaults
# template_syntax = "strip"      # shortcodes and Liquid tags left in a body: strip | keep
# front_matter_keys = ["layout"]  # keys check accepts without an "unknown key" warning

# The site around the feeds (see README, "The site").
# pages = true                   # an article page per entry; false when your generator makes them
# list_size = 20                 # entries per page of the home page and of each category's page
# static_dir = "static"          # copied as it is into the output (default: ./static, if there is one)
# tag_feeds = false              # also a feed and a page per tag, under tags/<slug>/

# The weekly email digest (see README, "Digest"). Mail without an unsubscribe link and
# your postal address breaks anti-spam law (CAN-SPAM, GDPR): fill in the two TODOs below
# before you mail it. Until then `feedpub check` warns and `feedpub send` refuses.
[digest]
profile = "none"                 # mailchimp | listmonk | buttondown | none: merge tags in the footer
# With an ESP profile its merge tags make the unsubscribe link; with "none", set this to
# your https unsubscribe page (it also makes the List-Unsubscribe headers of one-click
# unsubscribe, RFC 8058, which Gmail and Yahoo require of bulk senders).
unsubscribe_url = "https://news.example.org/unsubscribe"  # TODO: your unsubscribe page
postal_address = "TODO: your postal address"
# from_address = "News <news@example.org>"
# subject = "{site} — {period}"    # fields: site, period, week, start, end
# intro = ""                       # "": a sentence that fits the period
# footer_note = ""                 # why readers get this email ("": "You are receiving this email because …")
# preheader = ""                   # inbox preview text (default: the top titles)
# logo_url = ""
# logo_width = 160
# view_online_url = ""             # profile "none" only; "": <base_url>digest/<week>.html
# accent_colors = { news = "#2b6cb0" }  # per-category colour (#rrggbb)
# utm_source = "newsletter"
# utm_medium = "email"
# utm_campaign = "digest-{week}"
# category_order = []              # these slugs first; the rest by size, then name
# max_items_per_category = 0       # 0: no cap
# size_limit_kb = 102              # warn above this: Gmail clips larger messages
# smtp_host = "localhost"          # for `feedpub send`; the password only from FEEDPUB_SMTP_PASSWORD
# smtp_port = 587
# smtp_user = ""
# smtp_starttls = true

# Display names of category slugs; when set, `feedpub check` warns about other categories.
# [categories]
# news = "News"
# events = "Events"
"""


def example_document(today: date) -> str:
    """Return the text of the example document, dated today."""
    return f"""\
---
title: Hello, feedpub
date: {today.isoformat()}
category: news
summary: The first article of this site, written by feedpub init.
---
This is an example document. Edit it, add more files next to it, then run
`feedpub build` to write the feeds into `dist/`, or `feedpub serve` to preview them.

Front matter is optional: without it feedpub takes the title from the first line and
the date from a `Date:` line, the file name (`2024-05-01-title.md`) or the file's history.
`feedpub check` tells you what it inferred.
"""


def init_project(folder: Path, *, today: date, force: bool = False) -> list[Path]:
    """Write feedpub.toml and an example document into folder; refuse to overwrite unless force."""
    files = {
        folder / "feedpub.toml": CONFIG_TEXT,
        folder / SOURCE / EXAMPLE: example_document(today),
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise FeedpubError([Problem(str(p), None, "already exists (use --force to overwrite)")
                            for p in existing])
    try:
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise FeedpubError([Problem(str(folder), None, f"cannot write: {e.strerror or e}")]) from None
    return list(files)
