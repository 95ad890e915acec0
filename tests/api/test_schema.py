"""Schemathesis against /api/schema/: every operation, a bounded number of generated requests each. No server
error, every response as the schema says, and the public answers carry nothing personal."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from kmportal.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.hook
def filter_query(context, query):
    # A NUL anywhere in the address is refused with a plain 400 before any view (core.middleware, tested there).
    return not query or not any("\x00" in str(value) for value in query.values())


@schema.hook
def filter_path_parameters(context, path_parameters):
    return not path_parameters or not any("\x00" in str(value) for value in path_parameters.values())


EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, as in production; Django's test client
    stops that so the test's transaction survives, and so must these requests made through the WSGI app."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def personal_values(people) -> set[str]:
    values = set()
    for person in people:
        values.update({person.first_name, person.last_name, person.full_name, person.phone, person.email})
    return {v for v in values if v}


@pytest.mark.django_db
@schema.include(tag="open data").parametrize()
@EXAMPLES
def test_public_endpoints_answer_anonymously_within_the_schema_and_without_personal_data(case, program):
    response = case.call_and_validate()
    assert response.status_code < 500
    assert response.status_code not in (401, 403)
    text = response.content.decode("utf-8")
    if "json" in response.headers.get("Content-Type", [""])[0]:
        text = json.dumps(json.loads(text), ensure_ascii=False)
    leaked = {value for value in personal_values(program["people"]) if value in text}
    assert not leaked


@pytest.mark.django_db
@schema.include(tag="partner").parametrize()
@EXAMPLES
def test_partner_endpoints_with_a_token_stay_within_the_schema(case, program, cdd_token):
    _token, raw = cdd_token
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"})
