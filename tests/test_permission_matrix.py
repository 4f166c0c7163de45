"""Every URL of the site × every role (and anonymous): who gets the page, who is refused.

The list of URLs comes from the URL conf itself, so a new page fails this test until its row
is added to EXPECTED: no page can escape the matrix.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role

ALL = frozenset(Role)
ANON = "anonymous"

# url name -> (roles that get 200, what the rest get). Anonymous users are listed explicitly.
EXPECTED = {
    "home": ({"redirect"}, None),
    "home-reporter": ({Role.REPORTER}, 403),
    "home-unit-head": ({Role.UNIT_HEAD}, 403),
    "home-reviewer": ({Role.REVIEWER}, 403),
    "home-office": ({Role.OFFICE}, 403),
    "home-leader": ({Role.LEADER}, 403),
    "home-admin": ({Role.ADMIN}, 403),
    "login": ({ANON}, "redirect"),  # signed-in users are sent on to their home page
    "logout": (set(), 405),  # GET is refused for everyone: logging out needs a POST
    "password_change": (ALL, None),
    "password_change_done": (ALL, None),
    "healthz": (ALL | {ANON}, None),
}


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own test (test_admin_access)
            yield from named_urls(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_page_is_in_the_matrix():
    assert set(named_urls()) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("who", [*Role, ANON], ids=lambda w: getattr(w, "value", w))
def test_matrix(client, role_users, name, who):
    allowed, otherwise = EXPECTED[name]
    if who != ANON:
        client.force_login(role_users[who])
    response = client.get(reverse(name))
    if "redirect" in allowed:  # the landing page sends everyone somewhere else
        assert response.status_code == 302
        return
    if who in allowed:
        assert response.status_code == 200, (name, who)
    elif who == ANON:
        assert response.status_code in (302, 405), (name, who)
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))
    elif otherwise == "redirect":
        assert response.status_code == 302
    else:
        assert response.status_code == otherwise, (name, who, response.status_code)


@pytest.mark.parametrize(
    "who,status",
    [(Role.OFFICE, 200), (Role.ADMIN, 200), (Role.LEADER, 302), (Role.REVIEWER, 302),
     (Role.UNIT_HEAD, 302), (Role.REPORTER, 302)],
)  # fmt: skip
def test_admin_access(client, role_users, who, status):
    client.force_login(role_users[who])
    assert client.get(reverse("admin:index")).status_code == status
