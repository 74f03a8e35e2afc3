"""Tests of arabnews_nlp.text.segment.split_sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabnews_nlp.errors import ConfigError, InputTypeError
from arabnews_nlp.text.segment import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
RAW_SEEDS = sorted((SEEDS / "raw").glob("*.txt"))


def sentences(text: str, max_chars: int = 1000) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, max_chars)]


def check_invariants(text: str, spans: list[tuple[int, int]], max_chars: int) -> None:
    """Stripped, non-empty, ordered, non-overlapping, bounded, covering all non-space chars."""
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert end - start <= max_chars
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[previous_end:start].isspace() or previous_end == start
        previous_end = end
    assert not text[previous_end:].strip()


# --- realistic text ------------------------------------------------------------------------


@pytest.mark.parametrize("path", RAW_SEEDS, ids=lambda path: path.stem)
def test_seed_articles(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    check_invariants(text, spans, 1000)
    found = [text[start:end] for start, end in spans]
    assert text.splitlines()[0].strip().startswith(found[0])  # no sentence crosses a line
    assert len(found) >= 10
    for sentence in found:  # only a wordless tail ("\n.") may follow a line break
        assert not any(char.isalnum() for line in sentence.splitlines()[1:] for char in line)


def test_agrees_with_gold_seed_sentences() -> None:
    files = sorted((SEEDS / "surface").glob("*.jsonl"))
    if not files:
        pytest.skip("no annotated seeds")
    total = agreed = 0
    for path in files:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                gold = [sentence["text"] for sentence in record["sentences"]]
                found = set(sentences(record["text"]))
                total += len(gold)
                agreed += sum(sentence in found for sentence in gold)
    assert agreed / total > 0.9


def test_news_paragraph() -> None:
    text = (
        "بغداد - أفشلت القوات الأميركية هجوما على قاعدة عين الأسد. "
        "وقال مصدران: «القصف استهدف منصة إطلاق صواريخ». "
        "هل تنسحب القوات؟ لا أحد يعرف! "
        "وأكد المتحدث؛ أن الحوار مستمر… "
        "ونقلت رويترز \"لن ننسحب.\" ثم غادر (انظر الصورة.) وانتهى"
    )
    assert sentences(text) == [
        "بغداد - أفشلت القوات الأميركية هجوما على قاعدة عين الأسد.",
        "وقال مصدران: «القصف استهدف منصة إطلاق صواريخ».",
        "هل تنسحب القوات؟",
        "لا أحد يعرف!",
        "وأكد المتحدث؛ أن الحوار مستمر…",
        "ونقلت رويترز \"لن ننسحب.\"",
        "ثم غادر (انظر الصورة.)",
        "وانتهى",
    ]


@pytest.mark.parametrize("run", ["؟!", "!!", "...", "?!", "؟؟", ".»", "!”", "؟)", ".]", "...»"])
def test_runs_and_closers_end_together(run: str) -> None:
    assert sentences(f"الأولى{run} الثانية") == [f"الأولى{run}", "الثانية"]


# --- where sentences do not end ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "بلغت النسبة 3.5 في المئة",
        "قتل 1.500 شخص",
        "تكلفة 2.000.000 دولار",
        "النسبة ٣٫٥ و3,5",
        "قال د. محمد إن",
        "المهندس م. علي",
        "الأستاذ أ. أحمد",
        "أ.د. خالد الراوي",
        "دَ. محمد",
        "عام 1445 هـ. الموافق",
        "Dr. Smith and Gen. Milley met U.S. officials",
        "زوروا www.aljazeera.net/news/2024.1.html للمزيد",
        "زوروا https://example.com/a.b?x=1&y=2 للمزيد",
        "راسلوا info@example.org أو news.desk@gov.iq اليوم",
        "قال (...) ثم أضاف",
        "قال [..] ثم أضاف",
        "النص (…) ثم",
        "بالمقاعد بـ54 مقعدا.أما الفتح",
    ],
)
def test_no_break(text: str) -> None:
    assert sentences(text) == [text]


def test_sentence_ending_in_a_url_or_number() -> None:
    assert sentences("الرابط http://t.co/a. وقال") == ["الرابط http://t.co/a.", "وقال"]
    assert sentences("الرابط x@y.io/b. وقال") == ["الرابط x@y.io/b.", "وقال"]
    assert sentences("في عام 2003. وقال") == ["في عام 2003.", "وقال"]
    assert sentences("في العراق. وقال") == ["في العراق.", "وقال"]


# --- line breaks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "newline", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\n\n  \n"]
)
def test_line_breaks(newline: str) -> None:
    text = f"عنوان الخبر{newline}بغداد - نص الخبر"
    assert sentences(text) == ["عنوان الخبر", "بغداد - نص الخبر"]


def test_line_break_ends_even_after_an_abbreviation() -> None:
    assert sentences("كتبه د.\nمحمد") == ["كتبه د.", "محمد"]


def test_a_run_of_no_break_spaces_is_a_paragraph_break() -> None:
    """Some sites write paragraph breaks as ~13 NBSPs; the short runs that align columns stay inside."""
    heading = "أكثر من 6 آلاف مرشح " + "\xa0" * 16 + " \xa0 مراكز الانتخاب: 8,959 مركزا"
    assert sentences(heading) == ["أكثر من 6 آلاف مرشح", "مراكز الانتخاب: 8,959 مركزا"]
    assert sentences("قال د." + "\xa0 " * 8 + "محمد") == ["قال د.", "محمد"]  # as after a line break
    table = "1- الرومانية سيمونا هاليب" + "\xa0" * 7 + " 7965 نقطة"
    assert sentences(table) == [table]
    assert sentences("تحديث للمنصة. •\xa0\xa0 \xa0انقر") == ["تحديث للمنصة.", "•\xa0\xa0 \xa0انقر"]


def test_full_stop_alone_on_the_next_line_joins_its_sentence() -> None:
    text = "على حد وصفهما\n.\nفمن جانبها\n\".\nوقال"
    assert sentences(text) == ["على حد وصفهما\n.", "فمن جانبها\n\".", "وقال"]


# --- invisible characters ------------------------------------------------------------------


def test_invisible_marks_stay_inside_sentences() -> None:
    text = "\u200fقال المصدر.\u200f وأضاف\u200e.\n\u200f\nانتهى"
    assert sentences(text) == ["\u200fقال المصدر.\u200f", "وأضاف\u200e.\n\u200f", "انتهى"]
    assert sentences("\u200f\n\u200bنص") == ["\u200f\n\u200bنص"]
    assert sentences("\u200f") == ["\u200f"]


# --- long text and limits ------------------------------------------------------------------


def test_long_sentence_is_cut_at_whitespace() -> None:
    text = "كلمة " * 500
    spans = split_sentences(text, max_chars=100)
    check_invariants(text, spans, 100)
    assert all(text[start:end].endswith("كلمة") for start, end in spans)
    assert [end - start for start, end in spans][:2] == [99, 99]


def test_long_sentence_is_cut_after_its_last_clause_mark() -> None:
    # a 2013 interview answer of 1,300 characters without a full stop: the cut at the last space
    # split "علمني | شريف المبادئ" (the name from its verb); after the comma, both stay whole
    text = "وقال إنه " + "سافر إلى تونس " * 45 + "وبعد ذلك عاد، " + "ثم علمني شريف المبادئ الأساسية " * 12
    spans = split_sentences(text, max_chars=1000)
    check_invariants(text, spans, 1000)
    assert text[spans[0][0] : spans[0][1]].endswith("عاد،")
    assert text[spans[1][0] : spans[1][1]].startswith("ثم علمني شريف")


def test_clause_marks_in_numbers_or_too_early_do_not_cut() -> None:
    digits = "بلغ العدد 2,500 جندي " + "كلمة " * 40  # no space after the comma: no clause mark
    assert split_sentences(digits, max_chars=100)[0] == (0, digits.rfind(" ", 0, 101))
    early = "قال، " + "كلمة " * 40  # the piece before the comma would be under half the limit
    assert split_sentences(early, max_chars=100)[0] == (0, early.rfind(" ", 0, 101))
    quoted = "كلمة " * 12 + "قال:» " + "كلمة " * 20  # the closers after the mark stay with it
    first = split_sentences(quoted, max_chars=100)[0]
    assert quoted[first[0] : first[1]].endswith("قال:»")
    # a transcript marks its pauses with two spaces (NBSP too) where an article has a comma
    pause = "كلمة " * 12 + "والعلماء\xa0\xa0ويكفي " + "كلمة " * 20
    first = split_sentences(pause, max_chars=100)[0]
    assert pause[first[0] : first[1]].endswith("والعلماء")


def test_hard_cut_keeps_diacritics_with_their_letter() -> None:
    text = "بَ" * 10
    spans = split_sentences(text, max_chars=5)
    check_invariants(text, spans, 5)
    assert all(end - start == 4 for start, end in spans)


class CountingText(str):
    """A str that counts the characters the splitter reads through indexing, slicing and the
    searching methods (count, find, index and their right-hand twins), each call by the length of
    the range it scans. Regular expressions read the buffer directly: ``benchmarks/segmentation.py``
    times them."""

    read = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        piece = super().__getitem__(key)
        CountingText.read += len(piece)
        return piece

    def _scanned(self, start: int | None, end: int | None) -> None:
        CountingText.read += len(range(*slice(start, end).indices(len(self))))


def _counting(name: str):  # type: ignore[no-untyped-def]
    method = getattr(str, name)

    def counted(self, sub, start=None, end=None):  # type: ignore[no-untyped-def]
        self._scanned(start, end)
        return method(self, sub, start, end)

    return counted


for _name in ("count", "find", "rfind", "index", "rindex"):
    setattr(CountingText, _name, _counting(_name))


def characters_read(text: str) -> tuple[list[tuple[int, int]], int]:
    """The spans of ``text`` and how many characters the splitter read from it in Python."""
    CountingText.read = 0
    spans = split_sentences(CountingText(text))
    return spans, CountingText.read


def test_one_megabyte_without_punctuation() -> None:
    for text in ("كلمة " * 200_000, "ك" * 1_000_000):
        spans, read = characters_read(text)
        check_invariants(text, spans, 1000)
        assert len(spans) in range(1000, 1300)
        assert read <= 4 * len(text)  # linear: each character read a bounded number of times


def test_one_megabyte_of_news() -> None:
    text = "\n".join(path.read_text(encoding="utf-8") for path in RAW_SEEDS)
    text = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    spans, read = characters_read(text)
    check_invariants(text, spans, 1000)
    assert read <= len(text)


@pytest.mark.parametrize(
    "text",
    [
        "." * 100_000 + "x",
        "د. " * 30_000,
        "(" + "." * 50_000,
        "«" + "كلمة.. " * 10_000,
        ("w" * 2_000 + ". ") * 50,
        ("http://a.b/" + "x" * 3_000 + "/b. ") * 30,
        ("\xa0" * 7 + " x") * 10_000 + "\xa0" * 8,
        ("\n*" + " " * 20 + "1. ") * 4_000,
        "2005 م. " * 10_000,
    ],
    ids=[
        "stops", "abbreviations", "open-bracket", "open-quote", "long-words", "long-urls", "nbsp-runs",
        "bullets", "years",
    ],
)
def test_pathological_runs_stay_linear(text: str) -> None:
    """Counted, not timed (``benchmarks/segmentation.py`` times the whole splitter, regexes included)."""
    spans, read = characters_read(text)
    check_invariants(text, spans, 1000)
    assert read <= 5 * len(text)


# --- input validation ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", " ", "\n\r\n\t \u00a0\u2028"])
def test_empty_or_blank(text: str) -> None:
    assert split_sentences(text) == []


@pytest.mark.parametrize("bad", [b"text", None, 12])
def test_non_str(bad: object) -> None:
    with pytest.raises(InputTypeError):
        split_sentences(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_chars", [0, -5, True, 2.5, "100"])
def test_bad_max_chars(max_chars: object) -> None:
    with pytest.raises(ConfigError, match="max_chars"):
        split_sentences("نص", max_chars)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------

news_alphabet = st.sampled_from(
    list("بغدادقالأيةىـ ") + list(".!?؟؛…»«”\"()[]،:/@w13٣") + ["\u200f", "\u200b", "\u00ad"]
    + ["\n", "\r", "\r\n", "\u2028", "\u00a0", "\t", "  ", "د. ", "3.5", "(...)", "\x00", "\u00a0" * 8]
)  # fmt: skip
news_text = st.lists(news_alphabet, max_size=80).map("".join)


@settings(deadline=None, max_examples=300)
@given(text=st.one_of(news_text, st.text()), max_chars=st.integers(1, 40))
def test_invariants_hold_on_random_text(text: str, max_chars: int) -> None:
    check_invariants(text, split_sentences(text, max_chars), max_chars)


@settings(deadline=None)
@given(text=st.one_of(news_text, st.text()))
def test_invariants_hold_with_default_limit(text: str) -> None:
    spans = split_sentences(text)
    check_invariants(text, spans, 1000)
    assert (spans == []) == (text.strip() == "")


def test_semicolons_and_ellipses_inside_open_quotes_do_not_end_sentences() -> None:
    """As the annotated articles cut them: ``؛`` joins clauses; ``..`` inside an open quote is a dash."""
    text = (
        'وأكد المتحدث؛ أن الحوار مستمر. '
        '"أردوغان يعلن عن انتخابات مبكرة.. وتركيا إلى صيف ساخن" هذا هو العنوان. '
        'فكروا في الأمر.. سبعة تريليونات دولار. '
        '(ترامب: سنخرج من سوريا قريبا جدا… ودعوا الآخرين يهتموا بالأمر) انتهى.. '
        'قالوا "لا نعرف..\nشيئا"؛\nثم غادروا'
    )
    assert sentences(text) == [
        "وأكد المتحدث؛ أن الحوار مستمر.",
        '"أردوغان يعلن عن انتخابات مبكرة.. وتركيا إلى صيف ساخن" هذا هو العنوان.',
        "فكروا في الأمر..",  # no open quote: an ellipsis still ends a sentence
        "سبعة تريليونات دولار.",
        "(ترامب: سنخرج من سوريا قريبا جدا… ودعوا الآخرين يهتموا بالأمر) انتهى..",
        'قالوا "لا نعرف..',  # a line break always ends one
        'شيئا"؛',
        "ثم غادروا",
    ]


def test_a_full_stop_before_a_closing_quote_still_ends_a_sentence() -> None:
    """Only ؛ and ellipses got new rules: ``م.»`` or ``د.»`` end a sentence as before."""
    assert sentences("قال: «سنغادر قريبا يا د.» ثم غادر.") == ["قال: «سنغادر قريبا يا د.»", "ثم غادر."]
    assert sentences("انتهى الاجتماع في الساعة 5 م.» وغادر الوفد.") == ["انتهى الاجتماع في الساعة 5 م.»", "وغادر الوفد."]


def test_open_quotes_are_counted_once_per_character(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ellipsis in a long open quote extends the counts instead of recounting the sentence (linear time)."""
    from arabnews_nlp.text import segment

    scanned: list[int] = []

    class Counting(segment._OpenMarks):
        def unclosed(self, end: int) -> bool:
            scanned.append(max(0, end - self.counted_to))
            return super().unclosed(end)

    monkeypatch.setattr(segment, "_OpenMarks", Counting)
    text = "«" + "كلمة.. " * 5_000 + "» انتهى. " + "وقال «نعم.. لا.. ربما» ثم غادر. " * 100
    spans = split_sentences(text, max_chars=10**6)
    assert len(scanned) == 5_000 + 2 * 100 and sum(scanned) <= len(text)
    assert len(spans) == 1 + 100


def test_a_dotted_acronym_before_a_closing_bracket_does_not_end_a_sentence() -> None:
    """``(أ.ف.ب.)`` names the agency mid-sentence (probe 20); a one-letter word before ``.»`` still ends one."""
    assert sentences("وقالت الوكالة (أ.ف.ب.) إن الهجوم وقع. وأضافت أن ثلاثة قتلوا.") == [
        "وقالت الوكالة (أ.ف.ب.) إن الهجوم وقع.",
        "وأضافت أن ثلاثة قتلوا.",
    ]
    assert sentences('نقلت «أ.ف.ب.» عن مصدر في U.S.) أمس') == ['نقلت «أ.ف.ب.» عن مصدر في U.S.) أمس']
    assert sentences("قال: «سنغادر قريبا يا د.» ثم غادر.") == ["قال: «سنغادر قريبا يا د.»", "ثم غادر."]
    assert sentences("وصل (أ.ف.ب.)\nثم غادر") == ["وصل (أ.ف.ب.)", "ثم غادر"]


def test_a_list_number_stays_with_its_item() -> None:
    """``1. انسحاب`` at the start of a line is a list item, not a sentence ``1.`` (probe 20); ``عام 2003.`` still ends one."""
    text = "مطالب المحتجين:\n1. انسحاب القوات. 2. إغلاق القواعد\n  3. إنهاء المهمة\nفي عام 2003. وقال 12345. ثم"
    assert sentences(text) == [
        "مطالب المحتجين:",
        "1. انسحاب القوات.",
        "2. إغلاق القواعد",
        "3. إنهاء المهمة",
        "في عام 2003.",
        "وقال 12345.",
        "ثم",
    ]
    # four digits at a line start or after a sentence end are a year that ends one, not a list number
    assert sentences("حدث ذلك.\n2003. وقال المتحدث") == ["حدث ذلك.", "2003.", "وقال المتحدث"]
    assert sentences("انتهى الاجتماع. 2003. وقال") == ["انتهى الاجتماع.", "2003.", "وقال"]
    # after a sentence that ends in a closing quote or bracket, as after any other sentence end
    assert sentences("قال: «انتهى الأمر.» 2. إغلاق القواعد") == ["قال: «انتهى الأمر.»", "2. إغلاق القواعد"]
    assert sentences("(انتهى الأمر.) 2. إغلاق القواعد") == ["(انتهى الأمر.)", "2. إغلاق القواعد"]
    assert sentences("وصل الوفد (من بغداد) 2. وقال") == ["وصل الوفد (من بغداد) 2.", "وقال"]


def test_a_list_number_after_a_bullet_stays_with_its_item() -> None:
    """``* 1. انسحاب``: a bullet before the number at a line start (probe of session 22)."""
    text = "أهم النقاط:\n* 1. انسحاب القوات.\n  - 12. بقاء المستشارين\n• 3. إغلاق القواعد"
    assert sentences(text) == [
        "أهم النقاط:", "* 1. انسحاب القوات.", "- 12. بقاء المستشارين", "• 3. إغلاق القواعد"
    ]
    # a bullet mid-line is not a list item's, and a year after a bullet still ends a sentence
    assert sentences("قال الوزير * 1. وأضاف") == ["قال الوزير * 1.", "وأضاف"]
    assert sentences("انتهى.\n- 2003. وقال") == ["انتهى.", "- 2003.", "وقال"]


def test_the_era_of_a_year_ends_a_sentence() -> None:
    """``عام 2005 م.`` ends a sentence as ``عام 2005م.`` does; other one-letter words after numbers do not."""
    assert sentences("وقع الاتفاق عام 2005 م. وبعد ذلك انسحبت القوات.") == [
        "وقع الاتفاق عام 2005 م.", "وبعد ذلك انسحبت القوات."
    ]
    assert sentences("وقع الاتفاق عام 2005م. وبعد ذلك") == ["وقع الاتفاق عام 2005م.", "وبعد ذلك"]
    assert sentences("توفي سنة 1440 هـ. وقال") == ["توفي سنة 1440 هـ.", "وقال"]
    assert sentences("سنة ٢٠٠٥ م. وقال") == ["سنة ٢٠٠٥ م.", "وقال"]
    date = "الأحد 12 رمضان 1445 هـ. الموافق 24 مارس 2024 م. وقال المتحدث"
    assert sentences(date) == ["الأحد 12 رمضان 1445 هـ. الموافق 24 مارس 2024 م.", "وقال المتحدث"]
    assert sentences("1445هـ. الموافق 2024م. وقال") == ["1445هـ. الموافق 2024م.", "وقال"]
    assert sentences("عام 2005 م.\nالموافق") == ["عام 2005 م.", "الموافق"]
    for text in ("من 3 م. إلى 4 م. يصعد", "بكلفة 2.5 م. د. للتهيئة", "على بعد 12005 م. من", "في 1.2005 م. وقال"):
        assert sentences(text) == [text]
