"""Thai full-text search of lesson-learned notes, the same on SQLite and PostgreSQL.

Thai is written without spaces between words, so neither PostgreSQL's parser nor SQLite's LIKE can find a word
inside ``องค์กรการเงินชุมชนตำบลบางจาก``. The text is segmented into words with pythainlp's newmm tokenizer once,
when a note is saved (``LessonNote.search_text``), and again for each query; both sides then compare whole words.

newmm is dictionary-driven: pythainlp's word list alone splits บางจาก into บาง + จาก, so the dictionary is that
list plus the portal's own words (tambon and district names, the partners' abbreviations, the KM role words),
built once per process. Everything comes from files inside the pythainlp package; nothing is ever downloaded.

Words inside compounds. newmm keeps a dictionary compound whole (ผู้ตรวจสอบบัญชี, การออมทรัพย์), so each token
is also indexed with its sub-words: every dictionary word that lies on some complete segmentation of the token
into smaller dictionary words (the lattice that maximal matching explores). ผู้ตรวจสอบบัญชี gives ผู้, ผู้ตรวจ,
ผู้ตรวจสอบ, ตรวจ, ตรวจสอบ, สอบ, บัญชี; การ gives nothing, because no complete segmentation passes through กา.
All paths rather than pythainlp's single best ``mm`` path: ผู้|ตรวจสอบ|บัญชี and ผู้ตรวจ|สอบ|บัญชี are equally
short, and picking one would lose ตรวจสอบ or ผู้ตรวจ. Names (tambons, districts, abbreviations, KM roles) are
not split: บางจาก is a place, not บาง + จาก.

The stored text: sections ``§t`` (title), ``§k`` (key lessons and evidence), ``§s`` (summary and tags), ``§b``
(body), each a run of units separated by spaces; a unit is a token, or a token and its sub-words joined by
``|`` (``ผู้ตรวจสอบบัญชี|ผู้|ตรวจสอบ|…``). Both databases run the same query, a LIKE per word on whole units
(served on PostgreSQL by the trigram index of migration 0002); the phrase check and the ranking are then done
in Python on the stored text, so the two databases cannot give different answers. No near misses are results:
``suggest()`` offers a similar word ("คุณหมายถึง …?") separately.
"""

import html
import operator
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cached_property, lru_cache, reduce

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from agencies.models import District, Organization, Province, Tambon
from lessons import page_cache
from lessons.models import LessonNote

# pythainlp creates ~/pythainlp-data on import unless read-only (and fails where the home directory cannot be
# written, as for a service account), and downloads some corpora on first use unless offline. This module only
# reads the word list shipped inside the package; these make sure nothing else is attempted behind its back.
if not os.environ.get("PYTHAINLP_READ_MODE"):  # the deprecated name; setting both is an error in pythainlp
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from pythainlp.corpus.common import thai_words
from pythainlp.tokenize.newmm import segment as newmm_segment
from pythainlp.util import Trie, dict_trie
from pythainlp.util import normalize as thai_normalize

# Words of the KM program that pythainlp would split (คุณ + กิจ); the roles are searched as one word.
KM_WORDS = ("คุณเอื้อ", "คุณอำนวย", "คุณกิจ", "คุณลิขิต", "คุณประสาน", "คุณวิศาสตร์")

# Ranking: each occurrence of a query word counts the weight of its section; words of the query found next to
# each other in the query's order count PHRASE_BONUS times more.
SECTION_WEIGHTS = {"t": 8.0, "k": 4.0, "s": 2.0, "b": 1.0}
PHRASE_BONUS = 2.0
# A suggestion ("did you mean") needs this similarity (difflib ratio) to a word of the visible notes.
SUGGESTION_CUTOFF = 0.75
# Snippet: characters of context kept before the first match, and the length of the excerpt.
SNIPPET_CONTEXT = 60
SNIPPET_LENGTH = 220

_THAI = "\u0e01-\u0e4e"  # letters, vowels and marks; not the Thai digits and punctuation (๏ ๚ ๛)
# A run of Thai, with the dots of abbreviations (ธ.ก.ส., ต.บางจาก) kept for the dictionary to match; or a word of
# any other script (Latin, digits).
_CHUNK = re.compile(rf"(?P<thai>[{_THAI}]+(?:\.[{_THAI}]+)*\.?)|(?P<other>[^\W_\u0e00-\u0e7f]+)")
# A line break between two Thai letters is where pasted text was wrapped, not a word boundary: Thai marks
# boundaries with the dictionary, so joining the lines costs nothing when the break was real.
_THAI_LINE_BREAK = re.compile(rf"(?<=[{_THAI}])[ \t]*\r?\n[ \t]*(?=[{_THAI}])")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_REPEAT_MARKS = "ๆฯ"  # mai yamok and paiyannoi: not words, and not part of the word they follow
_TAG_LIKE = re.compile(r"<[A-Za-z!/]")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|section|article|figure|figcaption|dl|dt|dd)\b[^>]*>",
    re.IGNORECASE,
)
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)


# --- The dictionary ---------------------------------------------------------------------------------------------

# The dictionary and, while the database could not be read for the portal's words, when to try again.
_dictionary: Trie | None = None
_dictionary_retry_at: float | None = None
_dictionary_lock = threading.Lock()
# The portal's own words (places, abbreviations, KM roles): never split into sub-words.
_names: set[str] = set()
DICTIONARY_RETRY_SECONDS = 60


def thai_dictionary() -> Trie:
    """The newmm dictionary: pythainlp's word list and the portal's words, built once per process (~0.5 s)."""
    global _dictionary, _dictionary_retry_at
    if _dictionary_is_due():
        with _dictionary_lock:
            if _dictionary_is_due():
                portal_words, complete = _portal_words()
                # Entries with spaces (ซีพี เซเว่นอีเลฟเว่น) would make words that cannot be told apart in
                # search_text, which separates words with spaces.
                words = {word for word in thai_words() if not any(c.isspace() for c in word)}
                _dictionary = dict_trie(words | portal_words)
                _names.clear()
                _names.update(portal_words)
                _subwords.cache_clear()
                # Without the tambons (a process started before `migrate`), place names would be split: use
                # the poorer dictionary for now, and read the database again a little later.
                _dictionary_retry_at = None if complete else time.monotonic() + DICTIONARY_RETRY_SECONDS
    return _dictionary


def _dictionary_is_due() -> bool:
    return _dictionary is None or (
        _dictionary_retry_at is not None and time.monotonic() >= _dictionary_retry_at
    )


def reset_dictionary() -> None:
    """Forget the dictionary, e.g. after loading a province's tambons; rebuild_search_texts() then re-segments."""
    global _dictionary, _dictionary_retry_at
    with _dictionary_lock:
        _dictionary = _dictionary_retry_at = None


def _portal_words() -> tuple[set[str], bool]:
    words = set(KM_WORDS)
    try:
        # In a savepoint, so that a missing table (before `migrate`) does not break the caller's transaction.
        with transaction.atomic():
            places = [
                *Tambon.objects.values_list("name_th", flat=True),
                *Province.objects.values_list("name_th", flat=True),
                # เมืองนครศรีธรรมราช: kept whole, it would hide นครศรีธรรมราช from a search.
                *(name.removeprefix("เมือง") for name in District.objects.values_list("name_th", flat=True)),
            ]
            abbreviations = list(
                Organization.objects.filter(abbr_th__contains=".").values_list("abbr_th", flat=True)
            )
    except DatabaseError:
        return words, False
    words.update(_clean(name) for name in places)
    # Only real abbreviations (ธ.ก.ส.): สหกรณ์จังหวัด is two ordinary words, and one token would hide สหกรณ์.
    # Written with or without the last dot, or without any: all three segment to the same word, ธกส.
    for abbreviation in map(_clean, abbreviations):
        words.update({abbreviation, abbreviation.rstrip("."), abbreviation.replace(".", "")})
    return {word for word in words if word and " " not in word}, True


# --- Text to words ----------------------------------------------------------------------------------------------


def _plain_text(text: str, is_html: bool | None = None) -> str:
    """Text without tags and entities; block elements become paragraph breaks, <br> a line break."""
    if is_html is None:
        is_html = bool(_TAG_LIKE.search(text))
    if not is_html:
        return text
    text = _LINE_BREAK_TAG.sub("\n", _BLOCK_TAG.sub("\n\n", text))
    return html.unescape(strip_tags(text))


def _clean(text: str) -> str:
    """The text as segmented and shown in snippets: normalized, wrapped Thai lines joined, spaces folded."""
    text = unicodedata.normalize("NFC", text or "").translate(_INVISIBLE)
    text = _THAI_LINE_BREAK.sub("", text)
    # Typing slips that look right but differ as text: เ + เ for แ, tone marks before vowels, doubled marks.
    return " ".join(thai_normalize(text).split())


def _tokens(text: str):
    """(start, end, word) of each word of a cleaned text: Latin lower-cased, Thai digits as Arabic digits,
    abbreviations without their dots (ธ.ก.ส. → ธกส); punctuation and white space are not words."""
    trie = thai_dictionary()
    for chunk in _CHUNK.finditer(text.translate(_THAI_DIGITS)):
        if chunk.lastgroup == "other":
            yield chunk.start(), chunk.end(), chunk.group().lower()
            continue
        position = chunk.start()
        for piece in newmm_segment(chunk.group(), custom_dict=trie):
            start, position = position, position + len(piece)
            word = "" if piece == "ฯลฯ" else piece.replace(".", "").strip(_REPEAT_MARKS)
            if word:
                yield start, position, word


def _words(text: str, is_html: bool | None = None) -> list[str]:
    return [word for _start, _end, word in _tokens(_clean(_plain_text(text or "", is_html)))]


def segment(text: str) -> str:
    """The words of a text separated by single spaces: ``"KM ตำบลบางจาก"`` → ``"km ตำบล บางจาก"``."""
    return " ".join(_words(text))


# --- Sub-words -----------------------------------------------------------------------------------------------


# Dictionary words whose parts are not their meaning (จัง + หวัด, ประ + ชุม): never split, or a search for หวัด
# would find every note that names the province.
UNSPLIT = frozenset(
    {
        "จังหวัด", "ประชุม", "ประชาชน", "ประเทศ", "ประมาณ", "สมาชิก", "กรรมการ", "ตำบล", "อำเภอ", "หมู่บ้าน",
        "ชุมชน", "สหกรณ์", "กองทุน", "หน่วยงาน", "บริหาร", "ราชการ", "ปัญหา", "พัฒนา", "ศึกษา",
    }
)  # fmt: skip


_CONSONANT = re.compile("[\u0e01-\u0e2e]")
_TONE_MARK = re.compile("[\u0e48-\u0e4b]")


def _is_subword(word: str) -> bool:
    # Two consonants or a tone mark (ผู้): one-syllable open words (กา, สุ, อา) are mostly pieces of longer
    # words, not the words a reader sees inside them.
    return len(_CONSONANT.findall(word)) >= 2 or bool(_TONE_MARK.search(word))


@lru_cache(maxsize=50_000)
def _subwords(token: str) -> tuple[str, ...]:
    """The words inside a token: the pieces of every shortest segmentation of it into smaller dictionary words
    (of two consonants at least), and theirs in turn."""
    if len(token) < 4 or token in _names or token in UNSPLIT or not ("\u0e01" <= token[0] <= "\u0e4e"):
        return ()
    trie, n = thai_dictionary(), len(token)
    # fewest[i]: the fewest pieces that segment token[i:]; edges i → j for dictionary words token[i:j].
    edges = {i: [i + len(word) for word in trie.prefixes(token[i:]) if _is_subword(word)] for i in range(n)}
    edges[0] = [j for j in edges[0] if j < n]
    fewest = {n: 0}
    for i in range(n - 1, -1, -1):
        counts = [fewest[j] + 1 for j in edges[i] if j in fewest]
        if counts:
            fewest[i] = min(counts)
    if 0 not in fewest:
        return ()
    pieces, frontier = [], {0}
    while frontier:
        following = set()
        for i in sorted(frontier):
            for j in edges[i]:
                if j in fewest and fewest[j] == fewest[i] - 1:
                    pieces.append(token[i:j])
                    following.add(j)
        frontier = following - {n}
    words = []
    for piece in dict.fromkeys(pieces):
        words += [piece, *_subwords(piece)]
    return tuple(dict.fromkeys(words))


def _unit(word: str) -> str:
    return "|".join((word, *_subwords(word)))


# --- The stored text -------------------------------------------------------------------------------------------


def _note_parts(note: LessonNote) -> list[tuple[str, bool]]:
    """The texts of a note other than its title, as (text, is_html), in reading order (for snippets)."""
    parts = [(note.summary, False), (note.body, True)]
    if note.pk is not None:
        for lesson in note.key_lessons.all():
            parts += [(lesson.text, False), (lesson.evidence, False)]
    return parts


def search_text_of(title: str, summary: str, body: str, lessons=(), tag_names=()) -> str:
    """The stored search text of a note's parts; lessons are (text, evidence) pairs."""
    sections = {
        "t": [(title, False)],
        "k": [(text, False) for pair in lessons for text in pair],
        "s": [(summary, False), *((name, False) for name in tag_names)],
        "b": [(body, True)],
    }
    out = []
    for key, texts in sections.items():
        units = [_unit(word) for text, is_html in texts for word in _words(text, is_html)]
        out.append(" ".join([f"§{key}", *units]))
    # Ends with a space, like every unit before it, so that " word " finds the last word too.
    return " ".join(out) + " "


def note_search_text(note: LessonNote) -> str:
    """The segmented words of a note: title, key lessons with their evidence, summary and tags, and body."""
    lessons, tags = [], []
    if note.pk is not None:
        lessons = [(lesson.text, lesson.evidence) for lesson in note.key_lessons.all()]
        tags = [tag.name for tag in note.tags.all()]
    return search_text_of(note.title, note.summary, note.body, lessons, tags)


def refresh_search_text(note: LessonNote) -> str:
    """Recompute and store a saved note's search text, e.g. once its key lessons and tags are saved too.

    An update, not save(): the note's other fields and its updated_at stay as they are."""
    note.search_text = note_search_text(note)
    LessonNote.objects.filter(pk=note.pk).update(search_text=note.search_text)
    page_cache.changed()  # an update sends no model signal; cached search answers must go
    return note.search_text


def rebuild_search_texts(notes=None) -> int:
    """Re-segment many notes (all by default), e.g. after the dictionary changed; returns how many changed."""
    notes = (LessonNote.objects.all() if notes is None else notes).prefetch_related("key_lessons", "tags")
    changed = []
    for note in notes.iterator(chunk_size=200):
        text = note_search_text(note)
        if text != note.search_text:
            note.search_text = text
            changed.append(note)
    LessonNote.objects.bulk_update(changed, ["search_text"], batch_size=200)
    if changed:
        page_cache.changed()
    return len(changed)


def _sections(search_text: str) -> list[tuple[str, list[set[str]]]]:
    """(section key, [the words of each unit]) of a stored search text."""
    out = []
    for unit in search_text.split():
        if unit.startswith("§"):
            out.append((unit[1:], []))
        elif out:
            out[-1][1].append(set(unit.split("|")))
    return out


# --- Queries ---------------------------------------------------------------------------------------------------

_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]*)[\"“”«»]?")


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]  # every word the note must contain
    phrases: tuple[tuple[str, ...], ...]  # quoted runs of two words or more, in that order
    unquoted: tuple[str, ...]


def parse_query(text: str) -> Query:
    """Words outside quotes are all required, in any order; a quoted part needs its words next to each other
    in that order. A quote left open runs to the end."""
    phrases, rest, position = [], [], 0
    for match in _QUOTED.finditer(text):
        rest.append(text[position : match.start()])
        phrase = tuple(_words(match.group(1), is_html=False))
        if len(phrase) > 1:
            phrases.append(phrase)
        elif phrase:
            rest.append(" " + phrase[0] + " ")
        position = match.end()
    rest.append(text[position:])
    unquoted = tuple(_words(" ".join(rest), is_html=False))
    words = tuple(dict.fromkeys([*unquoted, *(w for phrase in phrases for w in phrase)]))
    return Query(words, tuple(phrases), unquoted)


def _has_run(units: list[set[str]], run: tuple[str, ...]) -> int:
    """How many times the words of run occur in consecutive units, in order."""
    n = len(run)
    return sum(1 for i in range(len(units) - n + 1) if all(run[k] in units[i + k] for k in range(n)))


def _matches_phrases(sections, phrases) -> bool:
    for phrase in phrases:
        joined = "".join(phrase)
        if not any(
            _has_run(units, phrase) or any(joined in unit for unit in units) for _key, units in sections
        ):
            return False
    return True


def _rank(sections, query: Query) -> float:
    rank = 0.0
    for key, units in sections:
        weight = SECTION_WEIGHTS.get(key, 1.0)
        for word in query.words:
            rank += weight * sum(1 for unit in units if word in unit)
        runs = [*query.phrases, *([query.unquoted] if len(query.unquoted) > 1 else [])]
        for run in runs:
            rank += PHRASE_BONUS * weight * _has_run(units, run)
    return rank


# --- Searching --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    note: LessonNote
    rank: float
    words: tuple[str, ...] = field(default=(), repr=False)

    @cached_property
    def snippet(self) -> SafeString:
        """An escaped excerpt around the first match with each matched word in <mark>; computed on first use,
        so that a paginated list segments only the notes it shows."""
        return _snippet(self.note, set(self.words))


def _contains_word(word: str) -> Q:
    # Whole units only: the word alone, first, last or among a unit's sub-words.
    return reduce(
        operator.or_,
        (Q(search_text__contains=f"{left}{word}{right}") for left in " |" for right in " |"),
    )


def search(query: str, notes) -> list[Result]:
    """The notes of the queryset that contain every word of the query (and each quoted phrase in order), best
    first: title, then key lessons, then summary and tags, then body. An empty or punctuation-only query
    finds none. The same answer on every database."""
    parsed = parse_query(query)
    if not parsed.words:
        return []
    ordering = [*(notes.query.order_by or notes.model._meta.ordering), "-pk"]
    found = notes.filter(*(_contains_word(word) for word in parsed.words))
    ranks = {}
    for pk, text in found.values_list("pk", "search_text"):
        sections = _sections(text + " ")
        if _matches_phrases(sections, parsed.phrases):
            ranks[pk] = _rank(sections, parsed)
    if not ranks:
        return []
    found = notes.filter(pk__in=ranks).order_by(*ordering).prefetch_related("key_lessons")
    ordered = sorted(found, key=lambda note: -ranks[note.pk])  # stable: the queryset's order among equals
    return [Result(note, ranks[note.pk], parsed.words) for note in ordered]


def suggest(query: str, notes) -> str | None:
    """ "Did you mean": the query with each word no visible note contains replaced by the most similar word
    that one does, or None. Never a result: the page offers it as a new search."""
    terms = [term for term in re.split(r"[\s\"“”«»]+", query) if _words(term, is_html=False)]
    if not terms:
        return None
    vocabulary = set()
    for text in notes.values_list("search_text", flat=True):
        for unit in text.split():
            if not unit.startswith("§"):
                vocabulary.update(unit.split("|"))
    changed, out = False, []
    for term in terms:
        words = _words(term, is_html=False)
        if all(word in vocabulary for word in words):
            out.append(term)
            continue
        # The term as typed, its pieces joined again: บางจาค rather than its fragments บาง จา ค.
        close = get_close_matches("".join(words), sorted(vocabulary), n=1, cutoff=SUGGESTION_CUTOFF)
        if not close:
            return None
        out.append(close[0])
        changed = True
    return " ".join(out) if changed else None


# --- Snippets ---------------------------------------------------------------------------------------------------


def _match_span(word: str, words: set[str]) -> tuple[int, int] | None:
    """Where in a token a query word is: the whole token, or the first sub-word of it that was searched."""
    if word in words:
        return 0, len(word)
    for sub in _subwords(word):
        if sub in words:
            start = word.find(sub)
            return start, start + len(sub)
    return None


def _snippet(note: LessonNote, words: set[str]) -> SafeString:
    first_text = None
    for text, is_html in _note_parts(note):
        text = _clean(_plain_text(text, is_html))
        if not text:
            continue
        tokens = list(_tokens(text))
        marked = {}
        for i, (start, end, word) in enumerate(tokens):
            span = _match_span(word, words)
            if span is not None:
                # The token's text may differ from its word (digits, dots): mark all of it unless a sub-word.
                marked[i] = (span[0], span[1]) if span != (0, len(word)) and text[start:end] == word else None
        if marked:
            return _excerpt(text, tokens, marked, tokens[min(marked)][0])
        first_text = first_text or (text, tokens)
    if first_text is None:
        return mark_safe("")
    return _excerpt(*first_text, {}, 0)


def _excerpt(text: str, tokens, marked: dict, first_match: int) -> SafeString:
    """SNIPPET_LENGTH characters of text from a little before the first match, cut between words."""
    start = 0
    if first_match > SNIPPET_CONTEXT:
        start = next(s for s, _end, _word in tokens if s >= first_match - SNIPPET_CONTEXT)
    end = min(len(text), start + SNIPPET_LENGTH)
    if end < len(text):
        end = max((e for s, e, _word in tokens if s >= start and e <= end), default=end)
    pieces, position = ["… " if start else ""], start
    for i, (s, e, _word) in enumerate(tokens):
        if s < start or e > end:
            continue
        token = text[s:e]
        if i not in marked:
            word = escape(token)
        elif marked[i] is None:
            word = f"<mark>{escape(token)}</mark>"
        else:
            a, b = marked[i]
            word = f"{escape(token[:a])}<mark>{escape(token[a:b])}</mark>{escape(token[b:])}"
        pieces += [escape(text[position:s]), word]
        position = e
    pieces += [escape(text[position:end]), " …" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # every piece of the note's text went through escape()
