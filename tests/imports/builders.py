"""Build small WXR files for tests (written to tmp_path, never copied from ../shared)."""

from __future__ import annotations

from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/"'
)
BASE = "http://blog.example"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(
    comment_id: int,
    *,
    parent: int = 0,
    approved: str = "1",
    author: str = "Reader",
    email: str = "reader@example.org",
    url: str = "",
    content: str = "Nice review.",
    date: str = "2012-06-01 10:00:00",
    kind: str = "",
    user_id: int = 0,
) -> str:
    return f"""
    <wp:comment>
      <wp:comment_id>{comment_id}</wp:comment_id>
      <wp:comment_author>{cdata(author)}</wp:comment_author>
      <wp:comment_author_email>{escape(email)}</wp:comment_author_email>
      <wp:comment_author_url>{escape(url)}</wp:comment_author_url>
      <wp:comment_author_IP>192.0.2.7</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
      <wp:comment_content>{cdata(content)}</wp:comment_content>
      <wp:comment_approved>{approved}</wp:comment_approved>
      <wp:comment_type>{kind}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user_id}</wp:comment_user_id>
    </wp:comment>"""


def item(
    post_id: int,
    title: str,
    *,
    post_type: str = "post",
    status: str = "publish",
    name: str | None = None,
    date: str = "2012-05-30 23:37:02",
    content: str = "<p>Text.</p>",
    excerpt: str = "",
    comments: list[str] = (),
    link: str | None = None,
    creator: str = "critic",
    categories: list[tuple[str, str, str]] = (),
    meta: dict[str, str] | None = None,
    attachment_url: str = "",
) -> str:
    name = name if name is not None else title.lower().replace(" ", "-")
    year, month, day = date[:4], date[5:7], date[8:10]
    link = link or f"{BASE}/{year}/{month}/{day}/{name}/"
    cats = "".join(
        f'<category domain="{domain}" nicename="{nicename}">{cdata(label)}</category>'
        for domain, nicename, label in categories
    )
    metas = "".join(
        f"<wp:postmeta><wp:meta_key>{escape(k)}</wp:meta_key>"
        f"<wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    attachment = (
        f"<wp:attachment_url>{escape(attachment_url)}</wp:attachment_url>" if attachment_url else ""
    )
    return f"""
  <item>
    <title>{escape(title)}</title>
    <link>{escape(link)}</link>
    <dc:creator>{cdata(creator)}</dc:creator>
    <guid isPermaLink="false">{BASE}/?p={post_id}</guid>
    <content:encoded>{cdata(content)}</content:encoded>
    <excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>{escape(name)}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type>{post_type}</wp:post_type>
    <wp:post_password></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
    {attachment}{cats}{metas}{"".join(comments)}
  </item>"""


def wxr(
    *items: str,
    base: str = BASE,
    encoding: str = "UTF-8",
    version: str | None = "1.2",
    authors: str | None = None,
    prolog: str = "",
) -> str:
    authors = (
        authors
        if authors is not None
        else (
            "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>critic</wp:author_login>"
            "<wp:author_email>critic@blog.example</wp:author_email>"
            f"<wp:author_display_name>{cdata('The Critic')}</wp:author_display_name>"
            "</wp:author>"
        )
    )
    version_tag = f"<wp:wxr_version>{version}</wp:wxr_version>" if version else ""
    return f"""<?xml version="1.0" encoding="{encoding}"?>
{prolog}<rss version="2.0" {NAMESPACES}>
<channel>
  <title>A blog</title>
  <link>{base}</link>
  {version_tag}
  <wp:base_site_url>{base}</wp:base_site_url>
  <wp:base_blog_url>{base}</wp:base_blog_url>
  {authors}
  {"".join(items)}
</channel>
</rss>
"""
