"""Every screen speaks Chinese: every page of every role (and the admin), the error pages, the icon.

The sweep renders each named URL (ids from the permission matrix's county) for each role with
Django's test client, keeps the text a user reads (no tags, scripts or styles; plus titles,
placeholders and labels read aloud) and fails on any ASCII-only word outside a short list of
units and codes users type themselves. So English cannot come back unseen.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.roles import Role
from tests.test_permission_matrix import EXPECTED, url_args  # noqa: F401  (url_args: fixture)

pytestmark = pytest.mark.clock("2026-04-15 10:00")

# ASCII words a Chinese user reads as they are: file kinds, sizes and codes they type.
ALLOWED_WORDS = {
    "Excel",  # the program the workbooks open in
    "xlsx",  # 上传 .xlsx 文件
    "PDF",
    "JPG",
    "JPEG",
    "PNG",
    "WebP",
    "KB",
    "MB",
    "ID",
    "IP",  # IP 地址, as Chinese names it
    "Control",  # keys as printed on the keyboard (Django: 按住 Control 键或 Mac 上的 Command 键)
    "Command",
    "Mac",
}
# A word, not part of a file name, address, path or dotted code ("site.png", "a@b.cn").
WORD = re.compile(r"(?<![\w.@/-])[A-Za-z][A-Za-z]+(?![\w@/-]|\.\w)")
READ_ALOUD = {"title", "placeholder", "aria-label", "alt"}


class _VisibleText(HTMLParser):
    """The text a user sees or hears: element text outside script/style/template, and the
    attributes shown as tooltips, placeholders or read by screen readers."""

    # <bdi> holds the password hash summary (algorithm, masked salt): random letters, no words.
    HIDDEN = {"script", "style", "template", "bdi"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:
            if name in READ_ALOUD and value:
                self.parts.append(value)
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words(html: str, typed: frozenset = frozenset()) -> list[str]:
    """English words in what a user reads; `typed`: codes users type (their usernames)."""
    allowed = ALLOWED_WORDS | typed
    return sorted({w for w in WORD.findall(visible_text(html)) if w not in allowed})


def test_the_word_finder_finds_english():
    """The detector itself: English words in text and tooltips are found; codes users type,
    words inside scripts and styles, file names and addresses are not."""
    html = (
        '<p title="Choose all">核实状态：pending → returned，共 3 MB 的 PDF</p>'
        "<script>var x = 'hidden';</script><style>.a { color: red }</style>"
        "<p>附件 photo.jpg，邮箱 a@b.cn，网址 /static/x</p>"
    )
    assert english_words(html) == ["Choose", "all", "pending", "returned"]


def _html(response) -> str | None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if getattr(response, "streaming", False):
        return None
    return response.content.decode()


def _admin_urls(user) -> list[str]:
    """The admin pages a user reaches: the index, each app, each model's list, add form and
    the first row's change form and history."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        meta = model._meta
        base = f"admin:{meta.app_label}_{meta.model_name}"
        urls.append(reverse("admin:app_list", args=[meta.app_label]))
        if model_admin.has_view_or_change_permission(request):
            urls.append(reverse(f"{base}_changelist"))
            first = model_admin.get_queryset(request).order_by("pk").first()
            if first is not None:
                urls.append(reverse(f"{base}_change", args=[first.pk]))
                urls.append(reverse(f"{base}_history", args=[first.pk]))
                record = first.history.first() if hasattr(first, "history") else None
                if record is not None:  # simple-history's page of one past version
                    urls.append(
                        reverse(f"{base}_simple_history", args=[first.pk, record.history_id])
                    )
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{base}_add"))
    return list(dict.fromkeys(urls))


def test_every_page_of_every_role_is_chinese(client, role_users, url_args):  # noqa: F811
    """Each named page (GET) for each role, and every admin page the office and the system
    administrator reach, shows no English word outside ALLOWED_WORDS (nor outside the
    usernames, codes people type). Anonymous visitors get the sign-in page."""
    from accounts.models import User

    typed = frozenset(
        word
        for name in User.objects.values_list("username", flat=True)
        for word in WORD.findall(name)
    )
    found: dict[str, set[str]] = {}
    pages = 0
    for role in [*Role, None]:
        client.logout()
        if role is not None:
            client.force_login(role_users[role])
        # The pages this role is let in to (refusals are the error pages, tested below).
        who = role if role is not None else "anonymous"
        urls = [
            reverse(name, args=url_args.get(name, []))
            for name, (allowed, _) in sorted(EXPECTED.items())
            if who in allowed
        ]
        if role is not None and role_users[role].may_use_admin_site:
            urls += _admin_urls(role_users[role])
        for url in urls:
            html = _html(client.get(url))
            if html is None:
                continue
            pages += 1
            for word in english_words(html, typed):
                found.setdefault(word, set()).add(f"{who} {url}")
    assert pages > 150  # the sweep really ran over the site, not over a few pages
    report = [f"{word}: {sorted(where)[:3]}" for word, where in sorted(found.items())]
    assert not found, "English on screen:\n" + "\n".join(report)


# --- error pages and the icon ------------------------------------------------------------


def _chinese_page(response, heading: str) -> str:
    html = response.content.decode()
    assert heading in html
    assert 'href="/"' in html or f'href="{reverse("home")}"' in html  # a way home
    assert english_words(html) == []
    return html


def test_get_on_an_action_url_is_a_chinese_405(client, role_users):
    """require_POST answers an empty 405; the page says what happened, keeps the status and
    the Allow header (POST), in the site's layout (the navigation bar is there)."""
    client.force_login(role_users[Role.REVIEWER])
    response = client.get(reverse("review-verify"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = _chinese_page(response, "此地址不能直接打开")
    assert "jz-navbar" in html


def test_missing_page_is_a_chinese_404(client, role_users):
    client.force_login(role_users[Role.REPORTER])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _chinese_page(response, "页面不存在")


def test_refused_page_is_a_chinese_403(client, role_users):
    client.force_login(role_users[Role.REPORTER])
    response = client.get(reverse("home-office"))
    assert response.status_code == 403
    _chinese_page(response, "无权访问")


def test_stale_form_is_a_chinese_csrf_page(role_users):
    """A POST without a valid CSRF token (a page left open past its session) is refused with
    页面已过期，请刷新后重试 — Django's own page is English."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(role_users[Role.REVIEWER])
    response = client.post(reverse("review-verify"), {"entries": ["1"]})
    assert response.status_code == 403
    _chinese_page(response, "页面已过期，请刷新后重试")


def test_server_error_is_a_chinese_500(rf, role_users):
    """handler500 renders 500.html in the layout; if the layout itself cannot render, a bare
    Chinese page answers instead of nothing."""
    from jiaozhang import views

    request = rf.get("/")
    request.user = role_users[Role.OFFICE]
    response = views.server_error(request)
    assert response.status_code == 500
    html = _chinese_page(response, "系统暂时出错")
    assert "jz-navbar" in html

    broken = rf.get("/")  # no user: the layout's context processors fail on it
    response = views.server_error(broken)
    assert response.status_code == 500
    _chinese_page(response, "系统暂时出错")


def test_favicon_is_served(client):
    """Every page links the flag icon; /favicon.ico (asked for by browsers) leads to it."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page
    from pathlib import Path

    from django.contrib.staticfiles import finders

    svg = Path(finders.find("img/favicon.svg")).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "#a8151c" in svg  # the brand red


# --- what the issue named: stored codes, group sizes, quarters ------------------------------


def test_file_shows_kinds_in_chinese(client, role_users, url_args):  # noqa: F811
    """A file entry written with the engine's code (`late_ledger`, as publication wrote them
    before) reads 周帐迟报 on the unit's file, the office's list and the admin."""
    from scoring.models import FileEntry

    unit = role_users[Role.REPORTER].unit
    entry = FileEntry.objects.filter(unit=unit).first()
    FileEntry.objects.filter(pk=entry.pk).update(kind="late_ledger")
    pages = [
        (Role.REPORTER, reverse("file-unit", args=[unit.pk])),
        (Role.OFFICE, reverse("file-list") + f"?year={entry.year_id}"),
        (Role.OFFICE, reverse("admin:scoring_fileentry_changelist")),
    ]
    for role, url in pages:
        client.force_login(role_users[role])
        html = client.get(url).content.decode()
        assert "周帐迟报" in html, url
        assert "late_ledger" not in visible_text(html), url


def test_a_unit_reads_its_groups_real_size(client, role_users, url_args):  # noqa: F811
    """The reporter of 城关镇 sees only its own row of the computed quarter, beside the size of
    its group — the small year ranks its three townships (城关镇, 青山镇, 白沙镇) — not the
    "（1 个单位）" of the one row it may read."""
    from scoring.models import QuarterlyEvaluation

    evaluation = QuarterlyEvaluation.objects.get(pk=url_args["evaluation-detail"][0])
    client.force_login(role_users[Role.REPORTER])
    html = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert "乡镇组（3 个单位）" in html
    assert html.count("<tr class=") == 1  # its own row only


def test_quarters_are_named_one_way():
    """第二季度 everywhere: no template or Python string writes 第{{ q }}季度 / 第{q}季度 itself;
    campaigns/quarters.py (quarter_name) and the |quarter filter do."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"第\{\{?\s*[\w.]+\s*\}?\}季度")
    found = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("accounts", "campaigns", "scoring", "jiaozhang", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html"} and path.name != "quarters.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
