"""The share card of a note without photos: a PNG with its title, for the Open Graph preview (LINE, Facebook).

Drawn with Pillow in the vendored Sarabun (raqm shapes the Thai); Thai and Latin are in two font files, so the
title is drawn in runs of one script each, and wrapped between words found by the search's segmenter.
"""

import io
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from lessons.search import _clean, newmm_segment, thai_dictionary

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BACKGROUND = (11, 79, 138)
TEXT = (255, 255, 255)
FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "sarabun" / "files"
_RUNS = re.compile(r"[\u0e00-\u0e7f]+|[^\u0e00-\u0e7f]+")


@lru_cache(maxsize=8)
def _font(script: str, size: int, weight: int = 700):
    return ImageFont.truetype(str(FONT_DIR / f"sarabun-{script}-{weight}-normal.woff"), size)


def _runs(text: str, size: int):
    for run in _RUNS.findall(text):
        yield run, _font("thai" if "\u0e00" <= run[0] <= "\u0e7f" else "latin", size)


def _width(text: str, size: int) -> float:
    return sum(font.getlength(run) for run, font in _runs(text, size))


def _draw(draw, xy, text, size):
    x, y = xy
    for run, font in _runs(text, size):
        draw.text((x, y), run, font=font, fill=TEXT)
        x += font.getlength(run)


def _lines(text: str, size: int, width: int, most: int) -> list[str]:
    words = []
    for piece in text.split(" "):
        words += [*newmm_segment(piece, custom_dict=thai_dictionary()), " "]
    lines, line = [], ""
    for word in words[:-1]:
        # Never break before punctuation (a colon, a closing bracket): only before a word or a space.
        if line and (word[:1].isalnum() or word == " ") and _width(line + word, size) > width:
            lines.append(line.strip())
            line = word.lstrip()
        else:
            line += word
    lines.append(line.strip())
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def note_card(title: str, subtitle: str) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    size = 64
    y = MARGIN
    for line in _lines(_clean(title), size, WIDTH - 2 * MARGIN, 4):
        _draw(draw, (MARGIN, y), line, size)
        y += int(size * 1.45)
    _draw(draw, (MARGIN, HEIGHT - MARGIN - 40), _clean(subtitle), 32)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
