"""Database ids from requests — URL paths, query strings and forms — parsed in one place.

Every id is a PostgreSQL bigint (DEFAULT_AUTO_FIELD is BigAutoField). A larger number, or
anything but ASCII digits ("²" passes str.isdigit() and then breaks int()), never reaches a
query: in a URL path it does not match (404); in a query string or form it is a 400 with a
Chinese message.
"""

import re

from django.core.exceptions import BadRequest
from django.urls import register_converter

MAX_ID = 2**63 - 1  # PostgreSQL bigint, the column of every BigAutoField id
_DIGITS = re.compile(r"[0-9]{1,19}")


def as_id(value) -> int | None:
    """The id `value` spells (text or int), or None when it is not one the database can hold."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def id_param(data, name: str) -> int | None:
    """The id in `data[name]` (a QueryDict or dict): None when absent or empty.

    Raises BadRequest (400) naming the parameter for anything but a valid id.
    """
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = as_id(value)
    if number is None:
        raise BadRequest(f"参数“{name}”应为编号（正整数），收到的是“{str(value)[:30]}”。")
    return number


def id_list(data, name: str) -> list[int]:
    """Every id in the list `data.getlist(name)`; BadRequest (400) if any is not a valid id."""
    numbers = []
    for value in data.getlist(name):
        number = as_id(value)
        if number is None:
            raise BadRequest(f"参数“{name}”应为编号（正整数），收到的是“{str(value)[:30]}”。")
        numbers.append(number)
    return numbers


class IdConverter:
    """`<id:name>` in a URL: an id the database can hold; anything larger does not match (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = as_id(value)
        if number is None:
            raise ValueError(value)  # the pattern does not match: 404
        return number

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
