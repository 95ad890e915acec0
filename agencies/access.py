"""Who may see and do what with people and organizations: the one place that says so.

Every rule is a permission from the role table (accounts/roles.py). The PDPA-sensitive ones are the Person
model's own permissions: `agencies.view_personal_data` (phone numbers unmasked), `agencies.export_person` and
`agencies.erase_person`.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from agencies.models import Organization, Person


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def may_see_personal_data(user) -> bool:
    """Phone numbers in full rather than masked (08x-xxx-1234)."""
    return bool(user is not None and user.is_authenticated and user.has_perm("agencies.view_personal_data"))


def may_read_attendance(user) -> bool:
    """Attendance is personal data of its own: a person's page shows their history only to those who may read
    attendance (the permission belongs to the forums app; agencies reads the name, not the app)."""
    return bool(user is not None and user.is_authenticated and user.has_perm("forums.view_attendance"))


def organization_for_user(user, code: str) -> Organization:
    """The organization with this code: 403 without the permission to read organizations, 404 if unknown."""
    _require(user, "agencies.view_organization")
    return get_object_or_404(Organization.objects.select_related("tambon"), code=code)


# What a person's pages show with them: read in the same query.
PERSON_RELATED = ("organization", "tambon", "user")


def person_for_user(user, code: str, *, related: bool = True) -> Person:
    """The person with this code, for anyone who may read people: 403 otherwise, 404 for an unknown code. With
    related=False their organization, tambon and account are not read with them (a page that caches what shows
    them reads them only when it draws it)."""
    _require(user, "agencies.view_person")
    people = Person.objects.select_related(*PERSON_RELATED) if related else Person.objects
    return get_object_or_404(people, code=code)


def person_for_export(user, code: str) -> Person:
    """The person with this code, for someone who may export everything held about people: 403 for anyone else
    (whether the code exists or not), 404 for an unknown code."""
    _require(user, "agencies.export_person")
    return get_object_or_404(Person.objects.select_related(*PERSON_RELATED), code=code)


def person_for_erasure(user, code: str) -> Person:
    """The same, for someone who may erase people's personal data."""
    _require(user, "agencies.erase_person")
    return get_object_or_404(Person.objects.select_related(*PERSON_RELATED), code=code)
