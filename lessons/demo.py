"""Demo lesson notes with key lessons and embedded reports, written for the demo.

Only the note about the elders' welfare fund uses the word ความสุข: a search for it must find that note alone."""

import datetime as dt

from django.contrib.auth.models import User

from agencies.models import KmRole, Organization, Tambon
from forums.models import ForumSession
from lessons import services
from lessons.models import Collection, LessonNote

NOTES = [
    {
        "title": "วงผู้บริหารประจำไตรมาส: ประธานมาเอง ภาคีก็มาครบ",
        "summary": "ย้อนดูการประชุมวงคุณเอื้อปีแรก หน่วยงานใดมาสม่ำเสมอ และการส่งผู้แทนทำให้มติค้างอย่างไร",
        "collection": "integration",
        "tags": ["คุณเอื้อ", "การบูรณาการ"],
        "scope": {"from": "2005-08-01", "to": "2006-07-31", "circle": "eua", "tambon": None, "roles": None},
        "body": (
            "<p>วงคุณเอื้อนัดพบกันที่ศาลากลางจังหวัดทุกไตรมาส ครั้งที่ผู้ว่าราชการจังหวัดนั่งเป็นประธานเอง "
            "หัวหน้าหน่วยงานมาด้วยตนเองเกือบทุกแห่ง ส่วนครั้งอื่นมักเป็นผู้แทนที่ต้องกลับไปขออนุมัติก่อน</p>"
            "<p>เรื่องที่ค้างนานที่สุดคือการจัดสรรงบสนับสนุนองค์กรการเงินชุมชนตำบลท่าไร่ "
            "ซึ่งต้องรอมติถึงสามรอบ เพราะผู้แทนของ ธ.ก.ส. และสหกรณ์จังหวัดไม่ได้รับมอบอำนาจ</p>"
            "<ul><li>ส่งวาระและเอกสารล่วงหน้าหนึ่งสัปดาห์ ผู้บริหารจึงมอบอำนาจให้ผู้แทนได้ทัน</li>"
            "<li>ผู้ประสานงานของแต่ละหน่วยงานโทรยืนยันการเข้าร่วมก่อนวันประชุม</li></ul>"
        ),
        "lessons": [
            (
                KmRole.EUA,
                "เมื่อผู้ว่าราชการจังหวัดเป็นประธานเอง หัวหน้าหน่วยงานภาคีมาด้วยตนเองมากขึ้นอย่างชัดเจน",
                "อัตราการมาด้วยตนเองในวงที่มีผู้ว่าฯ เป็นประธานสูงกว่าวงอื่นในเกือบทุกหน่วยงาน",
            ),
            (KmRole.EUA, "ผู้แทนที่ไม่ได้รับมอบอำนาจทำให้มติของวงล่าช้าออกไปหลายเดือน", ""),
            (KmRole.AMNUAY, "คุณอำนวยควรส่งสรุปประเด็นที่ต้องตัดสินใจถึงผู้บริหารก่อนวันประชุม", ""),
        ],
    },
    {
        "title": "กองทุนสวัสดิการผู้สูงอายุตำบลบางจาก: ออมวันละบาท คืนความสุขให้ทั้งหมู่บ้าน",
        "summary": "คุณกิจในตำบลบางจากออกแบบสวัสดิการเองตั้งแต่เกิดจนตาย สมาชิกรู้สึกเป็นเจ้าของกองทุน",
        "collection": "welfare",
        "tags": ["สวัสดิการชุมชน", "คุณกิจ"],
        "tambon": "800119",
        "scope": {"from": None, "to": None, "circle": "all", "tambon": "800119", "roles": None},
        "body": (
            "<p>กองทุนเริ่มจากสมาชิกสามสิบคนที่ตกลงออมวันละหนึ่งบาท ดอกผลทั้งหมดจ่ายเป็นสวัสดิการ "
            "เช่น ค่าคลอดบุตร ค่ารักษาพยาบาล และเงินช่วยงานศพ</p>"
            "<p>ผู้สูงอายุที่รับเงินสวัสดิการเล่าว่าเงินไม่มากแต่ได้ความสุขที่เพื่อนบ้านไม่ลืมกัน "
            "ในเวทีสามฝ่ายคุณกิจได้เล่าวิธีคิดของตนเอง แทนที่จะรอรับโครงการจากข้างนอก</p>"
        ),
        "lessons": [
            (
                KmRole.KIT,
                "สวัสดิการที่สมาชิกออกแบบเองได้รับความร่วมมือมากกว่าแบบสำเร็จรูปจากหน่วยงาน",
                "สมาชิกเพิ่มจาก ๓๐ คนเป็น ๑๘๐ คนในสองปี",
            ),
            (KmRole.AMNUAY, "คุณอำนวยตั้งคำถามให้คุณกิจเล่า ได้เรื่องมากกว่าการบรรยาย", ""),
        ],
    },
    {
        "title": "บัญชีกลุ่มออมทรัพย์ตำบลท่าไร่ที่กรรมการทำเองได้",
        "summary": "สมุดบัญชีแยกเล่ม การปิดบัญชีต่อหน้าสมาชิก และบทบาทของผู้ตรวจสอบบัญชีจากสหกรณ์จังหวัด",
        "collection": "welfare",
        "tags": ["บัญชีกลุ่ม", "คุณกิจ"],
        "tambon": "800106",
        "scope": None,
        "body": (
            "<p>กรรมการกลุ่มออมทรัพย์ท่าไร่เคยจดทุกอย่างในสมุดเล่มเดียว เมื่อสมาชิกเกินร้อยคนจึงหายอดไม่ตรงบ่อยครั้ง "
            "ผู้ตรวจสอบบัญชีจากสหกรณ์จังหวัดมาช่วยวางระบบใหม่ในปี ๒๕๔๙</p>"
            "<ol><li>แยกสมุดเงินฝากออกจากสมุดเงินกู้</li><li>ปิดบัญชีทุกสิ้นเดือนต่อหน้าสมาชิก</li>"
            "<li>ให้สมาชิกสองคนลงชื่อรับรองยอดคงเหลือ</li></ol>"
        ),
        "lessons": [
            (
                KmRole.KIT,
                "การปิดบัญชีต่อหน้าสมาชิกทุกเดือนสร้างความเชื่อใจได้ดีกว่ารอการตรวจปีละครั้ง",
                "ข้อร้องเรียนเรื่องยอดเงินหายไปหลังใช้วิธีนี้ได้หกเดือน",
            ),
            (KmRole.AMNUAY, "ให้กรรมการสอนกันเองหลังได้รับการอบรม ความรู้จึงอยู่กับกลุ่ม", ""),
        ],
    },
    {
        "title": "การออมทรัพย์กับหนี้นอกระบบ: บทเรียนจากเวทีสามฝ่ายมะม่วงสองต้น",
        "summary": "ธกส กองทุนหมู่บ้าน และกลุ่มออมทรัพย์นั่งคุยกันครั้งแรก เรื่องการรวมหนี้ของสมาชิก",
        "collection": "integration",
        "tags": ["หนี้นอกระบบ", "การบูรณาการ"],
        "tambon": "800114",
        "scope": {"from": None, "to": None, "circle": "eua_amnuay", "tambon": "800114", "roles": None},
        "body": (
            "<p>สมาชิกหลายครอบครัวกู้เงินนอกระบบดอกเบี้ยสูง เวทีจึงชวนธนาคาร กองทุนหมู่บ้าน "
            "และกลุ่มออมทรัพย์มาวางแผนรวมหนี้ด้วยกัน</p>"
            "<p>ข้อตกลงสำคัญคือให้ผู้ประสานงานตำบลทำบัญชีรายชื่อลูกหนี้ร่วมกัน เพื่อไม่ให้ใครกู้ซ้ำซ้อนหลายแหล่ง</p>"
        ),
        "lessons": [
            (
                KmRole.AMNUAY,
                "การให้ทุกหน่วยงานเห็นตัวเลขหนี้ชุดเดียวกันทำให้ตกลงแผนรวมหนี้ได้ในเวทีเดียว",
                "",
            ),
            (KmRole.EUA, "ผู้บริหารต้องรับรองข้อตกลงข้ามหน่วยงานเป็นลายลักษณ์อักษร", ""),
        ],
    },
]


def build_demo_notes() -> int:
    """Writes the demo notes through the one save path and publishes them as the demo administrator (a
    reviewer, not their author)."""
    author = User.objects.filter(username="facilitator").first()
    reviewer = User.objects.filter(username="admin").first()
    if author is None or reviewer is None:
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
        note = LessonNote(
            title=data["title"],
            author=author,
            summary=data["summary"],
            body=data["body"],
            collection=collections[data["collection"]],
            report_scope=data["scope"],
        )

        def save_related(saved, data=data, index=index):
            if data.get("tambon"):
                saved.tambons.add(Tambon.objects.get(code=data["tambon"]))
            if index == 0:
                saved.sessions.set(eua_sessions)
                saved.agencies.set(Organization.objects.partners())

        services.save_note(
            note, save_related=save_related, key_lessons=data["lessons"], tag_names=data["tags"]
        )
        services.submit(note, author)
        services.publish(note, reviewer)
        LessonNote.objects.filter(pk=note.pk).update(
            published_at=note.published_at - dt.timedelta(days=30 * (len(NOTES) - index))
        )
    return len(NOTES)
