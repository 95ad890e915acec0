"""core.paging.PagedByKeys: the pages of a list cut on its keys are the pages of the list itself."""

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.paging import PagedByKeys
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


def test_pages_cut_on_keys_are_the_lists_pages_in_order():
    person = make_person()
    # Dates out of the order of creation, two sessions on one day (then the code decides).
    for number, day in enumerate([5, 1, 9, 1, 7, 3, 9, 2], start=1):
        make_attendance(make_session(code=f"F-2549-{number:02d}", date=dt.date(2006, 3, day)), person)
    rows = person.attendances.select_related("session", "organization").order_by(
        "-session__date", "-session__code"
    )
    plain, keyed = Paginator(rows, 3), Paginator(PagedByKeys(rows), 3)
    assert keyed.count == plain.count == 8 and keyed.num_pages == 3
    for number in (1, 2, 3):
        expected = [row.session.code for row in plain.page(number)]
        with CaptureQueriesContext(connection) as queries:
            got = [row.session.code for row in keyed.page(number)]
        assert got == expected and len(queries) == 1  # one query a page, related rows included
    assert [row.session.code for row in keyed.page(1)] == ["F-2549-07", "F-2549-03", "F-2549-05"]


def test_single_rows_are_not_read_through_it():
    with pytest.raises(TypeError):
        PagedByKeys(make_person().attendances.all())[0]
