"""Demo forum sessions and attendance with the patterns the program saw: the executives' circle thin and
uneven, better when the governor came, some agencies sending representatives, and one agency dropping out."""

import datetime as dt
import random
from collections.abc import Callable

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import KmRole, Organization, Person, Tambon
from core import bulk
from forums import summaries
from forums.interchange import column_defaults
from forums.models import Attendance, Circle, ForumSession

BATCH = 5000
Status = Attendance.Status

# How likely each agency's executives come to a forum (0–1), and how often, when they do not come themselves,
# they send someone instead. Written for the demo to show the program's lesson, not measured anywhere.
AGENCY_HABITS = {
    "CDD": (0.55, 0.20),
    "WU": (0.70, 0.05),
    "BAAC": (0.20, 0.45),
    "NFE": (0.30, 0.15),
    "DOAE": (0.25, 0.10),
    "CPD": (0.30, 0.20),
    "GHB": (0.10, 0.50),
    "NSTRU": (0.20, 0.10),
    "CODI": (0.45, 0.10),
}
DROPS_OUT = "CODI"  # stops coming after the first year
CHAIR_BOOST = 0.40  # executives come more when the governor is there
FIRST_DAY = dt.date(2005, 8, 1)
MONTHS = 32  # August 2548 to March 2551 BE

TITLES = {
    Circle.EUA: ("วงคุณเอื้อ: ทิศทางการหนุนเสริมองค์กรการเงินชุมชน", "วงคุณเอื้อ: ทบทวนแผนงานร่วมของภาคี",
                 "วงคุณเอื้อ: งบประมาณและการบูรณาการ", "วงคุณเอื้อ: ติดตามผลตำบลนำร่อง"),
    Circle.EUA_AMNUAY: ("วงคุณเอื้อ–คุณอำนวย: เครื่องมือถอดบทเรียน", "วงคุณเอื้อ–คุณอำนวย: การติดตามกลุ่มออมทรัพย์",
                        "วงคุณเอื้อ–คุณอำนวย: แผนขยายผลสู่ตำบลใหม่"),
    Circle.ALL: ("เวทีสามฝ่าย: การจัดสวัสดิการชุมชน", "เวทีสามฝ่าย: ระบบบัญชีกลุ่มออมทรัพย์",
                 "เวทีสามฝ่าย: การแก้หนี้ครัวเรือน", "เวทีสามฝ่าย: เชื่อมโยงเครือข่ายการเงินชุมชน"),
}  # fmt: skip
VENUES = ("ห้องประชุมศาลากลางจังหวัด", "ห้องรับรองผู้ว่าราชการจังหวัด", "มหาวิทยาลัยวลัยลักษณ์", "ที่ทำการองค์การบริหารส่วนตำบล")


class ForumDemoBuilder:
    def __init__(self, rng: random.Random, scale: str, progress: Callable[[str], None]):
        self.rng = rng
        self.scale = scale
        self.progress = progress
        self.session_number = 0
        self.pending_sessions: list[ForumSession] = []
        self.pending: list[tuple] = []
        self.rows = 0

    def build(self) -> dict:
        self.people = list(Person.objects.active().select_related("organization").order_by("code"))
        self.chair = next((p for p in self.people if p.is_chair), None)
        partners = {o.pk: o for o in Organization.objects.partners()}
        self.organization_ids = {o.code: o.pk for o in partners.values()}
        self.executives = [p for p in self.people if p.role == KmRole.EUA and p.organization_id in partners]
        self.facilitators = [
            p
            for p in self.people
            if p.role == KmRole.AMNUAY and p.organization.kind in ("agency", "province")
        ]
        self.practitioners: dict[str, list[Person]] = {}
        for person in self.people:
            if person.role == KmRole.KIT and person.tambon_id:
                self.practitioners.setdefault(person.tambon_id, []).append(person)
        tambons = list(Tambon.objects.in_program().order_by("code"))
        pilots = [t for t in tambons if t.is_pilot]

        # The attendance table's indexes and keys are set aside while its rows are written (core.bulk.BulkLoad).
        quiet = self.progress if self.scale == "province" else (lambda message: None)
        with bulk.BulkLoad(Attendance, quiet):
            self._write_forums(tambons, pilots)
        # The summaries below read the rows just loaded: with the tables' statistics from before the load, the
        # planner took a million attendance rows for none.
        bulk.analyze((Person, ForumSession, Attendance))
        self.progress("  agency turnout per session…")
        summaries.rebuild(progress=self.progress if self.scale == "province" else None)
        return {"sessions": self.session_number, "attendance": self.rows}

    def _write_forums(self, tambons, pilots):
        # The same timeline at both scales: the executives' circle meets as often in the pilot as in the province;
        # the province only adds the forums of its other tambons.
        months = MONTHS
        for month in range(months):
            day = _add_months(FIRST_DAY, month)
            self._session(Circle.EUA, None, day + dt.timedelta(days=self.rng.randint(5, 12)), month, months)
            if month % 2 == 0:
                tambon = pilots[(month // 2) % len(pilots)] if month % 4 == 0 else None
                self._session(Circle.EUA_AMNUAY, tambon, day + dt.timedelta(days=15), month, months)
            for tambon in tambons if self.scale == "province" else pilots:
                self._session(
                    Circle.ALL, tambon, day + dt.timedelta(days=self.rng.randint(16, 26)), month, months
                )
            if self.scale == "province" and month % 3 == 2:
                self.progress(
                    f"  month {month + 1}/{months}: {self.rows + len(self.pending):,} attendance rows"
                )
        self._planned_sessions(pilots)
        self._flush()

    # sessions --------------------------------------------------------------------------------------------
    def _session(self, circle, tambon, date, month, months):
        self.session_number += 1
        session = self._new_session(
            code=f"F-{date.year + 543}-{self.session_number:04d}",
            title=self.rng.choice(TITLES[circle]),
            circle=circle,
            tambon=tambon,
            date=date,
            start=dt.time(9, 30) if circle != Circle.EUA or self.rng.random() < 0.7 else dt.time(16, 0),
            end=dt.time(12, 0) if circle != Circle.EUA else dt.time(17, 30),
            venue=self.rng.choice(VENUES[:2]) if circle == Circle.EUA else self.rng.choice(VENUES[2:]),
            format=ForumSession.Format.INFORMAL
            if circle == Circle.EUA and self.rng.random() < 0.25
            else ForumSession.Format.FORMAL,
            organizer_id=self._organizer(circle),
            status=ForumSession.Status.CANCELLED if self.rng.random() < 0.04 else ForumSession.Status.HELD,
        )
        if session.status == ForumSession.Status.CANCELLED:
            return
        late_in_program = month >= months // 2
        chair_came = circle == Circle.EUA and self.rng.random() < 0.35
        invitees = self._invitees(circle, tambon)
        by_agency: dict[int, list[Person]] = {}
        for person in invitees:
            by_agency.setdefault(person.organization_id, []).append(person)
        for members in by_agency.values():
            code = members[0].organization.code
            if code in AGENCY_HABITS and members[0].role != KmRole.KIT:
                come, send = AGENCY_HABITS[code]
                if circle != Circle.EUA:
                    come = min(0.95, come + 0.25)  # field staff come more readily than executives
                if chair_came:
                    come = min(0.97, come + CHAIR_BOOST)
                if code == DROPS_OUT and late_in_program:
                    come, send = 0.03, 0.0
                self._agency_turnout(session, members, come, send)
            else:
                for person in members:
                    if person.is_chair:
                        self._add(session, person, Status.PRESENT if chair_came else Status.EXCUSED)
                    else:
                        self._person_mark(session, person, 0.65)
        # By primary key: comparing model instances one by one made the province build quadratic.
        invited_ids = {p.pk for p in invitees}
        if chair_came and self.chair and self.chair.pk not in invited_ids:
            self._add(session, self.chair, Status.PRESENT)
        if tambon and self.rng.random() < 0.5:
            locals_ = [p for p in self.practitioners.get(tambon.pk, []) if p.pk not in invited_ids]
            for person in self.rng.sample(locals_, min(len(locals_), self.rng.randint(1, 3))):
                self._add(session, person, Status.PRESENT, invited=False)

    def _organizer(self, circle):
        codes = ["CDD", "WU"] if circle != Circle.ALL else ["CDD", "NFE", "BAAC", "CPD"]
        return self.organization_ids[self.rng.choice(codes)]

    def _invitees(self, circle, tambon) -> list[Person]:
        people = list(self.executives)
        if self.chair:
            people.append(self.chair)
        if circle in (Circle.EUA_AMNUAY, Circle.ALL):
            people += [p for p in self.facilitators if p.tambon_id in (None, tambon.pk if tambon else None)]
        if circle == Circle.ALL:
            if tambon:
                people += self.practitioners.get(tambon.pk, [])
            else:
                for pilot in ("800106", "800114", "800119"):
                    people += self.practitioners.get(pilot, [])
        return people

    def _agency_turnout(self, session, members, come, send):
        if self.rng.random() < come:
            comers = self.rng.sample(members, self.rng.randint(1, len(members)))
            for person in members:
                if person in comers:
                    self._add(session, person, Status.LATE if self.rng.random() < 0.15 else Status.PRESENT)
                else:
                    self._add(session, person, Status.EXCUSED if self.rng.random() < 0.5 else Status.ABSENT)
        elif self.rng.random() < send:
            sender, *others = members
            stand_in = next(
                (
                    p
                    for p in self.facilitators
                    if p.organization_id == sender.organization_id and p not in members
                ),
                None,
            )
            self._add(
                session, sender, Status.REPRESENTED if stand_in else Status.ABSENT, representative=stand_in
            )
            for person in others:
                self._add(session, person, Status.ABSENT)
        else:
            for person in members:
                self._add(session, person, Status.EXCUSED if self.rng.random() < 0.3 else Status.ABSENT)

    def _person_mark(self, session, person, come):
        roll = self.rng.random()
        status = Status.PRESENT if roll < come else Status.LATE if roll < come + 0.05 else Status.ABSENT
        self._add(session, person, status)

    def _planned_sessions(self, pilots):
        """Two sessions ahead of today, so check-in, reminders and the calendar have something to show."""
        today = timezone.localdate()
        for offset, circle, tambon in (
            (7, Circle.EUA, None),
            (21, Circle.ALL, pilots[0] if pilots else None),
        ):
            self.session_number += 1
            date = today + dt.timedelta(days=offset)
            session = self._new_session(
                code=f"F-{date.year + 543}-{self.session_number:04d}",
                title=self.rng.choice(TITLES[circle]),
                circle=circle,
                tambon=tambon,
                date=date,
                start=dt.time(9, 30),
                end=dt.time(12, 0),
                venue=VENUES[0],
                organizer_id=self._organizer(circle),
            )
            for person in self._invitees(circle, tambon):
                self._add(session, person, Status.UNMARKED)

    # rows ------------------------------------------------------------------------------------------------
    # A million attendance rows as model instances and INSERTs took minutes: sessions are written in bulk (with
    # their history), attendance as plain tuples through COPY on PostgreSQL and executemany on SQLite.
    def _new_session(self, **fields) -> ForumSession:
        session = ForumSession(**fields)
        self.pending_sessions.append(session)
        return session

    def _add(self, session, person, status, invited=True, representative=None):
        self.pending.append(
            (
                session,
                person.pk,
                invited,
                status,
                representative.pk if representative and status == Status.REPRESENTED else None,
                _checked_in(session, status, self.rng),
                person.role,
                person.organization_id,
            )
        )
        if len(self.pending) >= BATCH:
            self._flush()

    def _flush(self):
        if self.pending_sessions:
            bulk_create_with_history(self.pending_sessions, ForumSession, batch_size=1000)
            self.pending_sessions = []
        if self.pending:
            now = timezone.now()
            write_attendance(
                [(s.pk, person, invited, "", status, rep, checked, role, org, 1, now)
                 for s, person, invited, status, rep, checked, role, org in self.pending]
            )  # fmt: skip
            self.rows += len(self.pending)
            self.pending = []


ATTENDANCE_COLUMNS = (
    "session_id", "person_id", "invited", "reply", "status", "representative_id", "checked_in_at", "role",
    "organization_id", "version", "updated_at",
)  # fmt: skip


def write_attendance(rows: list[tuple]) -> None:
    """Inserts attendance rows given as tuples in ATTENDANCE_COLUMNS order, without model instances (core.bulk)."""
    extra, defaults = column_defaults(Attendance, ["id", *ATTENDANCE_COLUMNS])
    if connection.vendor != "postgresql":
        # SQLite stores date-times as Django writes them (PostgreSQL's COPY reads them as they are).
        adapt = connection.ops.adapt_datetimefield_value
        rows = [(*row[:6], adapt(row[6]), *row[7:10], adapt(row[10])) for row in rows]
    bulk.insert_rows(
        Attendance._meta.db_table, [*ATTENDANCE_COLUMNS, *extra], [(*row, *defaults) for row in rows]
    )


def _checked_in(session, status, rng):
    if status not in Attendance.ATTENDED or session.start is None:
        return None
    minutes = rng.randint(-20, 5) if status == Status.PRESENT else rng.randint(10, 50)
    naive = dt.datetime.combine(session.date, session.start) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)
