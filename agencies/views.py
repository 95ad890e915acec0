import functools
import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from agencies import access, pdpa
from agencies import cache as agency_cache
from agencies.forms import PersonFilterForm
from agencies.models import KmRole, Organization, Person, PersonAccessLog, Tambon
from core.paging import KnownCount, PagedByKeys

PEOPLE_PER_PAGE = 50
HISTORY_PER_PAGE = 20
COMMUNITY_PER_PAGE = 50


@require_safe
@permission_required("agencies.view_organization", raise_exception=True)
def agency_list(request):
    role_counts = {
        role: Count("people", filter=Q(people__role=role, people__is_active=True)) for role in KmRole.values
    }
    agencies = Organization.objects.filter(
        kind__in=(Organization.Kind.AGENCY, Organization.Kind.PROVINCE)
    ).annotate(**role_counts)
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "roles": KmRole})


@require_safe
def organization_detail(request, code):
    organization = access.organization_for_user(request.user, code)
    people = organization.people.select_related("tambon").order_by("role", "-is_chair", "first_name")
    return render(
        request, "agencies/organization_detail.html", {"organization": organization, "people": people}
    )


def _count_per_tambon(rows):
    # Counting the tambon column itself (never null in these rows) lets the database read its index alone.
    counted = (
        rows.filter(tambon=OuterRef("pk")).order_by().values("tambon").annotate(n=Count("tambon")).values("n")
    )
    return Coalesce(Subquery(counted), 0)


@require_safe
@permission_required("agencies.view_tambon", raise_exception=True)
def tambon_list(request):
    """The program's tambons with their counts, and the community organizations a page at a time: the whole
    content is cached under the agencies' data version (agencies/cache.py) and the language; the querysets below
    are read only when it is not."""
    tambons = (
        Tambon.objects.in_program()
        .select_related("district")
        # A count per tambon from each table, not one join of both: that join multiplied each tambon's
        # organizations by its people before counting them.
        .annotate(
            organization_count=_count_per_tambon(Organization.objects.all()),
            people_count=_count_per_tambon(Person.objects.filter(is_active=True)),
        )
        .order_by("phase", "joined_on", "code")
    )
    community = (
        Organization.objects.community().select_related("tambon").order_by("tambon", "name_th", "code")
    )
    page_number = request.GET.get("page") or "1"

    @functools.cache
    def community_page():
        # A province has thousands of community organizations: a page at a time.
        return Paginator(community, COMMUNITY_PER_PAGE).get_page(page_number)

    return render(
        request,
        "agencies/tambon_list.html",
        {
            "tambons": tambons,
            "community_page": community_page,
            "page_number": page_number,
            "version": agency_cache.version(),
            "cache_seconds": agency_cache.SECONDS,
        },
    )


def _people_count(people, data: dict) -> int:
    """How many people a filter of the list finds, cached under the agencies' data version: counting the
    province's active people cost more than the rest of the page."""
    described = "|".join(f"{name}={getattr(value, 'pk', value)}" for name, value in sorted(data.items()))
    digest = hashlib.blake2b(described.encode(), digest_size=16).hexdigest()
    return agency_cache.cached(f"people-count:{digest}", people.count)


@require_safe
@permission_required("agencies.view_person", raise_exception=True)
def person_list(request):
    """The same list for everyone who may read people: the filter form and the page are cached whole under the
    agencies' data version, the language and the address, for PERSONAL_SECONDS (it shows names); the form is
    validated and the page read only when they are not."""
    form = PersonFilterForm(request.GET)

    @functools.cache
    def page():
        people = Person.objects.select_related("organization", "tambon")
        rows = people
        if form.is_valid():
            people = form.filter(people)
            rows = KnownCount(people, _people_count(people, form.cleaned_data))
        return Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))

    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "version": agency_cache.version(),
        "address": request.GET.urlencode(),
        "cache_seconds": agency_cache.PERSONAL_SECONDS,
    }
    return render(request, "agencies/person_list.html", context)


@require_safe
def person_detail(request, code):
    """A person and their attendance history. The access is checked and logged on every request; the content is
    cached under the person page's version (agencies.cache: places, people and attendance figures), the page of
    the history, the language and what the reader's permissions show."""
    person = access.person_for_user(request.user, code, related=False)
    pdpa.log_access(request.user, person)
    user = request.user
    # Attendance is personal data of its own: only those who may read attendance see the history.
    reads_attendance = access.may_read_attendance(user)

    @functools.cache
    def history():
        if not reads_attendance:
            return None
        rows = person.attendances.select_related("session", "organization", "representative").order_by(
            "-session__date", "-session__code"
        )
        return Paginator(PagedByKeys(rows), HISTORY_PER_PAGE).get_page(request.GET.get("page"))

    reader = "".join(
        "1" if allowed else "0"
        for allowed in (
            reads_attendance,
            access.may_see_personal_data(user),
            user.has_perm("agencies.export_person"),
            user.has_perm("agencies.erase_person"),
        )
    )
    context = {
        "person": person,
        # with their organization, tambon and account, when the page is drawn
        "drawn": functools.cache(
            lambda: Person.objects.select_related(*access.PERSON_RELATED).get(pk=person.pk)
        ),
        "duplicates": functools.cache(
            lambda: list(person.possible_duplicates().select_related("organization"))
        ),
        "history": history,
        "version": agency_cache.person_page_version(),
        "reader": reader,
        "page_number": request.GET.get("page") or "1",
        "cache_seconds": agency_cache.PERSONAL_SECONDS,
    }
    return render(request, "agencies/person_detail.html", context)


@never_cache
@require_safe
def person_export_json(request, code):
    person = access.person_for_export(request.user, code)
    pdpa.log_access(request.user, person, PersonAccessLog.Action.EXPORT_JSON)
    body = json.dumps(pdpa.personal_data(person), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"person-{person.code}.json")
    return response


@never_cache
@require_safe
def person_export_csv(request, code):
    person = access.person_for_export(request.user, code)
    pdpa.log_access(request.user, person, PersonAccessLog.Action.EXPORT_CSV)
    body = pdpa.personal_data_csv(pdpa.personal_data(person))
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"person-{person.code}.csv")
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def person_anonymize(request, code):
    """GET asks for confirmation; POST erases the person by anonymization (agencies.pdpa.anonymize)."""
    person = access.person_for_erasure(request.user, code)
    if request.method == "POST" and person.anonymized_at is None:
        with transaction.atomic():
            pdpa.log_access(request.user, person, PersonAccessLog.Action.ANONYMIZE)
            pdpa.anonymize(person)
        # The old code is not repeated: it is one of the things erased.
        messages.success(request, _("Personal data erased; the attendance figures are kept."))
        return redirect("agencies:person_detail", code=person.code)
    if person.anonymized_at is not None:
        return redirect("agencies:person_detail", code=person.code)
    return render(request, "agencies/person_anonymize.html", {"person": person})
