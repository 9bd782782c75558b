"""The versions one case was judged under: each event's moment gives the version frozen for it.
Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement
from samplan.agreements.schema import STOCKHOLM, NaiveDatetimeError
from samplan.agreements.timeline import AgreementTimeline, as_timeline

OLD, NEW = get_agreement("gavleborg").versions
ADMITTED = datetime(2026, 12, 31, 20, 0, tzinfo=STOCKHOLM)
READY = datetime(2027, 1, 4, 13, 0, tzinfo=STOCKHOLM)


def test_each_event_gets_the_version_frozen_for_it() -> None:
    # Given out of order: the timeline orders by the moment.
    timeline = AgreementTimeline.of([(READY, NEW), (ADMITTED, OLD)])
    assert timeline.version_at(ADMITTED) is OLD
    assert timeline.version_at(READY) is NEW
    # Between events: the latest event before; before every event: the first.
    assert timeline.version_at(READY - timedelta(microseconds=1)) is OLD
    assert timeline.version_at(ADMITTED - timedelta(days=1)) is OLD
    assert timeline.version_at(None) is OLD
    assert timeline.versions == (OLD, NEW)


def test_an_edited_text_frozen_later_never_judges_an_earlier_event() -> None:
    edited = OLD.model_copy(update={"county": "Exempellän"})
    sent = datetime(2026, 12, 1, 9, 0, tzinfo=STOCKHOLM)
    backdated = datetime(2026, 11, 30, 9, 0, tzinfo=STOCKHOLM)  # recorded after the edit
    timeline = AgreementTimeline.of([(sent, OLD), (backdated, edited)])
    assert timeline.version_at(sent) is OLD
    assert timeline.version_at(backdated) is edited


@given(moment=st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)))
def test_a_single_version_judges_every_moment(moment: datetime) -> None:
    assert as_timeline(NEW).version_at(moment) is NEW
    timeline = AgreementTimeline.single(OLD)
    assert as_timeline(timeline) is timeline


def test_naive_moments_and_empty_timelines_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        AgreementTimeline.of([(datetime(2027, 1, 1), NEW)])
    with pytest.raises(NaiveDatetimeError):
        AgreementTimeline.single(NEW).version_at(datetime(2027, 1, 1))
    with pytest.raises(ValueError, match="minst en version"):
        AgreementTimeline(())
