"""Which front-matter keys mean what, in the generators whose content folders feedpub reads.

One table per meaning: the first key of a tuple that a document has decides (see the README's
"Bring your existing site"). Hugo, Zola, Jekyll, Pelican (keys in lower case, as Pelican reads
them), Eleventy and Astro name the same things differently; these are their names.
"""

from __future__ import annotations

TITLE = ("title",)
# When an entry is published, and so when it may appear (a future one waits). Hugo publishes a
# page at its publishDate (also spelt publishdate, pubdate, published; Hugo's keys are case-
# insensitive), else at its date: its default frontmatter.publishDate is [publishdate, pubdate,
# published, date]. Astro: pubDate. Jekyll's `published` is a boolean (see DRAFT), never a date.
DATE = ("publishDate", "publishdate", "pubDate", "pubdate", "published", "date")
# Eleventy's date values that mean "the file's own dates": no date in the document itself.
FILE_DATES = frozenset(("last modified", "created", "git last modified", "git created"))
# Hugo lastmod, Zola updated, Pelican Modified, Jekyll's jekyll-last-modified-at, Astro updatedDate.
UPDATED = ("updated", "lastmod", "lastMod", "modified", "last_modified_at", "updatedDate")
EXPIRES = ("expiryDate", "expirydate", "unpublishdate", "expires")
CATEGORY = ("category", "categories")  # one name; Jekyll's list (in YAML, words split by spaces)
TAGS = ("tags", "keywords")
# Eleventy's collection names, which its sites write among a post's tags (``tags: [post, css]``:
# the docs' own example) and its themes never show as topics (eleventy-base-blog's
# filterTagList): left out of the tags, as every entry would carry them
COLLECTION_TAGS = frozenset({"post", "posts"})
URL = ("permalink", "url")  # a path or an absolute URL
# An article whose home is another site (a cross-post, a link post): an absolute URL here is
# the entry's link, and feedpub writes no page for it. Hugo themes (PaperMod: canonicalURL),
# Astro and Jekyll's jekyll-seo-tag (canonical_url), link blogs (link, external_url).
CANONICAL = ("canonicalURL", "canonical_url", "canonical", "link", "external_url")
SLUG = ("slug",)
ZOLA_PATH = "path"  # Zola: the page's path below the site, no leading slash needed
SUMMARY = ("summary", "description", "excerpt")
IMAGE = ("image", "images", "cover", "heroImage", "featured_image", "feature_image", "thumbnail",
         "overlay_image", "teaser",  # minimal-mistakes' header (HEADER)
         "cover-img", "thumbnail-img")  # Beautiful Jekyll's
IMAGE_ALT = ("image_alt", "alt")
# where a mapping under an image key holds the image: cover: {image, alt} (PaperMod), image: {path, alt, lqip}
# (Chirpy, jekyll-seo-tag), images: [{path, caption}] (Beautiful Jekyll)
COVER = ("image", "src", "url", "path")
AUTHOR = ("authors", "author", "by")
AUTHOR_LINK = ("uri", "url", "link", "website")  # an author written as a mapping: the key of their page
SOURCE = ("source",)
ID = ("id", "guid")
FORMAT = "format"
DRAFT = "draft"  # Hugo, Zola, Eleventy (by convention), Astro: draft: true
PUBLISHED = "published"  # Jekyll: published: false
STATUS = "status"  # Pelican: Status: draft | hidden | published
DRAFT_STATUSES = frozenset(("draft", "hidden", "skip"))
DRAFT_HEADERS = frozenset(("true", "yes"))  # Pelican / MultiMarkdown headers are text: Draft: yes
EXCLUDED_FROM_COLLECTIONS = "eleventyExcludeFromCollections"
NO_OUTPUT = "permalink"  # Eleventy: permalink: false writes no page (a draft to feedpub)
PASSWORD = "password"  # noqa: S105 - a key name: a WordPress post's password, as jekyll-import writes it ('' when none)
DRAFTS_FOLDER = "_drafts"  # Jekyll: a post in any _drafts folder is not published
POSTS_FOLDER = "_posts"  # Jekyll: a post in any _posts folder without a title is titled by its file name
EXCERPT_SEPARATOR = "excerpt_separator"  # Jekyll, per page
REDIRECT = ("redirect", "redirect_to")  # a stub that only sends readers elsewhere: not an article
TAXONOMIES = "taxonomies"  # Zola: [taxonomies] tags = […], categories = […]
EXTRA = "extra"  # Zola: [extra] holds a theme's own keys (image, author…), read after the top level
PARAMS = "params"  # Hugo: custom fields go under [params] (documented so since Hugo 0.123), as Zola's [extra]
# minimal-mistakes, Jekyll's most used theme: header: {image, overlay_image, teaser} (its page's
# banner, the same under a colour overlay, the thumbnail its listings show)
HEADER = "header"
THEME_TABLES = (EXTRA, PARAMS, HEADER)  # where image and authors are looked for after the top level, in this order
# The template a page asks for (Zola template, Hugo/Jekyll layout; Go's website: template: true,
# "run my body as a template"): a page of the site when it names a list of posts, not a post.
TEMPLATE = ("template", "layout")
LIST_TEMPLATES = frozenset((
    "list", "index", "home", "archive", "archives", "latest", "section", "blog", "posts", "tags", "categories",
    "taxonomy", "terms", "search", "sitemap", "feed", "rss", "atom", "paginated", "pagination",
))
"""Names of templates (their file name without extension) that list posts."""
# The summary divider of Hugo and Zola (and the excerpt_separator Jekyll sites usually choose).
MORE = ("<!--more-->", "<!-- more -->")

READ = frozenset((
    *TITLE, *DATE, *UPDATED, *EXPIRES, *CATEGORY, *TAGS, *URL, *SLUG, ZOLA_PATH, *SUMMARY, *IMAGE,
    *IMAGE_ALT, *AUTHOR, *SOURCE, *ID, *CANONICAL, FORMAT, DRAFT, STATUS, EXCLUDED_FROM_COLLECTIONS, EXCERPT_SEPARATOR,
    TAXONOMIES, *THEME_TABLES, *REDIRECT, *TEMPLATE, PASSWORD,
))
"""Every key normalise reads."""

GENERATORS = frozenset((
    # Hugo
    "aliases", "build", "cascade", "headless", "isCJKLanguage", "linkTitle", "markup", "menu",
    "menus", "outputs", "resources", "sitemap", "translationKey", "type", "weight", "series",
    "toc", "ShowToc", "TocOpen", "hideSummary", "math", "comments", "lang",
    # Zola
    "page_template", "in_search_index", "render", "insert_anchor_links", "sort_by",
    # Jekyll (render_with_liquid: Jekyll 4's own), Chirpy and Beautiful Jekyll
    "redirect_from", "sitemap_exclude", "last_modified", "comments_locked", "render_with_liquid",
    "pin", "mermaid", "media_subpath", "share-img", "share-title", "share-description",
    # jekyll-import's WordPress posts
    "meta", "parent_id", "wordpress_id", "wordpress_url",
    # Pelican
    "save_as", "translation", "subtitle", "modified_at",
    # Eleventy
    "eleventyNavigation", "eleventyComputed", "eleventyImport", "pagination", "dynamicPermalink",
    "permalinkBypassOutputDir", "templateEngineOverride",
    # Astro and themes
    "noindex", "robots", "featured", "hidden", "pinned", "sticky", "share",
    "readingTime", "reading_time", "audio", "videos", "nav_order", "parent", "has_children",
))
"""Keys the generators (or their common themes) read and feedpub does not: accepted quietly."""

HEADER_KEYS = frozenset(k.lower() for k in READ | GENERATORS) | {"authors", "lang", "modified"}
"""Keys a Pelican / MultiMarkdown header block may use (lower case, as Pelican reads them)."""
