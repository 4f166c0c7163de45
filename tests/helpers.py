"""Small helpers that keep tests short: users with roles, query counting."""

from contextlib import contextmanager

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.roles import Role

PASSWORD = "correct-horse-battery"


def make_user(username: str, *roles: Role, unit=None, password: str = PASSWORD, **fields) -> User:
    user = User.objects.create_user(
        username=username,
        password=password,
        full_name=fields.pop("full_name", f"测试{username}"),
        unit=unit,
        **fields,
    )
    user.groups.set(Group.objects.filter(name__in=[role.group_name for role in roles]))
    return user


@contextmanager
def count_queries():
    """Yields a context whose len() is the number of queries run inside the block."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
