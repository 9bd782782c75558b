"""The demo county is built once per test module, not once per test: it takes about 20 s.

``demo`` builds it inside a transaction that is rolled back when the module is done; each test
still runs in its own savepoint within it (pytest-django's ``db``), so what a test writes is undone
before the next one. A module says how its county is built by overriding ``demo_build``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial

import pytest
from django.db import transaction
from django.utils import timezone

from samplan.demo.generator import DEFAULT_PERSONS, DEFAULT_SEED, create_demo_county


@pytest.fixture(scope="module")
def demo_build() -> Callable[[], object]:
    """The demo county as ``make demo`` creates it."""
    return partial(create_demo_county, seed=DEFAULT_SEED, persons=DEFAULT_PERSONS)


@pytest.fixture(scope="module")
def _demo_county(
    django_db_setup: None, django_db_blocker, demo_build: Callable[[], object]
) -> Iterator[datetime]:
    with django_db_blocker.unblock(), transaction.atomic():
        started = timezone.now()
        demo_build()
        yield started
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_county: datetime, db: None) -> datetime:
    """The module's demo county; returns when its creation started."""
    return _demo_county
