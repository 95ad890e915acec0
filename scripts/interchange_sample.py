"""Writes a made-up set of interchange files (version 2) of province scale, for measuring import_km.

    python scripts/interchange_sample.py DIR [--attendance 1000000]

People change role and organization now and then (the attendance rows carry the role and organization at the
session), sessions carry agenda and minutes, check-in times have their offset. Deterministic for a given size.
"""

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

AGENCIES = ["CDD", "WU", "BAAC", "NFE", "DOAE", "CPD", "GHB", "NSTRU", "CODI"]
TAMBONS = ["800106", "800114", "800119"]
ROLES = ["eua", "amnuay", "kit"]
PER_SESSION = 200


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--attendance", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = random.Random(2549)
    directory = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    n_sessions = max(1, args.attendance // PER_SESSION)
    n_people = max(PER_SESSION * 2, args.attendance // 40)

    def writer(name, header):
        file = (directory / name).open("w", encoding="utf-8", newline="")
        out = csv.writer(file, lineterminator="\n")
        out.writerow(header)
        return file, out

    organizations = [f"CFO-{n:05d}" for n in range(max(3, n_people // 50))]
    file, out = writer("organizations.csv", ["code", "name", "kind", "tambon"])
    with file:
        for n, code in enumerate(organizations):
            out.writerow((code, f"กลุ่มออมทรัพย์เพื่อการผลิต บ้านที่ {n}", "savings_group", TAMBONS[n % 3]))

    people = []
    file, out = writer(
        "people.csv",
        ["code", "title", "first_name", "last_name", "role", "organization", "tambon", "position", "is_chair",
         "phone", "email"],
    )  # fmt: skip
    with file:
        for n in range(n_people):
            role = ROLES[n % 3]
            organization = rng.choice(AGENCIES) if role != "kit" else rng.choice(organizations)
            people.append((f"P{n:07d}", role, organization))
            out.writerow(
                (f"P{n:07d}", "นาง" if n % 2 else "นาย", f"สมชาย{n}", "ใจดีมีสุข", role, organization,
                 TAMBONS[n % 3] if role == "kit" else "", "สมาชิกกลุ่ม", "0", f"08{n % 100000000:08d}", "")
            )  # fmt: skip

    file, out = writer(
        "sessions.csv",
        ["code", "title", "date", "start", "circle", "tambon", "format", "status", "organizer", "venue", "end",
         "agenda", "minutes", "note_taker"],
    )  # fmt: skip
    first = dt.date(2005, 8, 1)
    sessions = []
    with file:
        for n in range(n_sessions):
            date = first + dt.timedelta(days=n * 3650 // n_sessions)
            code = f"F-{n:06d}"
            sessions.append((code, date))
            out.writerow(
                (code, f"เวทีแลกเปลี่ยนเรียนรู้ ครั้งที่ {n}", date.isoformat(), "09:00", "all", TAMBONS[n % 3],
                 "formal", "held", rng.choice(AGENCIES), "ศาลาประชาคม", "12:00", "1. ทบทวน\n2. วางแผน",
                 "สรุปการประชุม", people[n % len(people)][0])
            )  # fmt: skip

    file, out = writer(
        "attendance.csv",
        ["session", "person", "invited", "status", "representative", "role", "organization", "reply",
         "checked_in_at"],
    )  # fmt: skip
    statuses = ["present", "present", "late", "absent", "excused"]
    with file:
        for n, (code, date) in enumerate(sessions):
            start = (n * PER_SESSION) % (len(people) - PER_SESSION)
            for person, role, organization in people[start : start + PER_SESSION]:
                status = rng.choice(statuses)
                if rng.random() < 0.05:  # the person held another role or organization then
                    role = rng.choice(ROLES)
                checked = (
                    f"{date.isoformat()}T09:{rng.randrange(60):02d}:00+07:00" if status != "absent" else ""
                )
                out.writerow((code, person, "1", status, "", role, organization, "accepted", checked))


if __name__ == "__main__":
    main()
