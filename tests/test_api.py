"""Analyzer robustness: input types, empty and odd text, long sentences and texts, batching."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

import arabnews_nlp
from arabnews_nlp import api
from arabnews_nlp.api import Analyzer
from arabnews_nlp.errors import ConfigError, InputTypeError, ModelNotFoundError, TextsTypeError
from arabnews_nlp.model_source import MODEL_ENV
from arabnews_nlp.results import Analysis
from arabnews_nlp.schema import NER_TAGS

SEED = Path(__file__).resolve().parent.parent / "seeds" / "raw" / "003_3d8287543a3c1b7b.txt"
ODD_TEXTS = [
    "The coalition said 2,500 troops remain. No Arabic here!",
    "قال mixed نص with English و123 أرقام ٤٥٦ in بغداد.",
    "هجوم 🚀🔥 على القاعدة 👍🏽. 👨‍👩‍👧",
    "\u202bقال السوداني\u202c \u200fإن\u200e القوات\u200b ستغادر\x00\x07.\ufeff",
    "\u0640\u064e\u064b ـــ ... ؟؟ «»",
    "a\u0301\u0302 \U0001d400\U0001d401 \ud7ff \uffff",
    "\r\n\u2028سطر\u2029سطر\x0b\x0c",
    "\ud800abc قال x\udfff. \U0010ffff",  # lone surrogates, as json.loads can produce
]


def check_analysis(analysis: Analysis, text: str) -> None:
    """The offset invariants every analysis must satisfy."""
    assert analysis.text is text or analysis.text == text
    for sentence in analysis.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert 0.0 <= sentence.stance.score <= 1.0 + 1e-6
        for event in sentence.events:
            assert 0.0 <= event.score <= 1.0
        if sentence.stance.holder is not None:
            assert sentence.stance.holder in sentence.entities
    for entity in analysis.entities:
        assert text[entity.start : entity.end] == entity.text
        assert entity.text and not entity.text[0].isspace() and not entity.text[-1].isspace()
        assert 0.0 <= entity.score <= 1.0 + 1e-6
    covered = {i for s in analysis.sentences for i in range(s.start, s.end)}
    assert all(i in covered for i, char in enumerate(text) if not char.isspace())
    analysis.to_json()


@pytest.mark.parametrize("value", [None, b"bytes", 5, ["list"]])
def test_non_str_input(tiny_analyzer: Analyzer, value: Any) -> None:
    with pytest.raises(InputTypeError, match=type(value).__name__) as info:
        tiny_analyzer.analyze(value)
    assert isinstance(info.value, TypeError)
    with pytest.raises(InputTypeError):
        arabnews_nlp.analyze(value)  # checked before any model is loaded


def test_pipe_argument_errors(tiny_analyzer: Analyzer) -> None:
    with pytest.raises(TextsTypeError):
        tiny_analyzer.pipe("a single string")
    for not_iterable in (None, 5):
        with pytest.raises(TextsTypeError, match=f"got {not_iterable}. Call analyze"):
            tiny_analyzer.pipe(not_iterable)  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match=r"texts\[1\]"):
        list(tiny_analyzer.pipe(["نص", 3]))
    with pytest.raises(TextsTypeError, match=r"got a dict, whose iteration gives its keys. Pass its texts"):
        tiny_analyzer.pipe({"doc-1": "نص"})  # type: ignore[arg-type]

    class Frame:  # iterating a pandas DataFrame gives its column names
        columns = ["text"]

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(self.columns)

    with pytest.raises(TextsTypeError, match=r"got a Frame, whose iteration gives its column names. Pass its text column"):
        tiny_analyzer.pipe(Frame())  # type: ignore[arg-type]  # was one analysis of the word "text"


def test_an_analysis_remembers_that_it_read_a_web_page(tiny_analyzer: Analyzer) -> None:
    page = "<p>قال <b>السوداني</b> في بغداد.</p>"
    assert tiny_analyzer.analyze(page, markup="html").markup == "html" and tiny_analyzer.analyze(page).markup == "text"
    assert tiny_analyzer.analyze("<p> </p>", markup="html").markup == "html"
    assert tiny_analyzer.analyze(page, markup="html").to_dict() == tiny_analyzer.analyze(page, markup="html").to_dict()
    assert "markup" not in tiny_analyzer.analyze(page, markup="html").to_dict()


def test_pipe_yields_the_documents_before_a_bad_item(tiny_analyzer: Analyzer) -> None:
    """A bad item (or an input that fails) ends the run after the analyses of everything before it."""
    texts: list[object] = ["قال السوداني إن القوات ستغادر."] * 150
    results: list[object] = []
    with pytest.raises(InputTypeError, match=r"texts\[150\]"):
        for analysis in tiny_analyzer.pipe([*texts, None, "نص"], batch_size=2):  # type: ignore[list-item]
            results.append(analysis)
    assert len(results) == 150

    def failing() -> Iterator[str]:
        yield from ["نص"] * 40
        raise OSError("the disk went away")

    results.clear()
    with pytest.raises(OSError, match="the disk went away"):
        for analysis in tiny_analyzer.pipe(failing(), batch_size=2):
            results.append(analysis)
    assert len(results) == 40
    with pytest.raises(ConfigError):
        tiny_analyzer.pipe(["نص"], batch_size=0)


@pytest.mark.parametrize("text", ["", " ", "\n\t  \u3000\n"])
def test_empty_text(tiny_analyzer: Analyzer, text: str) -> None:
    assert tiny_analyzer.analyze(text).to_dict() == {
        "text": text,
        "stance": {"label": "neutral", "score": 1.0},
        "events": [],
        "entities": [],
        "sentences": [],
    }


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_text(tiny_analyzer: Analyzer, text: str) -> None:
    check_analysis(tiny_analyzer.analyze(text), text)


def _force_heads(analyzer: Analyzer, tag: str) -> None:
    with torch.no_grad():
        analyzer.model.ner_head.weight.zero_()
        analyzer.model.ner_head.bias.fill_(-10.0)
        analyzer.model.ner_head.bias[NER_TAGS.index(tag)] = 10.0
        analyzer.model.event_head.weight.zero_()
        analyzer.model.event_head.bias.fill_(5.0)


def test_long_sentence_every_word_predicted(tiny_analyzer: Analyzer) -> None:
    _force_heads(tiny_analyzer, "I-LOC")  # every word I-LOC: one entity iff no word is dropped
    text = "  " + " ".join(["قوات التحالف الدولي في بغداد والأنبار"] * 12) + "  "
    (span,) = [tiny_analyzer._prepare(text).spans[0]]
    assert len(span.windows) > 5
    analysis = tiny_analyzer.analyze(text)
    assert len(analysis.sentences) == 1
    (entity,) = analysis.entities
    assert (entity.start, entity.end) == (2, len(text) - 2)
    # Viterbi decoding must open the entity with B-LOC (near-zero probability here): one word of 72
    assert 70 / 72 < entity.score < 1.0
    assert len(analysis.sentences[0].events) == len(tiny_analyzer.settings.labels["events"])


def test_one_megabyte_text_in_bounded_batches(tiny_analyzer: Analyzer) -> None:
    seed = SEED.read_text(encoding="utf-8")
    text = (seed * (1_000_000 // len(seed) + 1))[:1_000_000]
    largest = [0]
    forward = tiny_analyzer.model.forward

    def recording_forward(*args: Any, **kwargs: Any) -> Any:
        largest[0] = max(largest[0], kwargs["input_ids"].numel())
        return forward(*args, **kwargs)

    tiny_analyzer.model.forward = recording_forward  # type: ignore[method-assign]
    analysis = next(tiny_analyzer.pipe([text], batch_size=256))
    assert largest[0] <= 256 * tiny_analyzer.settings.max_length
    assert len(analysis.sentences) > 1000
    check_analysis(analysis, text)


@pytest.mark.parametrize("batch_size", [1, 3, 64])
def test_pipe_equals_analyze(tiny_analyzer: Analyzer, batch_size: int) -> None:
    seed = SEED.read_text(encoding="utf-8")
    texts = [seed[:300], "", ODD_TEXTS[1], seed[300:1500], "قال السوداني.", *ODD_TEXTS[2:4]]
    single = [tiny_analyzer.analyze(text).to_dict() for text in texts]
    piped = [analysis.to_dict() for analysis in tiny_analyzer.pipe(iter(texts), batch_size=batch_size)]
    assert len(piped) == len(texts)
    for one, many in zip(single, piped):
        assert one["text"] == many["text"]
        assert [(e["start"], e["end"], e["label"]) for e in one["entities"]] == [
            (e["start"], e["end"], e["label"]) for e in many["entities"]
        ]
        assert one["stance"]["label"] == many["stance"]["label"]
        assert one["stance"]["score"] == pytest.approx(many["stance"]["score"], abs=1e-4)
        for a, b in zip(one["sentences"], many["sentences"], strict=True):
            assert a["stance"]["label"] == b["stance"]["label"]
            assert [e["label"] for e in a["events"]] == [e["label"] for e in b["events"]]


def test_progress_bar(tiny_analyzer: Analyzer, capsys: pytest.CaptureFixture[str]) -> None:
    results = list(tiny_analyzer.pipe(["قال.", "نفى."], progress=True))
    assert len(results) == 2
    assert capsys.readouterr().out == ""  # progress goes to stderr


def test_module_analyze_uses_env_and_caches(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api._cached_analyzer.cache_clear()
    monkeypatch.setenv(MODEL_ENV, str(tiny_model_dir))
    try:
        first = arabnews_nlp.analyze("قال السوداني في بغداد.")
        assert first.sentences and api._cached_analyzer.cache_info().currsize == 1
        arabnews_nlp.analyze("نص آخر.")
        assert api._cached_analyzer.cache_info().hits == 1
    finally:
        api._cached_analyzer.cache_clear()


def test_module_analyze_loads_the_model_once_under_threads(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    api._cached_analyzer.cache_clear()
    loads: list[int] = []
    from_pretrained = Analyzer.from_pretrained.__func__

    def slow_load(cls: type, *args: Any, **kwargs: Any) -> Analyzer:
        loads.append(threading.get_ident())
        time.sleep(0.3)  # both threads arrive while the first load runs
        return from_pretrained(cls, *args, **kwargs)

    monkeypatch.setattr(Analyzer, "from_pretrained", classmethod(slow_load))
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda text: arabnews_nlp.analyze(text, model=tiny_model_dir), ["قال.", "نفى."]))
        assert len(loads) == 1 and len(results) == 2
    finally:
        api._cached_analyzer.cache_clear()


def test_quantize_with_a_gpu_device_is_refused() -> None:
    for device in ("cuda", "cuda:1"):
        with pytest.raises(ConfigError, match="quantize=True runs on the CPU"):
            Analyzer.from_pretrained("no/such/model", device=device, quantize=True)  # refused before loading


def test_module_analyze_takes_a_model(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api._cached_analyzer.cache_clear()
    monkeypatch.setenv(MODEL_ENV, str(tiny_model_dir.parent / "no-such-model"))  # model= wins over the variable
    monkeypatch.chdir(tiny_model_dir.parent)
    try:
        expected = Analyzer.from_pretrained(tiny_model_dir, device="cpu").analyze("قال السوداني في بغداد.").to_dict()
        assert arabnews_nlp.analyze("قال السوداني في بغداد.", model=tiny_model_dir.name).to_dict() == expected
        arabnews_nlp.analyze("نص.", model=tiny_model_dir)  # the same directory by another path: loaded once
        assert api._cached_analyzer.cache_info().hits == 1
        for default in (None, ""):  # "" is no model (not the working directory): the variable's
            with pytest.raises(ModelNotFoundError, match="no-such-model"):
                arabnews_nlp.analyze("نص.", model=default)
    finally:
        api._cached_analyzer.cache_clear()


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(exclude_categories=()), max_size=40))  # surrogates included
def test_offsets_on_random_unicode(tiny_analyzer: Analyzer, text: str) -> None:
    check_analysis(tiny_analyzer.analyze(text), text)


def test_html_offsets_index_the_page_and_match_the_plain_text(tiny_analyzer: Analyzer) -> None:
    plain = "قال رئيس الوزراء محمد شياع السوداني إن بغداد تريد خروج قوات التحالف الدولي من العراق."
    page = f'<html><head><script>var a = "<p>{plain}</p>";</script></head><body><p class="x">{plain}</p><!-- {plain} --></body></html>'
    analysis = tiny_analyzer.analyze(page, markup="html")
    assert analysis.text is page
    for entity in analysis.entities:
        assert page[entity.start : entity.end] == entity.text
    for sentence in analysis.sentences:
        assert page[sentence.start : sentence.end] == sentence.text
        if sentence.stance.holder is not None:
            assert sentence.stance.holder in sentence.entities
    # the page's only visible text is the plain sentence: the same analysis, shifted to its place
    shift = page.index("<p class") + len('<p class="x">')
    expected = tiny_analyzer.analyze(plain)
    assert [(e.start + shift, e.end + shift, e.label, e.text) for e in expected.entities] == [
        (e.start, e.end, e.label, e.text) for e in analysis.entities
    ]
    assert [(s.start + shift, s.stance.label, [e.label for e in s.events]) for s in expected.sentences] == [
        (s.start, s.stance.label, [e.label for e in s.events]) for s in analysis.sentences
    ]
    assert analysis.stance.label == expected.stance.label


def test_html_entity_text_is_the_source_slice(tiny_analyzer: Analyzer) -> None:
    _force_heads(tiny_analyzer, "I-LOC")  # every word one LOC entity: it spans the inline tag
    page = "<p>بغداد <b>والأنبار</b></p>"
    (entity,) = tiny_analyzer.analyze(page, markup="html").entities
    assert entity.text == "بغداد <b>والأنبار" == page[entity.start : entity.end]


def test_html_spans_ending_on_a_reference_hold_all_of_it(tiny_analyzer: Analyzer) -> None:
    _force_heads(tiny_analyzer, "I-LOC")  # every word one LOC entity
    page = "<title>عنوان</title><p>بغدا&#1583; والأنبا&#x631;\nوالعرا&#1602;&#1567;</p>"
    analysis = tiny_analyzer.analyze(page, markup="html")
    (sentence,) = analysis.sentences  # the title is not read; the source line break is a space
    assert sentence.text == "بغدا&#1583; والأنبا&#x631;\nوالعرا&#1602;&#1567;" == page[sentence.start : sentence.end]
    (entity,) = analysis.entities  # the forced tags take the question mark too
    assert entity.text == sentence.text and entity.end == sentence.end


@pytest.mark.parametrize("page", ["", "<p></p>", "<script>قال</script><!-- بغداد -->", "<br/>\n<hr>"])
def test_html_without_text_is_empty(tiny_analyzer: Analyzer, page: str) -> None:
    assert tiny_analyzer.analyze(page, markup="html").to_dict() == {
        "text": page, "stance": {"label": "neutral", "score": 1.0}, "events": [], "entities": [], "sentences": []
    }  # fmt: skip


def test_markup_must_be_text_or_html(tiny_analyzer: Analyzer) -> None:
    for call in (
        lambda: tiny_analyzer.analyze("نص", markup="xml"),
        lambda: tiny_analyzer.pipe(["نص"], markup="HTML"),
        lambda: arabnews_nlp.analyze("نص", markup=None),  # checked before any model is loaded
    ):
        with pytest.raises(ConfigError, match="markup must be one of 'text', 'html'"):
            call()


def test_an_invisible_character_inside_a_word_does_not_split_it(tiny_analyzer: Analyzer) -> None:
    for mark in ("\u200c", "\u00ad", "\u2060"):
        text = f"و{mark}قال السوداني"
        (span,) = tiny_analyzer._prepare(text).spans
        assert [text[s:e] for s, e in span.words] == [f"و{mark}قال", "السوداني"]
        plain = tiny_analyzer._prepare("وقال السوداني").spans[0]
        assert [w.input_ids for w in span.windows] == [w.input_ids for w in plain.windows]
        check_analysis(tiny_analyzer.analyze(text), text)


def test_html_needs_a_model_that_removes_invisible_characters(tiny_analyzer: Analyzer) -> None:
    import dataclasses

    tiny_analyzer.settings.normalization = dataclasses.replace(tiny_analyzer.settings.normalization, remove_invisible=False)
    with pytest.raises(ConfigError, match="remove_invisible: false"):
        tiny_analyzer.analyze("<p>نص</p>", markup="html")
    assert tiny_analyzer.analyze("<p>نص</p>").sentences  # as text it still works


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_text_says_to_drop_or_fill_it_not_to_analyse_its_str(tiny_analyzer: Analyzer, missing: Any) -> None:
    with pytest.raises(InputTypeError, match=r"texts\[1\] must be a str, got \w+ \w+, a missing value.*fillna\(''\)") as info:
        list(tiny_analyzer.pipe(["نص", missing]))
    assert "str(value)" not in str(info.value)
    with pytest.raises(InputTypeError, match=r"Decode bytes first"):
        tiny_analyzer.analyze(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(InputTypeError, match=r"got int\. Pass str\(value\)"):
        tiny_analyzer.analyze(5)  # type: ignore[arg-type]


def test_a_list_or_a_record_says_how_to_pass_it_not_to_analyse_its_str(tiny_analyzer: Analyzer) -> None:
    # str() of a list or a JSONL record would analyse its brackets and quotes as words
    with pytest.raises(InputTypeError, match=r"got list\. For many documents, call .*pipe\(texts\)") as info:
        arabnews_nlp.analyze(["نص", "نص آخر"])  # type: ignore[arg-type]
    assert "str(value)" not in str(info.value)
    with pytest.raises(InputTypeError, match=r"texts\[0\] must be a str, got dict\. Pass the record's text") as info:
        list(tiny_analyzer.pipe([{"id": "a", "text": "نص"}]))  # type: ignore[list-item]
    assert "str(value)" not in str(info.value)


def test_progress_bar_knows_the_total_of_any_sized_input(tiny_analyzer: Analyzer, capsys: pytest.CaptureFixture[str]) -> None:
    texts = {"a": "قال.", "b": "نفى."}.values()  # sized, not a Sequence (as a pandas Series or a numpy array)
    assert len(list(tiny_analyzer.pipe(texts, progress=True))) == 2
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize("quantize", ["no", "false", 1, None])
def test_quantize_must_be_a_bool(quantize: Any) -> None:
    with pytest.raises(ConfigError, match="quantize must be True or False"):
        Analyzer.from_pretrained("no/such/model", device="cpu", quantize=quantize)  # refused before loading
