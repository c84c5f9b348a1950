"""The demo site: a critic, a fictional anime in two parts, reviews and readers.

An app of its own on top of everything else, so that nothing the product needs
depends on it. ``manage.py load_demo`` fills an empty site (see ``content``).
"""
