"""Ids for the register pages of the permission matrix (tests/test_permission_matrix.py).

Rows of the reporter's own township (城关镇) from tests.campaigns.register_builders: each
page module adds its URL names here, in its own section, with the objects they need.
"""


def register_url_args(registers, role_users, *, period) -> dict[str, list]:
    """URL name -> args for every register page that takes ids."""
    args: dict[str, list] = {}
    # pages (lists, rows, Excel):
    # reporting (the unit's weekly reports):
    # review (the lead department's verdicts):
    # contracted (分包 view, on-site checks):
    return args
