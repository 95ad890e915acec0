"""Demo lesson notes with key lessons and embedded reports, written for the demo."""

import datetime as dt

from django.contrib.auth.models import User

from agencies.models import KmRole, Organization, Tambon
from forums.models import ForumSession
from lessons import search, services
from lessons.models import Collection, KeyLesson, LessonNote, Tag

NOTES = [
    {
        "title": "วงคุณเอื้อที่บางตา: เมื่อผู้บริหารมาไม่ครบ งานบูรณาการก็เดินช้า",
        "summary": "ทบทวนการประชุมวงคุณเอื้อหนึ่งปีแรก หน่วยงานที่มาต่อเนื่องมีไม่กี่แห่ง และหลายครั้งส่งผู้แทนที่ตัดสินใจไม่ได้",
        "collection": "integration",
        "tags": ["คุณเอื้อ", "การบูรณาการ"],
        "scope": {"from": "2005-08-01", "to": "2006-07-31", "circle": "eua", "tambon": None, "roles": None},
        "body": (
            "<p>ตลอดปีแรกของโครงการ วงคุณเอื้อนัดประชุมทุกเดือนที่ศาลากลางจังหวัด "
            "แต่ผู้บริหารที่มาด้วยตนเองมีไม่กี่หน่วยงาน และไม่ใช่หน่วยงานเดิมทุกครั้ง</p>"
            "<p>เมื่อหน่วยงานส่งผู้แทนมาแทน ผู้แทนมักรับเรื่องกลับไปรายงานก่อน "
            "ทำให้ข้อตกลงเรื่องการสนับสนุนองค์กรการเงินชุมชนตำบลบางจากและตำบลท่าไร่ต้องรอไปอีกรอบ</p>"
            "<ul><li>ครั้งที่ผู้ว่าราชการจังหวัดเป็นประธานเอง หน่วยงานมาครบกว่าครั้งอื่นอย่างเห็นได้ชัด</li>"
            "<li>หน่วยงานที่ขาดติดต่อกันหลายครั้ง ควรได้รับการติดตามเป็นรายหน่วยงาน</li></ul>"
        ),
        "lessons": [
            (
                KmRole.EUA,
                "การที่ผู้ว่าราชการจังหวัดมาเป็นประธานเอง ทำให้หน่วยงานภาคีมาพร้อมเพรียงขึ้น",
                "อัตราการเข้าร่วมในวงที่ผู้ว่าฯ มา สูงกว่าวงอื่นเกือบทุกหน่วยงาน",
            ),
            (KmRole.EUA, "ผู้แทนที่ตัดสินใจแทนหน่วยงานไม่ได้ ทำให้ข้อตกลงของวงล่าช้า", ""),
            (KmRole.AMNUAY, "คุณอำนวยควรสรุปประเด็นที่ต้องตัดสินใจส่งให้ผู้บริหารก่อนประชุม", ""),
        ],
    },
    {
        "title": "กองทุนสวัสดิการชุมชนตำบลบางจาก: จากเงินออมวันละบาทสู่สวัสดิการตั้งแต่เกิดจนตาย",
        "summary": "บทเรียนของคุณกิจในตำบลบางจาก เรื่องการออกแบบสวัสดิการให้สมาชิกรู้สึกเป็นเจ้าของ",
        "collection": "welfare",
        "tags": ["สวัสดิการชุมชน", "คุณกิจ"],
        "tambon": "800119",
        "scope": {"from": None, "to": None, "circle": "all", "tambon": "800119", "roles": None},
        "body": (
            "<p>องค์กรการเงินชุมชนตำบลบางจากเริ่มจากกลุ่มออมทรัพย์เล็ก ๆ "
            "สมาชิกตกลงกันเองว่าจะออมวันละหนึ่งบาท และใช้ดอกผลจัดสวัสดิการให้สมาชิก</p>"
            "<p>เวทีสามฝ่ายช่วยให้คุณกิจได้เล่าวิธีคิดของตนเองให้หน่วยงานฟัง "
            "แทนที่จะรอรับโครงการจากภายนอกเพียงอย่างเดียว</p>"
        ),
        "lessons": [
            (KmRole.KIT, "สวัสดิการที่สมาชิกออกแบบเองได้รับความร่วมมือมากกว่าสวัสดิการสำเร็จรูป", "สมาชิกเพิ่มขึ้นทุกไตรมาส"),
            (KmRole.AMNUAY, "คุณอำนวยควรตั้งคำถามให้คุณกิจเล่า มากกว่าบรรยายให้ฟัง", ""),
        ],
    },
    {
        "title": "ถอดบทเรียนการทำบัญชีกลุ่มออมทรัพย์ตำบลท่าไร่",
        "summary": "เครื่องมือบัญชีอย่างง่ายที่กรรมการกลุ่มทำเองได้ และบทบาทของหน่วยงานที่มาช่วยสอน",
        "collection": "welfare",
        "tags": ["บัญชีกลุ่ม", "คุณกิจ"],
        "tambon": "800106",
        "scope": None,
        "body": (
            "<p>กรรมการกลุ่มออมทรัพย์ท่าไร่เคยจดบัญชีในสมุดเล่มเดียว เมื่อสมาชิกมากขึ้นจึงตรวจสอบยาก</p>"
            "<ol><li>แยกสมุดเงินฝากกับสมุดเงินกู้</li><li>ปิดบัญชีทุกเดือนต่อหน้าสมาชิก</li>"
            "<li>ให้สมาชิกสองคนลงนามรับรองยอด</li></ol>"
        ),
        "lessons": [
            (KmRole.KIT, "การปิดบัญชีต่อหน้าสมาชิกทุกเดือนสร้างความเชื่อใจได้ดีกว่าการตรวจสอบปีละครั้ง", ""),
        ],
    },
]


def build_demo_notes() -> int:
    author = User.objects.filter(username="facilitator").first()
    if author is None:
        return 0
    collections = {
        "integration": Collection.objects.get_or_create(
            slug="integration", defaults={"name": "การบูรณาการภาคีหน่วยงาน"}
        )[0],
        "welfare": Collection.objects.get_or_create(
            slug="welfare", defaults={"name": "สวัสดิการและองค์กรการเงินชุมชน"}
        )[0],
    }
    eua_sessions = list(ForumSession.objects.held().filter(circle="eua").order_by("date")[:6])
    for index, data in enumerate(NOTES):
        note = LessonNote.objects.create(
            title=data["title"],
            slug=services.unique_slug(data["title"]),
            author=author,
            summary=data["summary"],
            body=data["body"],
            collection=collections[data["collection"]],
            report_scope=data["scope"],
        )
        for name in data["tags"]:
            tag, _ = Tag.objects.get_or_create(name=name, defaults={"slug": services.thai_slug(name)})
            note.tags.add(tag)
        if data.get("tambon"):
            note.tambons.add(Tambon.objects.get(code=data["tambon"]))
        if index == 0:
            note.sessions.set(eua_sessions)
            note.agencies.set(Organization.objects.partners())
        KeyLesson.objects.bulk_create(
            KeyLesson(note=note, order=order, role=role, text=text, evidence=evidence)
            for order, (role, text, evidence) in enumerate(data["lessons"])
        )
        search.refresh_search_text(note)
        services.publish(note)
        LessonNote.objects.filter(pk=note.pk).update(
            published_at=note.published_at - dt.timedelta(days=30 * (len(NOTES) - index))
        )
    return len(NOTES)
