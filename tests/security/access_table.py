"""Who may reach what: the expected answer of every URL of the portal, for every kind of visitor.

Read by tests/security/test_permission_matrix.py, which requests every URL pattern of the URL configuration
as each actor below and compares the answer with this table. A URL pattern without a row fails that test.

Keys
    The URL name ("forums:checkin"). Where the answer depends on the object, one row per sample object, the
    sample's label in brackets: "forums:checkin [in scope]". The sample objects (the "world") and which URL
    arguments point at them are in test_permission_matrix.py (build_world). Patterns without a name are keyed
    "<namespace>:(unnamed) <route>".

Actors
    anonymous        not logged in.
    coordinator      group coordinator; CoordinatorScope = the agency CDD and the tambon 800119. Sessions
                     [in scope] are organized by CDD, [in scope by tambon] organized by WU in 800119, [out of
                     scope] organized by WU in another tambon.
    facilitator      group facilitator (writes lesson notes); not the author of the other facilitator's notes.
    governor_office  group governor_office.
    administrator    group administrator with is_staff (reaches the Django admin), not a superuser.
    deactivated      an administrator with is_staff who logged in, then was deactivated (is_active False):
                     Django's ModelBackend refuses inactive users, so every request is an anonymous one. The
                     column defaults to the anonymous answer; the matrix test checks that nothing differs.

Answers
    200, 400 (the request reached the view and was refused as malformed: empty POST bodies), 403, 404, 405,
    LOGIN        302 to the portal's login page (/accounts/login/...),
    ADMIN_LOGIN  302 to the admin's login page (/admin/login/...),
    REDIRECT     302 anywhere else.

Methods
    Every URL is requested with GET (no query string unless the sample gives one). Rows that list POST are also
    requested with POST and an empty body: every view that refuses GET with 405 must have a POST row, and the
    portal's views that take both have one too (an empty form is answered 200 or 400 once access is granted).
    Each request runs in a transaction that is rolled back, so POSTs (publish, anonymize, log out...) change
    nothing for the next request.

The admin ("admin:" namespace)
    The non-model admin URLs (index, login, logout, password change, autocomplete, jsi18n, view_on_site,
    app_list, the final catch-all) have rows below; anonymous visitors of those are sent to ADMIN_LOGIN
    (AdminSite.get_urls gives them a login_url, which LoginRequiredMiddleware follows). The model URLs (admin:<app>_<model>_<changelist|add|change|
    delete|history|simple_history|password_change>, and the unnamed admin/<app>/<model>/<id>/ redirects) follow
    one rule, admin_rule():
      - anonymous and deactivated: LOGIN (LoginRequiredMiddleware runs before the admin and, unlike the admin
        site's own views, ModelAdmin views carry no login_url, so the middleware sends to the portal's login);
      - coordinator, facilitator, governor_office (not staff): ADMIN_LOGIN;
      - administrator: what ADMINISTRATOR_ADMIN_RIGHTS below grants on that model: changelist, change, history
        and simple_history need "view" (change pages are read-only without "change"), add needs "add", delete
        needs "delete", a user's password form needs "change"; otherwise 403. The unnamed <id>/ URL redirects
        to the change page (REDIRECT).
    An explicit row in TABLE wins over the rule. A model registered in the admin without an entry in
    ADMINISTRATOR_ADMIN_RIGHTS fails the test.
"""

OK = 200
BAD_REQUEST = 400
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405
GONE = 410
MOVED = 301
UNAUTHORIZED = 401
LOGIN = "302 to login"
ADMIN_LOGIN = "302 to admin login"
REDIRECT = "302"

GET = "GET"
POST = "POST"

ACTORS = ("anonymous", "coordinator", "facilitator", "governor_office", "administrator", "deactivated")


def answers(anonymous, coordinator, facilitator, governor_office, administrator, deactivated=None):
    return {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "facilitator": facilitator,
        "governor_office": governor_office,
        "administrator": administrator,
        "deactivated": anonymous if deactivated is None else deactivated,
    }


def members(answer, anonymous=LOGIN):
    """The same answer for the four roles; anonymous visitors are sent to log in."""
    return answers(anonymous, answer, answer, answer, answer)


def everyone(answer):
    return answers(answer, answer, answer, answer, answer)


def admin_only(answer=OK, anonymous=ADMIN_LOGIN):
    """Django admin pages: only staff (the administrator) gets in; other roles are sent to the admin's login.

    Anonymous visitors of the admin site's own views are sent to the admin's login too (AdminSite.get_urls
    gives them a login_url that LoginRequiredMiddleware follows); those of the model views, which have none,
    to the portal's login (see admin_rule)."""
    return answers(anonymous, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, answer)


# Answers shared by several rows --------------------------------------------------------------------------------

# A session's pages that change it or its attendance: forums.access.session_for_user(change=True).
_CHANGE_IN_SCOPE = answers(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK)
_CHANGE_OUT_OF_SCOPE = answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK)
_POST_CHANGE_IN_SCOPE = answers(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT)
_POST_CHANGE_OUT_OF_SCOPE = answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT)
_POST_ONLY = members(NOT_ALLOWED)

# Administrators only (PDPA export and erasure): 403 for anyone else, whether the code exists or not.
_PDPA = answers(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
_PDPA_UNKNOWN = answers(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND)

# analytics.view_dashboard: the governor's office and administrators.
_DASHBOARD = answers(LOGIN, FORBIDDEN, FORBIDDEN, OK, OK)

# lessons.add_lessonnote: facilitators and administrators.
_WRITERS = answers(LOGIN, FORBIDDEN, OK, FORBIDDEN, OK)


def _session_change(name, post_only=False, in_scope_post=None, out_of_scope_post=None):
    """Rows [in scope], [in scope by tambon] and [out of scope] of a view that changes a session. Views that
    take GET and POST get a POST row when in_scope_post is given (an empty form: 200 or 400 once access is
    granted)."""
    if post_only:
        in_scope = {GET: _POST_ONLY, POST: in_scope_post or _POST_CHANGE_IN_SCOPE}
        out_of_scope = {GET: _POST_ONLY, POST: out_of_scope_post or _POST_CHANGE_OUT_OF_SCOPE}
    else:
        in_scope = {GET: _CHANGE_IN_SCOPE}
        out_of_scope = {GET: _CHANGE_OUT_OF_SCOPE}
        if in_scope_post:
            in_scope[POST] = in_scope_post
            out_of_scope[POST] = out_of_scope_post
    return {
        f"{name} [in scope]": in_scope,
        f"{name} [in scope by tambon]": in_scope,
        f"{name} [out of scope]": out_of_scope,
    }


UNAUTHORIZED = 401


def _json_session_change(name, granted, post_only=False):
    in_scope = answers(UNAUTHORIZED, granted, FORBIDDEN, FORBIDDEN, granted)
    out_of_scope = answers(UNAUTHORIZED, NOT_FOUND, FORBIDDEN, FORBIDDEN, granted)
    method = POST if post_only else GET
    extra_in = {GET: everyone(NOT_ALLOWED)} if post_only else {}
    return {
        f"{name} [in scope]": {**extra_in, method: in_scope},
        f"{name} [in scope by tambon]": {**extra_in, method: in_scope},
        f"{name} [out of scope]": {**extra_in, method: out_of_scope},
    }


TABLE: dict[str, dict[str, dict[str, object]]] = {
    # The portal's own pages ------------------------------------------------------------------------------------
    "home": {GET: members(OK)},
    "healthz": {GET: everyone(OK)},
    "favicon": {GET: everyone(REDIRECT)},
    "privacy": {GET: everyone(OK)},
    # set_language answers GET with a redirect too (it only sets the cookie on POST).
    "set_language": {GET: everyone(REDIRECT), POST: everyone(REDIRECT)},
    # Logged-in users are sent home from the login page (redirect_authenticated_user).
    "accounts:login": {
        GET: answers(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        POST: answers(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    },
    # Log out by POST only; afterwards LOGOUT_REDIRECT_URL is the login page.
    "accounts:logout": {GET: _POST_ONLY, POST: everyone(LOGIN)},
    "accounts:password_change": {GET: members(OK), POST: members(OK)},
    "accounts:password_change_done": {GET: members(OK)},
    # Reference data: every role reads it (roles._READ_REFERENCE).
    "agencies:agency_list": {GET: members(OK)},
    "agencies:organization_detail": {GET: members(OK)},
    "agencies:tambon_list": {GET: members(OK)},
    "agencies:person_list": {GET: members(OK)},
    "agencies:person_detail": {GET: members(OK)},
    "agencies:person_detail [unknown]": {GET: members(NOT_FOUND)},
    "agencies:person_export_json": {GET: _PDPA},
    "agencies:person_export_json [unknown]": {GET: _PDPA_UNKNOWN},
    "agencies:person_export_csv": {GET: _PDPA},
    "agencies:person_export_csv [unknown]": {GET: _PDPA_UNKNOWN},
    "agencies:person_anonymize": {
        GET: _PDPA,
        POST: answers(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
    },
    "agencies:person_anonymize [unknown]": {GET: _PDPA_UNKNOWN, POST: _PDPA_UNKNOWN},
    # Forums ------------------------------------------------------------------------------------------------------
    "forums:session_list": {GET: members(OK)},
    "forums:session_create": {
        GET: answers(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK),
        POST: answers(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK),
    },
    "forums:my_calendar": {GET: members(OK)},
    # The check-in's service worker and web app manifest hold no data: open to all, like static files.
    "forums:checkin_service_worker": {GET: everyone(OK)},
    "forums:checkin_manifest": {GET: everyone(OK)},
    # Only accounts linked to a person have a calendar: in the world, the coordinator's and the facilitator's.
    "forums:renew_calendar": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND),
    },
    "forums:revoke_calendar": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND),
    },
    # The secret-address feed needs no login; a revoked address is gone.
    "forums:calendar_feed [live]": {GET: everyone(OK)},
    "forums:calendar_feed [revoked]": {GET: everyone(NOT_FOUND)},
    "forums:calendar_feed [unknown]": {GET: everyone(NOT_FOUND)},
    # The invitee's personal link needs no login: 410 once the session is over, 404 for a code that is no
    # invitation. Public calendar feeds of a circle or a tambon: anyone.
    "public:invitee_reply [expired]": {GET: everyone(GONE), POST: everyone(GONE)},
    "public:invitee_reply [unknown]": {GET: everyone(NOT_FOUND), POST: everyone(NOT_FOUND)},
    "public:invitee_calendar [expired]": {GET: everyone(GONE)},
    "public:invitee_calendar [unknown]": {GET: everyone(NOT_FOUND)},
    "public:circle_feed": {GET: everyone(OK)},
    "public:circle_feed [unknown]": {GET: everyone(NOT_FOUND)},
    "public:tambon_feed": {GET: everyone(OK)},
    "public:tambon_feed [unknown]": {GET: everyone(NOT_FOUND)},
    # Open data: anyone, read-only. The partner API ignores the portal login and wants its own bearer token.
    "open_data:index": {GET: everyone(OK)},
    "open_data:catalog": {GET: everyone(OK)},
    "api:openapi-json": {GET: everyone(OK)},
    "api:openapi-view": {GET: everyone(OK)},
    **{
        f"api:{name}": {GET: everyone(OK)}
        for name in ("sessions", "agencies", "trends", "tambons", "phases")
        for name in (name, f"{name}_csv")
        if name != "phases_csv"
    },
    "api:api-root": {GET: everyone(NOT_FOUND)},
    "api:partner_sessions": {GET: everyone(UNAUTHORIZED)},
    "api:partner_invitations": {GET: everyone(UNAUTHORIZED)},
    "api:partner_marks": {GET: everyone(NOT_ALLOWED), POST: everyone(UNAUTHORIZED)},
    # Reading a session: every role, whatever its scope.
    "forums:session_detail [in scope]": {GET: members(OK)},
    "forums:session_detail [in scope by tambon]": {GET: members(OK)},
    "forums:session_detail [out of scope]": {GET: members(OK)},
    "forums:session_detail [unknown]": {GET: members(NOT_FOUND)},
    "forums:sign_in_sheet [in scope]": {GET: members(OK)},
    "forums:sign_in_sheet [in scope by tambon]": {GET: members(OK)},
    "forums:sign_in_sheet [out of scope]": {GET: members(OK)},
    # Changing a session: coordinators of its scope (404 outside it) and administrators.
    # session_edit checks forums.change_forumsession itself before the session: 403 for the other roles.
    **_session_change(
        "forums:session_edit",
        in_scope_post=answers(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK),
        out_of_scope_post=answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    **_session_change(
        "forums:invitations",
        in_scope_post=answers(LOGIN, OK, FORBIDDEN, FORBIDDEN, OK),
        out_of_scope_post=answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK),
    ),
    **_session_change("forums:invite_proposed", post_only=True),
    **_session_change("forums:uninvite", post_only=True),
    **_session_change("forums:reply", post_only=True),
    **_session_change("forums:checkin"),
    # The check-in's JSON endpoints answer JSON, never the login page: 401 when logged out; an empty sync body is
    # refused with 400 once access is granted.
    **_json_session_change("forums:checkin_data", OK),
    **_json_session_change("forums:checkin_sync", BAD_REQUEST, post_only=True),
    # An empty walk-in form is refused with 400 once access is granted.
    **_session_change(
        "forums:walk_in",
        post_only=True,
        in_scope_post=answers(LOGIN, BAD_REQUEST, FORBIDDEN, FORBIDDEN, BAD_REQUEST),
        out_of_scope_post=answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, BAD_REQUEST),
    ),
    **_session_change(
        "forums:import_sheet",
        in_scope_post=answers(LOGIN, BAD_REQUEST, FORBIDDEN, FORBIDDEN, BAD_REQUEST),
        out_of_scope_post=answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, BAD_REQUEST),
    ),
    "forums:checkin [unknown]": {GET: answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND)},
    # QR codes: the venue's screen and the invitation slips (personal codes) are for those who record attendance.
    **_session_change("forums:venue_qr"),
    **_session_change("forums:personal_links"),
    "forums:invitation_slips [in scope]": {GET: _CHANGE_IN_SCOPE},
    # A session without invitees has no slips to print.
    "forums:invitation_slips [in scope by tambon]": {
        GET: answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND)
    },
    "forums:invitation_slips [out of scope]": {GET: _CHANGE_OUT_OF_SCOPE},
    # Personal links need no login: the signed code is the key; a forged one is not found. Self check-in of the
    # sample (a session 14 days ago) is outside its window: 403, on /i/<code>/checkin/. The venue page with an empty form: 400.
    # The personal page is public:invitee_reply; the link printed on the first slips moved there for good.
    "forums:old_personal_link [valid]": {GET: everyone(MOVED)},
    "public:invitee_checkin [valid]": {GET: everyone(NOT_ALLOWED), POST: everyone(FORBIDDEN)},
    "public:invitee_checkin [forged]": {GET: everyone(NOT_ALLOWED), POST: everyone(NOT_FOUND)},
    "forums:venue [valid]": {GET: everyone(OK), POST: everyone(BAD_REQUEST)},
    "forums:venue [forged]": {GET: everyone(NOT_FOUND), POST: everyone(NOT_FOUND)},
    "forums:representative [in scope]": {GET: _CHANGE_IN_SCOPE, POST: _CHANGE_IN_SCOPE},
    "forums:representative [out of scope]": {GET: _CHANGE_OUT_OF_SCOPE, POST: _CHANGE_OUT_OF_SCOPE},
    # An attendance row of another session, through a session the coordinator may change: not found.
    "forums:representative [foreign attendance]": {
        GET: answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
        POST: answers(LOGIN, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    },
    # Dashboard ------------------------------------------------------------------------------------------------
    "analytics:dashboard": {GET: _DASHBOARD},
    "analytics:agency_detail": {GET: _DASHBOARD},
    "analytics:export": {GET: _DASHBOARD},
    # The governor's monthly brief (PDF) reads the same figures.
    "reports:governor_brief": {GET: _DASHBOARD},
    # Lesson notes: published ones are public; drafts only for their author and administrators (404 for others).
    "lessons:note_list": {GET: everyone(OK)},
    "lessons:feed": {GET: everyone(OK)},
    "lessons:search": {GET: everyone(OK)},
    "lessons:knowledge_assets": {GET: everyone(OK)},
    "lessons:knowledge_booklet": {GET: everyone(OK)},
    "lessons:note_create": {GET: _WRITERS, POST: _WRITERS},
    # The editor's preview of a body as the server will store it: writers only.
    "lessons:body_preview": {GET: _POST_ONLY, POST: _WRITERS},
    # A note's files: for whoever may see the note (the draft's author is the other facilitator).
    "lessons:note_card [published]": {GET: everyone(OK)},
    "lessons:note_card [draft]": {GET: answers(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)},
    "lessons:attachment [published]": {GET: everyone(OK)},
    "lessons:attachment [draft]": {GET: answers(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)},
    # Adding and removing files: whoever may change the note.
    "lessons:attachment_add [published]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    },
    "lessons:attachment_delete [published]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    },
    "lessons:my_notes": {GET: _WRITERS},
    "lessons:note_detail [published]": {GET: everyone(OK)},
    "lessons:note_detail [draft]": {GET: answers(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK)},
    "lessons:note_detail [own draft]": {GET: answers(NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK)},
    "lessons:note_edit [published]": {
        GET: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    },
    "lessons:note_edit [draft]": {
        GET: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    },
    "lessons:note_edit [own draft]": {
        GET: answers(LOGIN, NOT_FOUND, OK, NOT_FOUND, OK),
        POST: answers(LOGIN, NOT_FOUND, OK, NOT_FOUND, OK),
    },
    # Any logged-in user comments on a published note.
    "lessons:comment_create [published]": {GET: _POST_ONLY, POST: members(REDIRECT)},
    "lessons:comment_create [draft]": {GET: _POST_ONLY, POST: answers(LOGIN, *[NOT_FOUND] * 4)},
    # The note's author (the other facilitator) and administrators moderate.
    "lessons:comment_moderate [published]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
    },
    "lessons:note_transition [published]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    },
    "lessons:note_transition [draft]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT),
    },
    "lessons:note_transition [own draft]": {
        GET: _POST_ONLY,
        POST: answers(LOGIN, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
    },
    # The Django admin: non-model URLs (model URLs: admin_rule) --------------------------------------------------
    "admin:index": {GET: admin_only()},
    "admin:app_list": {GET: admin_only()},
    # Open to anyone; logged-in staff are sent to the index, others see the form ("not authorized").
    "admin:login": {GET: answers(OK, OK, OK, OK, REDIRECT)},
    # The admin sends non-staff who ask to log out to its index; staff must POST.
    "admin:logout": {
        GET: answers(ADMIN_LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_ALLOWED),
        POST: answers(ADMIN_LOGIN, REDIRECT, REDIRECT, REDIRECT, LOGIN),
    },
    "admin:password_change": {GET: admin_only()},
    "admin:password_change_done": {GET: admin_only()},
    "admin:autocomplete": {GET: admin_only()},
    "admin:jsi18n": {GET: admin_only()},
    "admin:view_on_site": {GET: admin_only(REDIRECT)},
    "admin:(unnamed) admin/(?P<url>.*)$": {GET: admin_only(NOT_FOUND)},
    # Representative model URLs, as the rule gives them, written out.
    "admin:agencies_person_changelist": {GET: admin_only(OK, anonymous=LOGIN)},
    "admin:auth_group_changelist": {GET: admin_only(OK, anonymous=LOGIN)},
    "admin:auth_group_add": {GET: admin_only(FORBIDDEN, anonymous=LOGIN)},
    "admin:auth_user_delete": {GET: admin_only(FORBIDDEN, anonymous=LOGIN)},
}


# What the administrator group may do with each model in the admin. Written here, apart from accounts/roles.py,
# so that a change of the role's permissions shows up as a difference.
_ALL = frozenset({"view", "add", "change", "delete"})
ADMINISTRATOR_ADMIN_RIGHTS: dict[str, frozenset[str]] = {
    "auth.group": frozenset({"view"}),
    "auth.user": frozenset({"view", "add", "change"}),
    # Deleting an attempt unlocks the account; the logs are read-only.
    "axes.accessattempt": frozenset({"view", "delete"}),
    "axes.accesslog": frozenset({"view"}),
    "axes.accessfailurelog": frozenset({"view"}),
    "agencies.province": _ALL,
    "agencies.district": _ALL,
    "agencies.tambon": _ALL,
    "agencies.organization": _ALL,
    "agencies.person": _ALL,
    # The PDPA access log: read-only for everyone (PersonAccessLogAdmin).
    "agencies.personaccesslog": frozenset({"view"}),
    "forums.forumsession": _ALL,
    "forums.attendance": _ALL,
    "forums.calendarfeed": _ALL,
    "forums.reminder": _ALL,
    # Partner API tokens are issued and revoked, never deleted.
    "api.apitoken": frozenset({"view", "add", "change"}),
    "lessons.lessonnote": _ALL,
    "lessons.comment": _ALL,
    "lessons.collection": _ALL,
    "lessons.tag": _ALL,
}

_NEEDS = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    "simple_history": "view",
    "add": "add",
    "delete": "delete",
    "password_change": "change",
}


def admin_rule(model_label: str, kind: str) -> dict[str, dict[str, object]]:
    """The rows of an admin model URL (see the module docstring). kind is one of _NEEDS or "redirect"."""
    if model_label not in ADMINISTRATOR_ADMIN_RIGHTS:
        raise LookupError(
            f"add {model_label} to ADMINISTRATOR_ADMIN_RIGHTS in tests/security/access_table.py"
        )
    if kind == "redirect":
        return {GET: admin_only(REDIRECT, anonymous=LOGIN)}
    allowed = _NEEDS[kind] in ADMINISTRATOR_ADMIN_RIGHTS[model_label]
    return {GET: admin_only(OK if allowed else FORBIDDEN, anonymous=LOGIN)}
