"""The body of a lesson note: sanitizing against XSS payloads, pasted Word HTML, plain text, idempotence."""

import pytest
from bs4 import BeautifulSoup

from lessons.richtext import ALLOWED_TAGS, clean_html, plain_text, render_body, text_to_html

XSS_PAYLOADS = [
    # Script elements, spelled every way a parser might accept.
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="https://evil.example/x.js"></script>',
    "<script/src=data:,alert(1)></script>",
    "<script\n>alert(1)</script\n>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<p>text<script type="text/javascript">document.cookie</script></p>',
    "<script>alert(1)",
    # Event handlers on elements that are not allowed…
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<img/src=x/onerror=alert(1)>",
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    # …and on elements that are.
    "<p onclick=alert(1)>click</p>",
    '<a href="https://example.org" onmouseover="alert(1)">hover</a>',
    "<b onmouseover=alert(1)>bold</b>",
    '<li onfocus="alert(1)" tabindex=0>item</li>',
    "<strong OnClick=alert(1)>x</strong>",
    # javascript: and data: links with case, entity and whitespace tricks.
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="//evil.example/">protocol-relative</a>',
    '<a href="/relative">relative</a>',
    '<a title="x" href="https://ok.example" style="color:red">styled</a>',
    # Embedded content.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    # Styles.
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<b style="background:url(javascript:alert(1))">x</b>',
    '<p style="width:expression(alert(1))">x</p>',
    '<div style="behavior:url(x.htc)">x</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    # Namespace confusion.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<math><style><img src=x onerror=alert(1)></style></math>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<template><script>alert(1)</script></template>",
    # Forms, meta refresh, base.
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<form><input type=submit formaction="javascript:alert(1)"></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    # Breaking out of attribute quotes, comments, CDATA.
    '<a href="https://ok.example" title="x" onclick="alert(1)" x="">x</a>',
    '<a href="https://ok.example" title=\'"><script>alert(1)</script>\'>x</a>',
    '<p title="a"onmouseover="alert(1)">x</p>',
    '<a href="https://ok.example"title=""onclick=alert(1)>x</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><script>alert(1)</script>",
]

FORBIDDEN_ELEMENTS = [
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "math",
    "form",
    "meta",
    "link",
    "img",
]


def assert_safe(html):
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find_all(FORBIDDEN_ELEMENTS) == []
    for element in soup.find_all(True):
        assert element.name in ALLOWED_TAGS
        for attribute in element.attrs:
            assert not attribute.lower().startswith("on"), (element, attribute)
            assert attribute != "style", element
        if element.name == "a" and element.has_attr("href"):
            assert element["href"].lower().startswith(("http:", "https:", "mailto:")), element
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_by_clean_html(payload):
    assert_safe(clean_html(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payload_is_neutralised_by_render_body_and_stays_so(payload):
    body = render_body(payload)
    assert_safe(body)
    assert render_body(body) == body


def test_payload_list_is_long_enough():
    assert len(set(XSS_PAYLOADS)) >= 40


def parse(html):
    return BeautifulSoup(html, "html.parser")


def test_paragraphs_lists_bold_and_links_are_kept():
    body = clean_html(
        "<p>การออม <strong>สำคัญ</strong> และ <b>ต่อเนื่อง</b> <em>ทุกเดือน</em></p>"
        "<ul><li>หนึ่ง</li><li>สอง</li></ul>"
        "<ol><li>ขั้นแรก</li><li>ขั้นที่สอง</li></ol>"
        '<p><a href="https://example.org/report" title="รายงาน">รายงาน</a>'
        ' <a href="mailto:km@example.org">อีเมล</a></p>'
    )
    soup = parse(body)
    assert soup.p.get_text() == "การออม สำคัญ และ ต่อเนื่อง ทุกเดือน"
    assert soup.strong.get_text() == "สำคัญ" and soup.b.get_text() == "ต่อเนื่อง"
    assert [li.get_text() for li in soup.ul.find_all("li")] == ["หนึ่ง", "สอง"]
    assert [li.get_text() for li in soup.ol.find_all("li")] == ["ขั้นแรก", "ขั้นที่สอง"]
    report, mail = soup.find_all("a")
    assert report.attrs == {
        "href": "https://example.org/report",
        "title": "รายงาน",
        "rel": ["noopener", "noreferrer"],
    }
    assert mail["href"] == "mailto:km@example.org"


def test_headings_and_quotes_are_kept_and_other_heading_levels_fold_into_them():
    soup = parse(
        clean_html("<h1>ใหญ่</h1><h3>หัวข้อ</h3><h4>ย่อย</h4><h6>เล็ก</h6><blockquote><p>คำพูด</p></blockquote>")
    )
    assert [(h.name, h.get_text()) for h in soup.find_all(["h3", "h4"])] == [
        ("h3", "ใหญ่"),
        ("h3", "หัวข้อ"),
        ("h4", "ย่อย"),
        ("h4", "เล็ก"),
    ]
    assert soup.blockquote.p.get_text() == "คำพูด"


def test_editor_divs_become_paragraphs_and_empty_lines_go():
    body = clean_html("บรรทัดแรก<div>สอง<br></div><div><br></div><div>สาม</div><p>&nbsp;</p><p> </p>")
    assert [p.get_text() for p in parse(body).find_all("p")] == ["บรรทัดแรก", "สอง", "สาม"]
    assert "<p></p>" not in body


def test_div_holding_paragraphs_is_unwrapped_not_nested():
    body = clean_html("<div><p>หนึ่ง</p><p>สอง</p></div>")
    assert body == "<p>หนึ่ง</p><p>สอง</p>"


def test_sublist_written_by_indent_command_moves_into_its_item():
    body = clean_html("<ul><li>ก</li><ul><li>ข</li></ul><li>ค</li></ul>")
    assert body == "<ul><li>ก<ul><li>ข</li></ul></li><li>ค</li></ul>"


def test_bold_around_paragraphs_is_moved_inside_them():
    assert clean_html("<b><p>หนึ่ง</p><p>สอง</p></b>") == "<p><b>หนึ่ง</b></p><p><b>สอง</b></p>"


def test_link_without_allowed_href_keeps_its_text_only():
    body = clean_html('<p>ดู <a href="javascript:alert(1)">ที่นี่</a></p>')
    assert body == "<p>ดู ที่นี่</p>"


WORD_HTML = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15 (filtered)">
<!--[if gte mso 9]><xml>
 <w:WordDocument>
  <w:View>Normal</w:View>
  <w:Zoom>0</w:Zoom>
 </w:WordDocument>
</xml><![endif]-->
<style>
<!--
 /* Style Definitions */
 p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:16.0pt;
	font-family:"TH SarabunPSK",sans-serif;}
-->
</style>
</head>
<body lang=TH style='tab-interval:36.0pt;word-wrap:break-word'>
<!--StartFragment-->
<div class=WordSection1>
<p class=MsoNormal><b><span lang=TH style='font-size:18.0pt;font-family:"TH SarabunPSK",sans-serif'>บทเรียนจากเวที
ครั้งที่ ๓</span></b><span lang=EN-US style='font-size:18.0pt'><o:p></o:p></span></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal style='text-indent:36.0pt'><span lang=TH style='font-family:"TH SarabunPSK",sans-serif'>กลุ่มออมทรัพย์ตำบลนาเคียน
เริ่มจากสมาชิก</span><span lang=EN-US> 25 </span><span lang=TH>คน</span><o:p></o:p></p>
<p class=MsoNormal><font face="Angsana New" color="#ff0000">การทำบัญชีให้ทุกคนดูได้</font>
<span style='mso-spacerun:yes'>&nbsp; </span>สร้างความไว้วางใจ<o:p></o:p></p>
<!--EndFragment-->
</div>
</body>
</html>"""


def test_word_paste_keeps_paragraphs_and_text_and_loses_the_rest():
    body = clean_html(WORD_HTML)
    soup = parse(body)
    assert [p.get_text() for p in soup.find_all("p")] == [
        "บทเรียนจากเวที ครั้งที่ ๓",
        "กลุ่มออมทรัพย์ตำบลนาเคียน เริ่มจากสมาชิก 25 คน",
        "การทำบัญชีให้ทุกคนดูได้ \xa0 สร้างความไว้วางใจ",
    ]
    assert soup.b.get_text() == "บทเรียนจากเวที ครั้งที่ ๓"
    assert {element.name for element in soup.find_all(True)} == {"p", "b"}
    assert all(element.attrs == {} for element in soup.find_all(True))
    for residue in ("Normal", "mso", "WordDocument", "Style Definitions", "Sarabun", "<!--", "o:p"):
        assert residue not in body


def test_word_paste_through_render_body_is_the_same_and_stable():
    body = render_body(WORD_HTML)
    assert body == clean_html(WORD_HTML)
    assert render_body(body) == body


def test_plain_text_paragraphs_and_line_breaks():
    html = text_to_html("บรรทัดหนึ่ง\nบรรทัดสอง\n\n\nย่อหน้าใหม่\r\n")
    soup = parse(html)
    first, second = soup.find_all("p")
    assert first.get_text("|") == "บรรทัดหนึ่ง|บรรทัดสอง" and first.br is not None
    assert second.get_text() == "ย่อหน้าใหม่"


def test_plain_text_bulleted_list_from_any_bullet_mark():
    soup = parse(text_to_html("สิ่งที่ได้:\n- ความรู้\n• เพื่อน\n* เครือข่าย\nจบ"))
    assert [p.get_text() for p in soup.find_all("p")] == ["สิ่งที่ได้:", "จบ"]
    assert [li.get_text() for li in soup.ul.find_all("li")] == ["ความรู้", "เพื่อน", "เครือข่าย"]


def test_plain_text_numbered_list_with_dots_brackets_and_thai_digits():
    soup = parse(text_to_html("1. ประชุม\n2) สรุป\n\n๓. ติดตาม"))
    assert [li.get_text() for li in soup.ol.find_all("li")] == ["ประชุม", "สรุป", "ติดตาม"]
    assert soup.ul is None and soup.p is None


def test_plain_text_bullet_needs_a_space_after_it():
    soup = parse(text_to_html("-ไม่ใช่รายการ\n*เน้น*"))
    assert soup.ul is None
    assert soup.p.get_text("|") == "-ไม่ใช่รายการ|*เน้น*"


def test_plain_text_is_escaped():
    html = text_to_html('ราคา < 100 & "ถูก" <script>alert(1)</script>')
    assert "<script" not in html
    assert parse(html).p.get_text() == 'ราคา < 100 & "ถูก" <script>alert(1)</script>'


def test_plain_text_web_address_becomes_a_link_ending_at_thai_text():
    soup = parse(text_to_html("ดูที่https://example.org/report?id=1ครับ (หรือ https://example.org/a)."))
    assert [a["href"] for a in soup.find_all("a")] == [
        "https://example.org/report?id=1",
        "https://example.org/a",
    ]


def test_plain_text_thai_is_untouched():
    text = "การจัดการความรู้\u200bของชุมชน  ๒๕๖๘"
    assert parse(text_to_html(text)).p.get_text() == text


def test_render_body_takes_plain_text_when_there_is_no_markup():
    body = render_body("หนึ่ง < สอง\n\n- ก\n- ข")
    assert body == "<p>หนึ่ง &lt; สอง</p><ul><li>ก</li><li>ข</li></ul>"


def test_render_body_takes_html_when_there_is_a_tag():
    assert render_body("<p>หนึ่ง</p>\n\n<p>สอง</p>") == "<p>หนึ่ง</p><p>สอง</p>"


def test_render_body_of_empty_input_is_empty():
    assert render_body("") == ""
    assert render_body("  \n\n ") == ""
    assert render_body("<p><br></p><div>&nbsp;</div>") == ""


@pytest.mark.parametrize(
    "raw",
    [
        "ย่อหน้า\nบรรทัด\n\n- ก\n- ข\n\n1. หนึ่ง\n2. สอง https://example.org",
        "a &amp; b < c",
        "ข้อความที่ไม่มีแท็ก",
        "<span>ข้อความหลวม</span> ต่อท้าย",
        "<b>ตัวหนา</b><p>ย่อหน้า</p>ท้าย",
        "<li>รายการหลง</li><li>อีก</li>",
        "<ul>\n<li><p>ก</p><p>ข</p></li>\n<ol><li>ค</li></ol></ul>",
        "<p>  ช่องว่าง   <b> หนา </b>  <br><br> </p>",
        "<a href='https://example.org'><div>ลิงก์ในบล็อก</div></a>",
        "<table><tr><td>เซลล์<p>ย่อหน้า</p></td><td>&nbsp;</td></tr></table>",
        WORD_HTML,
    ],
)
def test_render_body_is_idempotent(raw):
    once = render_body(raw)
    assert render_body(once) == once


def test_plain_text_puts_blocks_on_their_own_lines():
    body = render_body("<h3>หัวข้อ</h3><p>หนึ่ง<br>สอง&nbsp;สาม</p><ul><li>ก</li><li><b>ข</b> &amp; ค</li></ul>")
    assert plain_text(body) == "หัวข้อ\nหนึ่ง\nสอง สาม\nก\nข & ค"


def test_plain_text_of_word_paste():
    assert plain_text(render_body(WORD_HTML)).splitlines()[0] == "บทเรียนจากเวที ครั้งที่ ๓"


def test_plain_text_leaves_out_scripts_and_styles():
    assert plain_text("<p>ก</p><script>x()</script><style>p{}</style>") == "ก"


WORD_LIST = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>
<p class=MsoNormal>บทเรียนสามข้อ<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;
</span></span></span><![endif]>ออมก่อนกู้<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;
</span></span></span><![endif]>ปิดบัญชีทุกเดือน<o:p></o:p></p>
<p class=MsoListParagraph style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>๑.<span style='font:7.0pt "Times New Roman"'>&nbsp; </span></span><![endif]>ข้อที่หนึ่ง<o:p></o:p></p>
</body></html>"""


def test_word_list_paragraphs_become_lists_without_their_markers():
    assert render_body(WORD_LIST) == (
        "<p>บทเรียนสามข้อ</p><ul><li>ออมก่อนกู้</li><li>ปิดบัญชีทุกเดือน</li></ul><ol><li>ข้อที่หนึ่ง</li></ol>"
    )
    assert render_body(render_body(WORD_LIST)) == render_body(WORD_LIST)
