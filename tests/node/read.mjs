// Read feeds with two Node clients and print what each shows of every entry, as JSON.
//
//   node read.mjs < ["dist/atom.xml", "dist/rss.xml", "dist/feed.json", ...]
//
// Prints {path: {"feed-extractor": [entry...], "rss-parser": [entry...]}} (rss-parser reads
// no JSON Feed). An entry is {title, link, id, published, authors, categories}; what a
// client does not show is null. tests/clients.py runs this and compares the formats.
import { readFileSync } from "node:fs";
import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";
import Parser from "rss-parser";

const list = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const text = (v) => (v && typeof v === "object" ? (v["#text"] ?? v._ ?? "") : (v ?? ""));

// feed-extractor normalises title, link, id and (for Atom, from atom:updated first) the
// date; what it hands getExtraEntryFields is the entry as its XML parser read it.
function extractorExtras(item) {
  if (item.date_published !== undefined || item.content_html !== undefined || item.content_text !== undefined) {
    return {  // JSON Feed
      published: item.date_published ?? null,
      authors: list(item.authors).map((a) => a.name),
      categories: list(item.tags),
    };
  }
  if (item.pubDate !== undefined || item.guid !== undefined) {  // RSS
    const authors = list(item["dc:creator"]).map(text);
    for (const a of list(item.author)) authors.push(text(a));
    return { published: item.pubDate ?? null, authors, categories: list(item.category).map(text) };
  }
  return {  // Atom
    published: item.published ?? null,
    authors: list(item.author).map((a) => text(a.name)),
    categories: list(item.category).map((c) => c["@_term"]),
  };
}

function withExtractor(path, body) {
  const options = { descriptionMaxLen: 100000, getExtraEntryFields: extractorExtras };
  const feed = path.endsWith(".json") ? extractFromJson(body, options) : extractFromXml(body, options);
  return feed.entries.map((e) => ({
    title: e.title,
    link: e.link,
    id: e.id,
    published: e.published ? new Date(e.published).toISOString() : null,
    authors: e.authors,
    categories: e.categories,
  }));
}

const rssParser = new Parser({ customFields: { item: [["category", "atomCategories", { keepArray: true }]] } });

async function withRssParser(body) {
  const feed = await rssParser.parseString(body);
  return feed.items.map((i) => {
    const atom = i.id !== undefined;
    const categories = atom
      ? list(i.atomCategories).map((c) => c.$.term)
      : list(i.categories).map((c) => (typeof c === "string" ? c : c._));
    const author = atom ? i.author : i.creator;
    return {
      title: i.title ?? "",
      link: i.link ?? "",
      id: atom ? i.id : i.guid,
      published: i.isoDate ?? null,
      authors: author === undefined ? [] : [author],
      categories,
    };
  });
}

const paths = JSON.parse(readFileSync(0, "utf8"));
const out = {};
for (const path of paths) {
  const body = readFileSync(path, "utf8");
  out[path] = { "feed-extractor": withExtractor(path, body) };
  if (!path.endsWith(".json")) out[path]["rss-parser"] = await withRssParser(body);
}
process.stdout.write(JSON.stringify(out));
