"""Thai full-text search of lesson-learned notes.

Thai is written without spaces between words, so neither PostgreSQL's parser nor SQLite's LIKE can find a word
inside ``องค์กรการเงินชุมชนตำบลบางจาก``. The text is segmented into words with pythainlp's newmm tokenizer once,
when a note is saved (``LessonNote.search_text``), and again for each query; both sides then compare whole words.

newmm is dictionary-driven: pythainlp's word list alone splits บางจาก into บาง + จาก, so the dictionary is that
list plus the portal's own words (tambon and district names, the partners' abbreviations, the KM role words),
built once per process. Everything comes from files inside the pythainlp package; nothing is ever downloaded.

- PostgreSQL: full-text search on ``to_tsvector('simple', search_text)`` (GIN index, migration 0002) ranked with
  ts_rank; when no note has every word, trigram word similarity (GIN trigram index) finds near misses (typos).
- SQLite (the development default): every word must occur in ``search_text`` as a whole word; notes are ranked
  by how often the words occur, with a bonus when they occur as a phrase or all in the title.
"""

import html
import operator
import os
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property, reduce

from django.db import DatabaseError, connections, transaction
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from agencies.models import District, Organization, Province, Tambon
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

# A near miss needs this share of the query's trigrams in one word of the note (pg_trgm word_similarity).
TRIGRAM_THRESHOLD = 0.3
# SQLite ranking: one point per occurrence of a query word, plus these.
PHRASE_BONUS = 2.0
TITLE_BONUS = 3.0
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


def _note_parts(note: LessonNote) -> list[tuple[str, bool]]:
    """The texts of a note other than its title, as (text, is_html), in reading order."""
    parts = [(note.summary, False), (note.body, True)]
    if note.pk is not None:
        for lesson in note.key_lessons.all():
            parts += [(lesson.text, False), (lesson.evidence, False)]
    return parts


def note_search_text(note: LessonNote) -> str:
    """The segmented words of a note: title, summary, body, key lessons with their evidence, and tag names."""
    parts = [(note.title, False), *_note_parts(note)]
    if note.pk is not None:
        parts += [(tag.name, False) for tag in note.tags.all()]
    return " ".join(word for text, is_html in parts for word in _words(text, is_html))


def refresh_search_text(note: LessonNote) -> str:
    """Recompute and store a saved note's search text, e.g. once its key lessons and tags are saved too.

    An update, not save(): the note's other fields and its updated_at stay as they are."""
    note.search_text = note_search_text(note)
    LessonNote.objects.filter(pk=note.pk).update(search_text=note.search_text)
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
    return len(changed)


# --- Searching --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    note: LessonNote
    rank: float
    words: tuple[str, ...] = field(default=(), repr=False)
    # Set for near misses: the query's terms, highlighted where a word of the note resembles one.
    near_terms: tuple[str, ...] = field(default=(), repr=False)

    @cached_property
    def snippet(self) -> SafeString:
        """An escaped excerpt around the first match with each matched word in <mark>; computed on first use,
        so that a paginated list segments only the notes it shows."""
        return _snippet(self.note, set(self.words), self.near_terms)


def search(query: str, notes) -> list[Result]:
    """The notes of the queryset that contain every word of the query, best first; on PostgreSQL, when none
    does, the notes whose words resemble the query's (a typo). An empty or punctuation-only query finds none."""
    words = _words(query)
    if not words:
        return []
    ordering = [*(notes.query.order_by or notes.model._meta.ordering), "-pk"]
    if connections[notes.db].vendor == "postgresql":
        return _search_postgresql(query, words, notes, ordering)
    return _search_portable(words, notes, ordering)


def _search_postgresql(query, words, notes, ordering) -> list[Result]:
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity

    # The same expression as the GIN index of migration 0002, so that the index serves the query.
    document = SearchVector("search_text", config="simple")
    text = " ".join(words)
    # plainto_tsquery: the words are parsed as text, never as tsquery syntax (& | ! :* ' stay harmless), and
    # all of them are required.
    every_word = SearchQuery(text, config="simple", search_type="plain")
    rank = SearchRank(document, every_word)
    if len(words) > 1:
        rank = rank + SearchRank(document, SearchQuery(text, config="simple", search_type="phrase"))
    found = (
        notes.alias(search_document=document)
        .filter(search_document=every_word)
        .annotate(search_rank=rank)
        .order_by("-search_rank", *ordering)
        .prefetch_related("key_lessons")
    )
    results = [Result(note, note.search_rank, tuple(words)) for note in found]
    if results:
        return results

    # Near misses: each term of the query (a run of text between spaces or punctuation, บางจาค as typed rather
    # than its fragments บาง จา ค) must resemble a word of the note. `search_text %> term` is the form the
    # trigram index serves; its threshold is a setting, changed for this transaction only.
    terms = _query_terms(query)
    similarity = reduce(operator.add, (TrigramWordSimilarity(term, "search_text") for term in terms))
    near = (
        notes.filter(*(TrigramWordSimilar(F("search_text"), Value(term)) for term in terms))
        .annotate(search_rank=similarity / len(terms))
        .order_by("-search_rank", *ordering)
        .prefetch_related("key_lessons")
    )
    with transaction.atomic(using=notes.db):
        with connections[notes.db].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TRIGRAM_THRESHOLD)]
            )
        return [Result(note, note.search_rank, tuple(words), tuple(terms)) for note in near]


def _query_terms(query: str) -> list[str]:
    """The query's words, with the Thai ones written without a break between them joined again."""
    terms, end = [], None
    for start, stop, word in _tokens(_clean(_plain_text(query))):
        if start == end:
            terms[-1] += word
        else:
            terms.append(word)
        end = stop
    return list(dict.fromkeys(terms))


def _search_portable(words, notes, ordering) -> list[Result]:
    padded = Concat(Value(" "), "search_text", Value(" "), output_field=TextField())
    found = notes.alias(padded_search_text=padded)
    for word in dict.fromkeys(words):
        found = found.filter(padded_search_text__contains=f" {word} ")
    ranks = {
        pk: _portable_rank(words, title, text)
        for pk, title, text in found.values_list("pk", "title", "search_text")
    }
    if not ranks:
        return []
    found = notes.filter(pk__in=ranks).order_by(*ordering).prefetch_related("key_lessons")
    ordered = sorted(found, key=lambda note: -ranks[note.pk])  # stable: the queryset's order among equals
    return [Result(note, ranks[note.pk], tuple(words)) for note in ordered]


def _portable_rank(words: list[str], title: str, search_text: str) -> float:
    tokens = search_text.split()
    counts = Counter(tokens)
    rank = float(sum(counts[word] for word in set(words)))
    if len(words) > 1:
        n = len(words)
        rank += PHRASE_BONUS * sum(1 for i in range(len(tokens) - n + 1) if tokens[i : i + n] == words)
    if set(words) <= set(_words(title, is_html=False)):
        rank += TITLE_BONUS
    return rank


# --- Snippets ---------------------------------------------------------------------------------------------------


def _snippet(note: LessonNote, words: set[str], near_terms: tuple[str, ...]) -> SafeString:
    def matches(word: str) -> bool:
        if word in words:
            return True
        return len(word) > 1 and any(SequenceMatcher(None, word, term).ratio() >= 0.75 for term in near_terms)

    first_text = None
    for text, is_html in _note_parts(note):
        text = _clean(_plain_text(text, is_html))
        if not text:
            continue
        tokens = list(_tokens(text))
        marked = {i for i, (_start, _end, word) in enumerate(tokens) if matches(word)}
        if marked:
            return _excerpt(text, tokens, marked, tokens[min(marked)][0])
        first_text = first_text or (text, tokens)
    if first_text is None:
        return mark_safe("")
    return _excerpt(*first_text, set(), 0)


def _excerpt(text: str, tokens, marked: set[int], first_match: int) -> SafeString:
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
        word = escape(text[s:e])
        pieces += [escape(text[position:s]), f"<mark>{word}</mark>" if i in marked else word]
        position = e
    pieces += [escape(text[position:end]), " …" if end < len(text) else ""]
    return mark_safe("".join(pieces))  # every piece of the note's text went through escape()
