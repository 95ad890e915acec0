"""The portal's four roles: Django groups and the permissions each holds.

The groups are created by a migration; their permissions are set from ROLE_PERMISSIONS after every migrate, so
the table below is the one place that says who may do what. Code never asks for a role by name: it asks for a
permission (`user.has_perm`, `perms.` in templates) through the access module of its app (agencies/access.py,
forums/access.py, analytics/access.py, lessons/services.py), and tests/security/test_access_layer.py fails when a
role name or `is_superuser` is checked anywhere else. Besides Django's add/change/delete/view permissions, the
table hands out these of the portal's own:

- `agencies.view_personal_data`: phone numbers in full rather than masked;
- `agencies.export_person`, `agencies.erase_person`: a person's PDPA export and erasure;
- `forums.change_any_forumsession`: every session, beyond a coordinator's scope (accounts.CoordinatorScope);
- `analytics.view_dashboard`: the dashboard and its exports;
- `lessons.change_any_lessonnote`: every note, not only one's own.
"""

from django.utils.translation import gettext_lazy as _

COORDINATOR = "coordinator"
FACILITATOR = "facilitator"
GOVERNOR_OFFICE = "governor_office"
ADMINISTRATOR = "administrator"
# The facilitator group's lead: a facilitator who also reviews and publishes the notes of the others. A group,
# not a per-user permission, so that this table stays the whole statement of who may do what.
FACILITATOR_LEAD = "facilitator_lead"

ROLE_LABELS = {
    COORDINATOR: _("Coordinator"),
    FACILITATOR: _("Facilitator (lesson writer)"),
    GOVERNOR_OFFICE: _("Governor's office"),
    ADMINISTRATOR: _("Administrator"),
    FACILITATOR_LEAD: _("Facilitator lead (reviews notes)"),
}

_READ_REFERENCE = [
    "agencies.view_province",
    "agencies.view_district",
    "agencies.view_tambon",
    "agencies.view_organization",
    "agencies.view_person",
]
_READ_FORUMS = ["forums.view_forumsession", "forums.view_attendance"]

# "app_label.codename" strings; "app_label.*" means every permission of that app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    COORDINATOR: [
        *_READ_REFERENCE,
        "agencies.add_person",
        "agencies.change_person",
        "agencies.add_organization",
        "agencies.change_organization",
        *_READ_FORUMS,
        "forums.add_forumsession",
        "forums.change_forumsession",
        "forums.add_attendance",
        "forums.change_attendance",
        "forums.delete_attendance",
    ],
    FACILITATOR: [
        *_READ_REFERENCE,
        *_READ_FORUMS,
        # Their own notes only: lessons.services checks the author.
        "lessons.view_lessonnote",
        "lessons.add_lessonnote",
        "lessons.change_lessonnote",
    ],
    FACILITATOR_LEAD: [
        *_READ_REFERENCE,
        *_READ_FORUMS,
        "lessons.view_lessonnote",
        "lessons.add_lessonnote",
        "lessons.change_lessonnote",
        # Reviews and publishes the notes of others, never their own (lessons.access.can_review).
        "lessons.publish_lessonnote",
    ],
    GOVERNOR_OFFICE: [*_READ_REFERENCE, *_READ_FORUMS, "analytics.view_dashboard"],
    ADMINISTRATOR: [
        "agencies.*",
        "forums.*",
        "analytics.*",
        "lessons.*",
        # Partner API tokens: issued and revoked (never deleted, so that who had access stays on record).
        "api.view_apitoken",
        "api.add_apitoken",
        "api.change_apitoken",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        # Failed logins and lockouts; deleting an attempt unlocks the account.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
    ],
}


def _resolve(permissions, patterns):
    wanted = permissions.none()
    for pattern in patterns:
        app_label, codename = pattern.split(".", 1)
        query = permissions.filter(content_type__app_label=app_label)
        if codename != "*":
            query = query.filter(codename=codename)
        wanted = wanted | query
    return wanted


def sync_role_permissions(sender=None, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    for name, patterns in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(_resolve(Permission.objects.db_manager(using), patterns))
