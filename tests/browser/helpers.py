"""What browser tests share: signing in through the real login form."""

from tests.helpers import PASSWORD


def sign_in(page, base, username, *, wait_for="[data-testid=whoami]"):
    """Sign `username` in at `base` (cookies of an earlier user cleared) and wait until the
    page shows `wait_for` (the navbar's 'who am I' by default)."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # "attached", not visible: at phone width the navbar (and its 'who am I') is collapsed.
    page.wait_for_selector(wait_for, state="attached")
