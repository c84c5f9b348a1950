"""Find executable markup in HTML by parsing it, not by searching substrings."""

from html.parser import HTMLParser

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "frame", "frameset", "applet", "base",
                  "form", "meta", "link", "style", "svg", "math"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "background",
                  "poster", "data", "cite", "longdesc", "lowsrc", "dynsrc"}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")


def _scheme_of(value: str) -> str:
    """The URL's scheme as a browser would read it: controls and spaces ignored."""
    cleaned = "".join(ch for ch in value if ch > " " and ch not in "\x7f").lower()
    return cleaned


class _Finder(HTMLParser):
    def __init__(self, allowed_tags: set[str]):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if (
                name == "style"
                and value
                and ("expression" in value.lower() or "url(" in value.lower())
            ):
                self.problems.append(f"style={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                for part in value.split(","):
                    if _scheme_of(part).startswith(BAD_SCHEMES):
                        self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def executable_markup(html: str, *, allowed_tags: frozenset[str] = frozenset()) -> list[str]:
    """Every element, attribute or URL in ``html`` that could run script."""
    finder = _Finder(set(allowed_tags))
    finder.feed(html)
    finder.close()
    return finder.problems
