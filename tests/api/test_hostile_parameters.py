"""Hostile strings in every parameter of every endpoint: the public XSS payload lists
(../shared/testdata/xss) and a few hand-made troublemakers. Each answer is a 200 or a
4xx in the API's JSON error shape, never a 500, and nothing comes back unescaped as
HTML: the answer is JSON."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import shared_file

pytestmark = pytest.mark.django_db

QUERY_PARAMETERS = ["page", "per_page", "work", "tag", "author", "verdict", "progress"]
PATHS = [
    "/api/works/{}/",
    "/api/works/{}/seasons/",
    "/api/works/ferrylight/characters/?progress={}",
    "/api/reviews/{}/comments/",
]
TROUBLEMAKERS = [
    "", " ", "0", "-1", "1e9", "9" * 400, "NaN", "true", "[]", "{}", "null", "%", "%00",
    "\x00", "a\x00b", "\u202e", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "💥" * 300, "../../etc/passwd", "' OR 1=1 --", "1:", ":", "999:9999", "1000:1",
    "0:0", "1:99999", "\uff11:\uff12",  # full-width digits
]  # fmt: skip


def payloads(relative: str) -> list[str]:
    lines = shared_file(relative).read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line.strip()]


def assert_handled(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    assert response["Content-Type"].startswith("application/json"), url
    data = response.json()
    if response.status_code != 200:
        assert data["detail"], url


def sweep(client, values: list[str]) -> None:
    for value in values:
        encoded = quote(value, safe="")
        for name in QUERY_PARAMETERS:
            endpoint = (
                "/api/works/ferrylight/characters/" if name == "progress" else "/api/reviews/"
            )
            assert_handled(client, f"{endpoint}?{name}={encoded}")
        for path in PATHS:
            assert_handled(client, path.format(encoded))


def test_troublemakers(client, site):
    sweep(client, TROUBLEMAKERS)


def test_rsnake_xss_list(client, site):
    sweep(client, payloads("xss/payloadsallthethings-RSNAKE_XSS.txt"))


@pytest.mark.slow
def test_payloadbox_xss_list(client, site):
    # Every 20th line (about 330 payloads x 11 places): the whole list takes minutes.
    sweep(client, payloads("xss/payloadbox-xss-payload-list.txt")[::20])
