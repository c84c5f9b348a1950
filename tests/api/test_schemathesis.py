"""schemathesis against the OpenAPI document, on a live test server holding the API
tests' site (tests/api/conftest.py: a two-part series with characters, spoilers in the
review and its comments, comments in every moderation state, a draft and a scheduled
review; the demo itself is served in test_contract.py). Property-based requests go to
every operation, and the run fails on any server error or any answer that does not
match the document's schema for its status.

Two runs: random requests to the document as served (slugs are random, so mostly
404s, which must be documented JSON too), then every phase (boundary and invalid
values, random ones, and chains of requests following the links between answers) on
the same document with each slug pinned to that site's, so that paging, filters and
progress are exercised against real content. The seed is fixed so CI is repeatable
(``SCHEMATHESIS_SEED`` picks another), and examples per operation are capped so each
run stays under a minute per database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from xml.etree import ElementTree

import pytest

from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = "not_a_server_error,response_schema_conformance"
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")
SEED = os.environ.get("SCHEMATHESIS_SEED", "20261201")


def _run(location: str, base_url: str, report: Path, phases: str) -> tuple[int, str, int]:
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", location,
        "--phases", phases,
        "--url", base_url,
        "--checks", CHECKS,
        "--max-examples", MAX_EXAMPLES,
        "--seed", SEED,
        "--workers", "1",
        "--generation-database", "none",
        "--request-timeout", "20",
        "--no-color",
        "--report", "junit",
        "--report-junit-path", str(report),
    ]  # fmt: skip
    result = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        command, capture_output=True, text=True, timeout=300, cwd=report.parent, check=False
    )
    root = ElementTree.parse(report).getroot()  # noqa: S314  (schemathesis's own report)
    cases = int(root.get("tests", "0"))
    return result.returncode, result.stdout + result.stderr, cases


def _pinned(document: dict, work_slug: str, review_slug: str) -> dict:
    """The document with every ``slug`` path parameter allowed only the site's."""
    for path, operations in document["paths"].items():
        slug = review_slug if path.startswith("/api/reviews/") else work_slug
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "slug" and parameter["in"] == "path":
                    parameter["schema"] = {"type": "string", "enum": [slug]}
    return document


def test_schemathesis_finds_no_server_error_and_no_schema_violation(live_server, site, tmp_path):
    review = site["review"]
    assert Review.objects.published().filter(pk=review.pk).exists()

    served = f"{live_server.url}/api/openapi.json"
    with urllib.request.urlopen(served, timeout=20) as response:  # noqa: S310  (our server)
        document = json.load(response)
    pinned = tmp_path / "pinned.json"
    pinned.write_text(json.dumps(_pinned(document, review.work.slug, review.slug)))

    runs = (
        ("served", served, "fuzzing"),
        ("pinned", str(pinned), "coverage,fuzzing,stateful"),
    )
    for name, location, phases in runs:
        report = tmp_path / f"{name}.xml"
        code, output, cases = _run(location, live_server.url, report, phases)
        assert code == 0, f"schemathesis ({name} document) failed:\n{output[-6000:]}"
        assert cases >= 7, f"schemathesis ran {cases} operations:\n{output[-3000:]}"
