from __future__ import annotations

import pytest

from samplan.psychiatry.tests.helpers import PsychCounty, make_psych_county


@pytest.fixture
def pc(db: None) -> PsychCounty:
    return make_psych_county()
