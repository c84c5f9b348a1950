import re

import pytest

from tests.factories import UserFactory

PASSWORD = "lantern-tide-at-dusk-42"


def link_in(message) -> str:
    """The one link in a plain-text e-mail, as a path on the test server."""
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    return links[0].removeprefix("http://testserver")


@pytest.fixture
def reader(db):
    """An active reader with a known password."""
    user = UserFactory(username="mika", display_name="Mika R.", email="Mika@Example.org")
    user.set_password(PASSWORD)
    user.save()
    return user


def signup_data(**overrides) -> dict:
    """What a visitor types into the sign-up form (there is no username field)."""
    data = {
        "display_name": "New Reader",
        "email": "new.reader@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data
