from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from agencies.forms import PersonFilterForm
from agencies.models import KmRole, Organization, Person, Tambon

PEOPLE_PER_PAGE = 50


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
@permission_required("agencies.view_organization", raise_exception=True)
def organization_detail(request, code):
    organization = get_object_or_404(Organization.objects.select_related("tambon"), code=code)
    people = organization.people.select_related("tambon").order_by("role", "-is_chair", "first_name")
    return render(
        request, "agencies/organization_detail.html", {"organization": organization, "people": people}
    )


@require_safe
@permission_required("agencies.view_tambon", raise_exception=True)
def tambon_list(request):
    tambons = (
        Tambon.objects.in_program()
        .select_related("district")
        .annotate(
            organization_count=Count("organizations", distinct=True),
            people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
        )
        .order_by("phase", "joined_on", "code")
    )
    community = Organization.objects.community().select_related("tambon").order_by("tambon", "name_th")
    return render(request, "agencies/tambon_list.html", {"tambons": tambons, "community": community})


@require_safe
@permission_required("agencies.view_person", raise_exception=True)
def person_list(request):
    form = PersonFilterForm(request.GET)
    people = Person.objects.select_related("organization", "tambon")
    if form.is_valid():
        people = form.filter(people)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agencies/person_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@require_safe
@permission_required("agencies.view_person", raise_exception=True)
def person_detail(request, code):
    person = get_object_or_404(Person.objects.select_related("organization", "tambon", "user"), code=code)
    return render(
        request,
        "agencies/person_detail.html",
        {"person": person, "duplicates": person.possible_duplicates().select_related("organization")},
    )
