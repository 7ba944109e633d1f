#!/usr/bin/env python3
"""Look for raw HTML whose depth sanitize._Nesting counts lower than nh3's parser builds it.

    python bench/fuzz_depth.py [--seed N] [--trials N] [--tokens N]

The raw-HTML bound (sanitize.flatten) is only as good as its count of open elements: where
the count says fewer than html5ever (nh3's parser) has open, a repeated pattern can nest
without end and make sanitizing quadratic. For random tag sequences, this compares, after
every tag, the count with the depth html5ever gives the same prefix (a marker element
appended; nh3 told to keep every element, its serialization counted), and prints the first
prefixes where the parser is more than --slack deeper (implicit <tbody>/<tr> make 2). A
finding is a rule of HTML's tree building the count does not follow: add it to _Nesting,
and its pattern to tests/test_sanitize.py::TestAsTheParserBuildsIt. Not a test: slow, and
random by design.
"""

from __future__ import annotations

import argparse
import random
import re

import nh3

from feedpub.render import sanitize

NAMES = ("div p li ul ol dd dt dl b i a em nobr span blockquote h1 h2 h3 table tr td th tbody thead tfoot caption "
         "colgroup col select option optgroup button object form font s u strong code pre applet marquee br img hr "
         "input ruby rb rt rp body html head address center section svg math template").split()
# raw-text elements come whole ("<style>x</style>"): a start tag alone would make the rest of a
# sequence its text, and the fuzzing would look at little but the first few tags
RAW = "style title textarea script xmp iframe noscript".split()
KEPT = set(NAMES) - {"svg", "math", "template", "select", "option", "optgroup", "html", "body", "head"}
VOID = {"img", "br", "hr", "input", "col"}


def parser_depth(prefix: str) -> int:
    """Return how many elements html5ever has open at the end of prefix."""
    out = nh3.clean(prefix + "<q>@</q>", tags=KEPT | {"q"}, attributes={}, clean_content_tags={"script", "style"},
                    strip_comments=True, link_rel=None)
    level = 0
    for slash, name in re.findall(r"<(/?)([a-z0-9]+)", out[: max(out.find("<q>"), 0)]):
        if name not in VOID:
            level += -1 if slash else 1
    return level


def first_miscount(html: str, slack: int) -> tuple[int, int, str] | None:
    """Return (parser's depth, the count's, the text so far) where the parser is first deeper by more than slack."""
    n, pos, out = sanitize._Nesting(), 0, []
    ends = sanitize._discarded_ends(html)
    for m in sanitize._TAG.finditer(html):
        if m.start() < pos:
            continue
        if m.start() > pos:
            n.text()
            out.append(html[pos:m.start()])
        pos = m.end()
        slash, name = m.groups("")
        name, tag = name.lower(), m.group(0)
        if name in sanitize._LEAF or (slash and name == "br"):
            if name and (not slash or name == "br"):
                n.void(name)
        elif name in sanitize._DISCARDED and not slash:
            pos = ends.get(pos, pos)
            continue
        elif slash:
            n.end(name)
        else:
            n.start(name, tag)
            if name in sanitize._RAW_TEXT and n.innermost() == name:  # its text, up to its end tag, with it
                text_end = sanitize._raw_text_end(html, name, pos)
                tag, pos = tag + html[pos:text_end], text_end
        out.append(tag)
        text = "".join(out)
        counted = len(n.stack) + sum(1 for e in n.active if e is not None and not e[0].open)
        real = parser_depth(text)
        if real > counted + slack:
            return real, counted, text
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--tokens", type=int, default=60)
    ap.add_argument("--slack", type=int, default=3)
    args = ap.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible test input, not secrets
    found = 0
    for _ in range(args.trials):
        tokens = []
        for _ in range(rng.randint(5, args.tokens)):
            name, r = rng.choice(NAMES), rng.random()
            if r < 0.5:
                forms = [f"<{name}>", f"<{name}>", f"<{name}/>", f'<{name} title="{rng.randint(0, 2)}">']
                tokens.append(rng.choice(forms))
            elif r < 0.85:
                tokens.append(f"</{name}>")
            elif r < 0.9:
                raw = rng.choice(RAW)
                tokens.append(f"<{raw}>x</{raw}>" if rng.random() < 0.9 else f"</{raw}>")
            else:
                tokens.append("x")
        miss = first_miscount("".join(tokens), args.slack)
        if miss is not None:
            found += 1
            print(f"parser {miss[0]} deep, counted {miss[1]}: …{miss[2][-300:]}")
    print(f"{found} of {args.trials} sequences miscounted")


if __name__ == "__main__":
    main()
