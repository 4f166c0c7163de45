"""A PDF export that takes a few seconds and reports progress at every step, so a fault test
can kill its worker while the job is running. Registered only where a test asks for it: in
the test process by the test, in the worker by `tests.faults.worker_app`."""

import io
import time

from pypdf import PdfWriter

from scoring.reports.registry import Export

STEPS, STEP_SECONDS = 12, 0.25


def render(params: dict, progress) -> tuple[str, str, bytes]:
    for step in range(STEPS):
        progress(10 + step * 7)
        time.sleep(STEP_SECONDS)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return "慢速报表.pdf", "application/pdf", out.getvalue()


SLOW_PDF = Export(
    identifier="faults-slow-pdf",
    label="慢速测试报表",
    render=render,
    allowed=lambda user, params: None,
    cache_key=lambda params: str(params.get("run", "")),
)
