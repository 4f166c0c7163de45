"""`{{ text|sentence }}`: text typed by someone, closed as one sentence of a document.

A reason typed as "发生较大安全生产事故。" and a template that adds its own full stop would
print "事故。。"; this filter strips what the typist ended with (full stop, comma, semicolon,
colon, enumeration comma, spaces) and closes the sentence once. A question or exclamation
mark already closes it.
"""

from django import template

register = template.Library()

TRAILING = " \t\r\n\u3000。．.，,；;：:、"
CLOSED = "！？!?"


def sentence(text) -> str:
    """'事故。' → '事故。', '事故，' → '事故。', '事故' → '事故。', '' → ''."""
    body = str(text or "").rstrip(TRAILING)
    if not body:
        return ""
    return body if body.endswith(tuple(CLOSED)) else f"{body}。"


register.filter("sentence", sentence)
