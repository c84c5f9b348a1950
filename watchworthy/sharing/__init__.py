"""How pages travel beyond the site: canonical addresses, feed autodiscovery, Open
Graph and Twitter cards (with a generated card image when a review has no cover),
schema.org JSON-LD, the sitemap and robots.txt. See docs/sharing.md."""
