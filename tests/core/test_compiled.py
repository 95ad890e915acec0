import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Value

from core.compiled import CompiledQuery

pytestmark = pytest.mark.django_db


def test_a_compiled_query_answers_as_the_orm_does_for_every_value(django_assert_num_queries):
    def of_group(group_id):
        return Permission.objects.filter(group__pk=group_id).order_by("codename").values_list("codename")

    query = CompiledQuery(of_group, arity=1)
    groups = list(Group.objects.all()) or [Group.objects.create(name="x")]
    for group in groups:
        with django_assert_num_queries(1):
            rows = query.rows(group.pk)
        assert [tuple(row) for row in rows] == list(of_group(group.pk))
    assert query.rows(-1) == []


def test_a_value_used_twice_is_replaced_in_both_places():
    first, second = User.objects.create(username="a"), User.objects.create(username="b")
    query = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id).exclude(pk__gt=user_id).values_list("username"),
        arity=1,
    )
    assert [row[0] for row in query.rows(first.pk)] == ["a"]
    assert [row[0] for row in query.rows(second.pk)] == ["b"]


def test_a_value_that_does_not_reach_the_sql_as_a_parameter_is_refused():
    query = CompiledQuery(lambda n: User.objects.filter(username="fixed").annotate(n=Value(1)), arity=1)
    with pytest.raises(ValueError, match="parameter"):
        query.rows(5)
