"""The one parser of figures: every number a person types or a workbook cell holds goes through it.

A figure is checked against the model field it is meant for (its `max_digits` and
`decimal_places`, read from the field), so nothing the database cannot hold, and nothing a page
cannot show, is ever accepted. Refusals raise `FigureError` (a ValueError) with a Chinese
message naming the limit.

What is accepted: plain decimals ("1200", "-3.5", ".5"), proper thousands grouping ("1,200.5",
"12,345,678"; not "1,2,3", "1,23" or "12,34"), full-width digits, dot, comma and minus
("１２３．５" is 123.5), and int/float/Decimal values as openpyxl reads cells. Refused:
exponent notation ("1e20"), NaN, Infinity, booleans and anything else.
"""

import re
from decimal import Decimal

from django import forms
from django.db import models

FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + n): str(n) for n in range(10)},  # ０–９
        "．": ".",
        "，": ",",
        "－": "-",
        "−": "-",  # U+2212, the typographic minus pasted from Word
        "＋": "+",
    }
)
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
_EXPONENT = re.compile(r"[+-]?[0-9.,]*[0-9][eE][+-]?[0-9]+")


class FigureError(ValueError):
    """A figure that is not acceptable; str() is the Chinese reason."""


class FigureTooLarge(FigureError):
    """A number with more whole digits than the field holds."""


class TooManyPlaces(FigureError):
    """A number with more decimal places than the field holds."""


def _shown(raw) -> str:
    text = str(raw)
    return f"“{text[:30]}…”" if len(text) > 30 else f"“{text}”"


def limits_of(field) -> tuple[int, int]:
    """(max_digits, decimal_places) of a model DecimalField."""
    return field.max_digits, field.decimal_places


def _to_decimal(raw, *, grouping: bool) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise FigureError(f"应为数字，实际为{_shown(raw)}")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        # repr is the shortest text giving back the same float: 0.1 → "0.1", 1e20 → "1e+20".
        number = Decimal(repr(raw))
    else:
        text = str(raw).strip().translate(FULL_WIDTH)
        if not text:
            return None
        if _PLAIN.fullmatch(text):
            number = Decimal(text)
        elif _GROUPED.fullmatch(text):
            if not grouping:
                raise FigureError(f"应为数字，实际为{_shown(raw)}，请去掉千位分隔符“,”")
            number = Decimal(text.replace(",", ""))
        elif _EXPONENT.fullmatch(text):
            raise FigureError(f"请填写完整的数字，不用科学计数法（实际为{_shown(raw)}）")
        elif "," in text and re.fullmatch(r"[+-]?[0-9,]+(?:\.[0-9]*)?", text):
            raise FigureError(
                f"千位分隔符位置不对（实际为{_shown(raw)}），应每三位一个，如 12,345,678"
            )
        else:
            raise FigureError(f"应为数字，实际为{_shown(raw)}")
    if not number.is_finite():
        raise FigureError(f"应为数字，实际为{_shown(raw)}")
    return number


def check_limits(number: Decimal, *, max_digits: int, decimal_places: int) -> None:
    """Raise FigureError unless `number` fits a DecimalField(max_digits, decimal_places)."""
    if not number.is_finite():
        raise FigureError(f"应为数字，实际为{_shown(number)}")
    whole_digits = max_digits - decimal_places
    if number != 0 and number.adjusted() + 1 > whole_digits:
        raise FigureTooLarge(f"数值过大：整数部分最多 {whole_digits} 位")
    exponent = number.normalize().as_tuple().exponent  # trailing zeros do not count
    if -exponent > decimal_places:
        if decimal_places == 0:
            raise TooManyPlaces("应为整数，不能有小数")
        raise TooManyPlaces(f"最多 {decimal_places} 位小数")


def parse_number(raw, *, max_digits: int, decimal_places: int, grouping: bool = True):
    """`parse_figure` with the limits given as numbers (for FigureField)."""
    number = _to_decimal(raw, grouping=grouping)
    if number is not None:
        check_limits(number, max_digits=max_digits, decimal_places=decimal_places)
    return number


def parse_figure(raw, field, *, grouping: bool = True) -> Decimal | None:
    """The figure in `raw` for the model DecimalField `field`: '' or None → None.

    Raises FigureError (Chinese message) for anything that is not a number `field` can hold.
    `grouping=False` refuses thousands separators (the year set-up import's rule).
    """
    max_digits, decimal_places = limits_of(field)
    return parse_number(
        raw, max_digits=max_digits, decimal_places=decimal_places, grouping=grouping
    )


class FigureField(forms.CharField):
    """A form field for a figure, parsed by `parse_figure` against a model DecimalField.

    Give it the model field (`FigureField(field=LedgerEntry._meta.get_field("value"))`), or
    use it as a DecimalField's form_class (`formfield_overrides = FIGURE_INPUT` in the admin),
    which hands it the field's max_digits and decimal_places.
    """

    def __init__(self, *, field=None, max_digits=None, decimal_places=None, **kwargs):
        if field is not None:
            max_digits, decimal_places = limits_of(field)
        if max_digits is None or decimal_places is None:
            raise TypeError("FigureField needs the model field it fills (or its limits)")
        self.max_digits, self.decimal_places = max_digits, decimal_places
        kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return parse_number(
                text, max_digits=self.max_digits, decimal_places=self.decimal_places
            )
        except FigureError as error:
            raise forms.ValidationError(str(error)) from None


# An admin's `formfield_overrides`: every DecimalField is typed through FigureField.
FIGURE_INPUT = {models.DecimalField: {"form_class": FigureField}}


def figure_formfield(db_field, **kwargs):
    """A ModelForm's `Meta.formfield_callback`: its DecimalFields are typed through FigureField."""
    if isinstance(db_field, models.DecimalField):
        kwargs = {**FIGURE_INPUT[models.DecimalField], **kwargs}
    return db_field.formfield(**kwargs)
