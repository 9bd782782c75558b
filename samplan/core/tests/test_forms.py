"""The shared form helpers of the plan editors."""

import pytest
from django import forms

from samplan.core.forms import distinct_lines


def test_one_item_per_line_each_once_in_the_order_written() -> None:
    text = "  Dusch \n\nMat\r\nDusch\n   \nStädning"
    assert distinct_lines(text, max_length=300, too_long="för långt") == [
        "Dusch",
        "Mat",
        "Städning",
    ]


def test_a_line_over_the_limit_is_refused_with_the_callers_message() -> None:
    assert distinct_lines("x" * 300, max_length=300, too_long="för långt") == ["x" * 300]
    with pytest.raises(forms.ValidationError) as refused:
        distinct_lines("kort\n" + "x" * 301, max_length=300, too_long="Ett behov är för långt.")
    assert refused.value.messages == ["Ett behov är för långt."]
