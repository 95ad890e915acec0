"""The body of a lesson note: from what a facilitator typed or pasted to the sanitized HTML that is stored.

Two ways in: the editor (static/js/editor.js) posts HTML, often pasted from a word processor; without
JavaScript the textarea posts plain text. ``render_body`` takes either and is what the form stores. Whatever
the way in, the result has been through nh3 with a small allow-list as the very last step, so nothing written
here between the passes can let markup through that nh3 would not.

Between nh3's two passes the HTML is reshaped so that it reads the same however it was produced: the divs of
a browser's editor and the cells of a Word table become paragraphs, headings keep to the two levels a note may
use, empty paragraphs (Word writes one for every blank line) go, and loose text is wrapped in a paragraph,
which also makes ``render_body`` idempotent.
"""

import re
from html import escape, unescape
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

# Block elements outside the allow-list that still mark where a paragraph ends in pasted HTML. The first pass
# keeps them (without attributes) so that their boundaries can become paragraphs; the last pass drops them.
_STRUCTURAL_TAGS = frozenset(
    {
        "div", "h1", "h2", "h5", "h6", "hr", "pre", "address", "center", "section", "article", "header",
        "footer", "main", "aside", "nav", "figure", "figcaption", "details", "summary", "fieldset", "legend",
        "dl", "dt", "dd", "table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th",
    }
)  # fmt: skip
# Elements whose content is code, styling or another vocabulary's markup, never text the author meant to
# publish: dropped with everything inside them. (Word's clipboard HTML carries a <style> and <xml> blocks.)
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "title", "xml", "template", "noscript", "iframe", "frame", "frameset", "object",
        "embed", "applet", "noembed", "noframes", "svg", "math", "textarea", "select",
    }
)  # fmt: skip
_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "u", "a", "br"})
_LIST_TAGS = frozenset({"ul", "ol"})
# Only two heading levels belong inside a note (the page has its own h1 and h2); a pasted heading keeps its
# rank.
_HEADING_LEVELS = {"h1": "h3", "h2": "h3", "h3": "h3", "h4": "h4", "h5": "h4", "h6": "h4"}

# HTML's own whitespace, which a browser collapses; U+00A0 and the zero-width characters of Thai text are not
# in it.
_HTML_SPACE = " \t\n\r\f"
_HTML_SPACES = re.compile(r"[ \t\n\r\f]+")
# A paragraph of nothing but these is empty: Word writes <p class=MsoNormal><o:p>&nbsp;</o:p></p> for a
# blank line.
_VISIBLE = re.compile(r"[^\s\u200b\u200c\u200d\u2060\ufeff]")
_SCHEME = re.compile(r"^(https?|mailto):", re.IGNORECASE)


def _nh3_options(tags, **extra):
    return {
        "tags": set(tags),
        "attributes": ALLOWED_ATTRIBUTES,
        "url_schemes": set(LINK_SCHEMES),
        # A relative link means nothing in a feed or an e-mail, and "//host" would slip past a scheme check.
        "url_relative": "deny",
        "strip_comments": True,
        **extra,
    }


_FIRST_PASS = _nh3_options(
    ALLOWED_TAGS | _STRUCTURAL_TAGS, clean_content_tags=set(_DROPPED_WITH_CONTENT), link_rel=None
)
_LAST_PASS = _nh3_options(ALLOWED_TAGS, link_rel=LINK_REL)


class _Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag, attrs=None, children=None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children = children if children is not None else []


class _TreeBuilder(HTMLParser):
    """A tree of _Element and str from nh3's output, which is well-formed: no error recovery is needed."""

    VOID = frozenset({"br", "hr"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _is_block(node):
    return isinstance(node, _Element) and node.tag not in _INLINE_TAGS


def _hoist(nodes):
    """Move bold, links and the like below any block inside them: <b><p>x</p></b> becomes <p><b>x</b></p>."""
    out = []
    for node in nodes:
        if isinstance(node, _Element):
            node.children = _hoist(node.children)
            if node.tag in _INLINE_TAGS and any(_is_block(child) for child in node.children):
                out.extend(_push_down(node, node.children))
                continue
        out.append(node)
    return out


def _push_down(wrapper, nodes):
    out, run = [], []

    def flush():
        if run:
            out.append(_Element(wrapper.tag, dict(wrapper.attrs), run[:]))
            run.clear()

    for node in nodes:
        if _is_block(node):
            flush()
            node.children = _push_down(wrapper, node.children)
            out.append(node)
        else:
            run.append(node)
    flush()
    return out


def _has_text(nodes):
    return any(_VISIBLE.search(node) if isinstance(node, str) else _has_text(node.children) for node in nodes)


def _append_inline(out, node):
    if isinstance(node, str):
        if out and isinstance(out[-1], str):
            out[-1] = _HTML_SPACES.sub(" ", out[-1] + node)
        elif node:
            out.append(_HTML_SPACES.sub(" ", node))
    else:
        out.append(node)


def _link_attributes(attrs):
    href = attrs.get("href", "").strip(_HTML_SPACE)
    if not href:
        return None
    href = _SCHEME.sub(lambda match: match.group(0).lower(), href)
    kept = {"href": href}
    if attrs.get("title"):
        kept["title"] = attrs["title"]
    return kept


def _inline(nodes):
    """Inline content with whitespace collapsed, and empty formatting or a link without href unwrapped."""
    out = []
    for node in nodes:
        if isinstance(node, str) or node.tag == "br":
            _append_inline(out, node)
            continue
        children = _inline(node.children)
        attrs = _link_attributes(node.attrs) if node.tag == "a" else {}
        if attrs is None or not _has_text(children):
            for child in children:
                _append_inline(out, child)
        else:
            out.append(_Element(node.tag, attrs, children))
    return out


def _trim_edge(nodes, *, first):
    """Drop the spaces and line breaks at one edge of a block, which a browser would not show either."""
    index = 0 if first else -1
    while nodes:
        node = nodes[index]
        if isinstance(node, str):
            trimmed = node.lstrip(_HTML_SPACE) if first else node.rstrip(_HTML_SPACE)
            if trimmed:
                nodes[index] = trimmed
                return
        elif node.tag != "br":
            _trim_edge(node.children, first=first)
            if node.children:
                return
        nodes.pop(index)


def _paragraph(tag, nodes):
    content = _inline(nodes)
    if not _has_text(content):
        return None
    _trim_edge(content, first=True)
    _trim_edge(content, first=False)
    return _Element(tag, {}, content)


def _list(element):
    items, loose = [], []
    for child in element.children:
        if isinstance(child, str) and not child.strip(_HTML_SPACE):
            continue
        if isinstance(child, _Element) and child.tag == "li":
            if loose:
                items.append(_Element("li", {}, loose))
                loose = []
            items.append(child)
        elif isinstance(child, _Element) and child.tag in _LIST_TAGS and items and not loose:
            # <ul><li>a</li><ul>…</ul></ul>, as a browser's indent command writes it: the sublist is a's.
            items[-1].children.append(child)
        else:
            loose.append(child)
    if loose:
        items.append(_Element("li", {}, loose))
    kept = [item for item in map(_list_item, items) if item is not None]
    return _Element(element.tag, {}, kept) if kept else None


def _list_item(item):
    blocks = _flow(item.children)
    if not blocks:
        return None
    # The item's first paragraph is its text: <li><p>a</p></li> and <li>a</li> are the same item.
    if blocks[0].tag == "p":
        blocks = blocks[0].children + blocks[1:]
    return _Element("li", {}, blocks)


def _flow(nodes):
    """Normalize flow content into blocks: p, h3, h4, ul, ol and blockquote, with every run of text in one."""
    out, run = [], []

    def flush():
        paragraph = _paragraph("p", run)
        if paragraph is not None:
            out.append(paragraph)
        run.clear()

    for node in nodes:
        if not _is_block(node):
            run.append(node)
            continue
        flush()
        if node.tag in _LIST_TAGS:
            element = _list(node)
            if element is not None:
                out.append(element)
        elif node.tag == "blockquote":
            inner = _flow(node.children)
            if inner:
                out.append(_Element("blockquote", {}, inner))
        elif node.tag in _HEADING_LEVELS:
            inner = _flow(node.children)
            if len(inner) == 1 and inner[0].tag == "p":
                inner[0].tag = _HEADING_LEVELS[node.tag]
            out.extend(inner)
        elif node.tag != "hr":
            # p, and a div, table cell or stray li: a paragraph when it holds only text, unwrapped otherwise.
            out.extend(_flow(node.children))
    flush()
    return out


def _serialize(nodes):
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node, quote=False))
        elif node.tag == "br":
            parts.append("<br>")
        else:
            attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items())
            parts.append(f"<{node.tag}{attrs}>{_serialize(node.children)}</{node.tag}>")
    return "".join(parts)


# Word writes a list as paragraphs with style="mso-list:l0 level1 lfo1" and the bullet or number as text between
# <![if !supportLists]> and <![endif]> (or in a span marked mso-list:Ignore). Only the raw HTML still says so: the
# first nh3 pass drops styles, so these paragraphs become <ul>/<ol> before it.
_WORD_LIST_PARAGRAPH = re.compile(
    r"<p\b(?=[^>]*mso-list:\s*l\d)[^>]*>(?P<content>.*?)</p\s*>", re.IGNORECASE | re.DOTALL
)
_WORD_LIST_MARKER = re.compile(
    r"<!\[if !supportLists\]>(?P<marker>.*?)<!\[endif\]>"
    r"|<span\b[^>]*mso-list:\s*ignore[^>]*>(?P<span>(?:[^<]|<span\b[^>]*>[^<]*</span>)*)</span>",
    re.IGNORECASE | re.DOTALL,
)
_ORDERED_MARKER = re.compile(r"^\(?[0-9a-z\u0e01-\u0e2e\u0e50-\u0e59]{1,4}[.)]", re.IGNORECASE)


def _word_lists(html: str) -> str:
    if "mso-list" not in html:
        return html
    out, position, open_list = [], 0, None
    for paragraph in _WORD_LIST_PARAGRAPH.finditer(html):
        content = paragraph.group("content")
        marker = _WORD_LIST_MARKER.search(content)
        marker_text = ""
        if marker:
            marker_text = unescape(
                re.sub(r"<[^>]*>", "", marker.group("marker") or marker.group("span") or "")
            )
        content = _WORD_LIST_MARKER.sub("", content)
        kind = "ol" if _ORDERED_MARKER.match(marker_text.strip(_HTML_SPACE + "\u00a0")) else "ul"
        between = html[position : paragraph.start()]
        if open_list and (between.strip() or kind != open_list):
            out.append(f"</{open_list}>")
            open_list = None
        out.append(between)
        if open_list is None:
            out.append(f"<{kind}>")
            open_list = kind
        out.append(f"<li>{content}</li>")
        position = paragraph.end()
    if open_list:
        out.append(f"</{open_list}>")
    out.append(html[position:])
    return "".join(out)


def clean_html(html: str) -> str:
    """Sanitize HTML from the editor or a word processor down to the tags a note may use.

    Kept: p, br, strong, b, em, i, u, ul, ol, li, h3, h4, blockquote and links (href and title only; http,
    https and mailto only; rel="noopener noreferrer" added). Scripts, styles and embedded objects go with
    their content; other tags (span, font, Word's o:p) go but leave their text; divs and table cells become
    paragraphs, h1/h2 become h3 and h5/h6 h4; empty paragraphs go.
    """
    builder = _TreeBuilder()
    builder.feed(nh3.clean(_word_lists(html), **_FIRST_PASS))
    builder.close()
    blocks = _flow(_hoist(builder.root.children))
    return nh3.clean(_serialize(blocks), **_LAST_PASS)


_BULLET_ITEM = re.compile(r"^[ \t]*[-•*][ \t]+(?P<text>.*)$")
_NUMBERED_ITEM = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+(?P<text>.*)$")  # \d also matches Thai digits: ๑. ๒)
# A web address ends at whitespace, at markup, and at Thai text written straight after it without a space.
_URL = re.compile(r"https?://[^\s<>\"'\u0e00-\u0e7f]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\""


def _link_text(line):
    """Escape a line of plain text, turning the web addresses in it into links."""
    parts, position = [], 0
    for match in _URL.finditer(line):
        url = match.group(0).rstrip(_URL_TRAILING)
        # "(see https://example.org)": the bracket closes the sentence unless the address opened one.
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_URL_TRAILING)
        end = match.start() + len(url)
        parts.append(escape(line[position : match.start()], quote=False))
        parts.append(f'<a href="{escape(url)}">{escape(url, quote=False)}</a>')
        position = end
    parts.append(escape(line[position:], quote=False))
    return "".join(parts)


def text_to_html(text: str) -> str:
    """HTML for plain text typed without the editor.

    A blank line separates paragraphs and a single line break stays one (<br>). Lines starting with "- ", "• "
    or "* " make a bulleted list, lines starting with "1. " or "2) " a numbered one; an indented line after an
    item continues it. Everything is escaped; web addresses become links.
    """
    blocks = []  # [kind, lines] for a paragraph, [kind, [lines of an item, …]] for a list
    current = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.rstrip()
        if not line.strip():
            current = None
            continue
        bullet, numbered = _BULLET_ITEM.match(line), _NUMBERED_ITEM.match(line)
        if bullet or numbered:
            kind = "ul" if bullet else "ol"
            item = (bullet or numbered).group("text")
            # Items of one kind separated by blank lines are still one list.
            if blocks and blocks[-1][0] == kind and current in (blocks[-1], None):
                blocks[-1][1].append([item])
            else:
                blocks.append([kind, [[item]]])
            current = blocks[-1]
        elif current is not None and current[0] != "p" and line[0] in " \t":
            current[1][-1].append(line.strip())
        elif current is not None and current[0] == "p":
            current[1].append(line.strip())
        else:
            current = ["p", [line.strip()]]
            blocks.append(current)

    parts = []
    for kind, content in blocks:
        if kind == "p":
            parts.append("<p>" + "<br>".join(map(_link_text, content)) + "</p>")
        else:
            items = "".join("<li>" + "<br>".join(map(_link_text, item)) + "</li>" for item in content)
            parts.append(f"<{kind}>{items}</{kind}>")
    return "\n".join(parts)


# A start or end tag, a comment or a declaration: "a < b" and "<3" are text, "<p>" and "<!--" are markup.
_LOOKS_LIKE_MARKUP = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9:-]*(?:[\s/][^<>]*)?>|<!(?:--|\[|doctype)", re.IGNORECASE
)


def render_body(raw: str) -> str:
    """The body as stored: sanitized HTML from either the editor's HTML or plain text. Idempotent.

    The one rule set for note bodies: the model stores only its output (LessonNote.body is a
    SanitizedHTMLField) and the editor shows it through the preview endpoint rather than repeating it."""
    if _LOOKS_LIKE_MARKUP.search(raw):
        return clean_html(raw)
    return clean_html(text_to_html(raw))


def safe_html(stored: str):
    """Stored body HTML marked safe for a template after nh3's last pass with the same allow-list (cheap, and
    idempotent on what render_body stored): nothing is rendered that render_body would not allow."""
    from django.utils.safestring import mark_safe

    return mark_safe(nh3.clean(stored or "", **_LAST_PASS))  # nh3's output is sanitized HTML


class _TextExtractor(HTMLParser):
    BREAKS = frozenset(
        {
            "p",
            "br",
            "li",
            "ul",
            "ol",
            "blockquote",
            "div",
            "tr",
            "td",
            "th",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
        }
    )
    SKIPPED = frozenset({"script", "style", "template", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The text of a body, one line per paragraph, heading or list item (for search and feed summaries).

    Not HTML: entities are decoded, so escape it wherever it is put into a page.
    """
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = ("".join(extractor.parts)).split("\n")
    return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))
