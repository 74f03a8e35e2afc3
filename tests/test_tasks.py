"""Task decoders on hand-made logits: NER spans, stance and holder, document stance, events."""

from __future__ import annotations

import pytest
import torch

from arabnews_nlp.encoding import EncodedSpan, Window
from arabnews_nlp.results import Entity
from arabnews_nlp.schema import EVENT_TYPES, NER_TAGS, STANCE_LABELS
from arabnews_nlp.settings import AnalyzerSettings
from arabnews_nlp.tasks import events, ner, stance
from arabnews_nlp.text.words import split_words

TEXT = "وقال السوداني إن بغداد"
WORDS = [(0, 4), (5, 13), (14, 16), (17, 22)]


def _tag_logits(tags: list[str | None]) -> torch.Tensor:
    """One row per token: a strong logit on the given tag (``None``: special token)."""
    rows = torch.zeros(len(tags), len(NER_TAGS))
    for i, tag in enumerate(tags):
        rows[i, NER_TAGS.index(tag or "O")] = 5.0
    return rows


def test_ner_spans_and_offsets() -> None:
    window = Window([2, 10, 11, 12, 13, 14, 3], [None, 0, 1, 1, 2, 3, None])
    span = EncodedSpan(0, len(TEXT), WORDS, [window])
    logits = _tag_logits([None, "O", "B-PER", "B-LOC", "O", "B-LOC", None])  # 2nd piece of word 1 ignored
    entities = ner.decode(TEXT, span, [logits], AnalyzerSettings())
    assert [(e.text, e.label) for e in entities] == [("السوداني", "PER"), ("بغداد", "LOC")]
    assert all(TEXT[e.start : e.end] == e.text and 0 < e.score < 1 for e in entities)


def test_ner_multiword_entity_score_is_mean() -> None:
    window = Window([2, 10, 11, 3], [None, 0, 1, None])
    span = EncodedSpan(0, 13, [(0, 4), (5, 13)], [window])
    logits = _tag_logits([None, "B-ORG", "I-ORG", None])
    logits[2, NER_TAGS.index("I-ORG")] = 1.0
    (entity,) = ner.decode(TEXT, span, [logits], AnalyzerSettings())
    probs = logits.softmax(-1)
    expected = (probs[1].max() + probs[2].max()).item() / 2
    assert (entity.start, entity.end, entity.label) == (0, 13, "ORG")
    assert entity.score == pytest.approx(expected)


def test_ner_tag_comes_from_most_central_window() -> None:
    # word 1 is at the edge of window A and in the middle of window B
    a = Window([2, 10, 11, 3], [None, 0, 1, None])
    b = Window([2, 10, 11, 12, 3], [None, 0, 1, 2, None])
    span = EncodedSpan(0, 16, WORDS[:3], [a, b])
    tags = ner.word_tags(span, [_tag_logits([None, "O", "B-LOC", None]), _tag_logits([None, "O", "B-PER", "O", None])], NER_TAGS)
    assert tags[1][0] == "B-PER"


def test_names_joined_by_an_underscore_are_one_entity() -> None:
    text = "#دونالد_ترامب و#جو_بغداد و#جو بايدن"
    words = split_words(text)
    assert [text[s:e] for s, e in words][:4] == ["#", "دونالد", "_", "ترامب"]
    tags = ["O", "B-PER", "O", "B-PER", "O", "O", "B-PER", "O", "B-LOC", "O", "O", "B-PER", "B-PER"]
    window = Window([2, *range(10, 10 + len(words)), 3], [None, *range(len(words)), None])
    span = EncodedSpan(0, len(text), words, [window])
    entities = ner.decode(text, span, [_tag_logits([None, *tags, None])], AnalyzerSettings())
    # one type across the underscore: joined; two types, or a space between: left apart
    assert [(e.text, e.label) for e in entities] == [
        ("دونالد_ترامب", "PER"), ("جو", "PER"), ("بغداد", "LOC"), ("جو", "PER"), ("بايدن", "PER")
    ]
    assert all(text[e.start : e.end] == e.text for e in entities)


def test_word_without_tokens_is_outside() -> None:
    span = EncodedSpan(0, 16, WORDS[:3], [Window([2, 10, 3], [None, 0, None])])
    tags = ner.word_tags(span, [_tag_logits([None, "B-LOC", None])], NER_TAGS)
    assert tags[1:] == [("O", 1.0), ("O", 1.0)]


def test_empty_span_decodes_to_nothing() -> None:
    span = EncodedSpan(0, 1, [], [])
    settings = AnalyzerSettings()
    assert ner.decode("x", span, [], settings) == ()
    assert events.decode("x", span, [], settings) == ()
    assert stance.decode("x", span, [], settings).label == "neutral"
    assert stance.decode("x", span, [], settings).score == 1.0


def _stance_logits(label: str, strength: float = 4.0) -> torch.Tensor:
    logits = torch.zeros(len(STANCE_LABELS))
    logits[STANCE_LABELS.index(label)] = strength
    return logits


def test_stance_averages_windows_and_finds_holder() -> None:
    span = EncodedSpan(0, len(TEXT), WORDS, [Window([2, 3], [None, None])] * 2)
    person = Entity(5, 13, "PER", "السوداني", 0.9)
    place = Entity(17, 22, "LOC", "بغداد", 0.9)
    result = stance.decode(TEXT, span, [_stance_logits("anti"), _stance_logits("neutral", 1.0)], AnalyzerSettings(), entities=[person, place])
    expected = (_stance_logits("anti").softmax(-1) + _stance_logits("neutral", 1.0).softmax(-1)) / 2
    assert result.label == "anti"
    assert result.score == pytest.approx(expected[0].item())
    assert result.holder == person
    neutral = stance.decode(TEXT, span, [_stance_logits("neutral")], AnalyzerSettings(), entities=[person])
    assert neutral.holder is None


def test_stance_weights_shift_the_choice_but_not_the_score() -> None:
    span = EncodedSpan(0, len(TEXT), WORDS, [Window([2, 3], [None, None])])
    logits = torch.tensor([1.0, 0.0, 1.5])  # anti, pro, neutral: neutral wins by default
    person = Entity(5, 13, "PER", "السوداني", 0.9)
    plain = stance.decode(TEXT, span, [logits], AnalyzerSettings(), entities=[person])
    weighted = stance.decode(TEXT, span, [logits], AnalyzerSettings(stance_weights={"anti": 2.0}), entities=[person])
    assert (plain.label, weighted.label) == ("neutral", "anti")
    assert weighted.score == pytest.approx(logits.softmax(-1)[0].item())
    assert weighted.holder == person


def test_holder_rules() -> None:
    text = "السوداني قال إن القوات"  # subject-verb
    words = [(0, 8), (9, 12), (13, 15), (16, 22)]
    person = Entity(0, 8, "PER", "السوداني", 0.9)
    assert stance.find_holder(text, words, [person]) == person
    loc = Entity(0, 8, "LOC", "السوداني", 0.9)
    assert stance.find_holder(text, words, [loc]) is None  # only PER/ORG hold stances
    no_verb = "السوداني يزور قاعدة القوات"
    assert stance.find_holder(no_verb, split_words(no_verb), [person]) is None
    vso = "وقال رئيس الوزراء العراقي محمد شياع السوداني إن"
    name = Entity(26, 44, "PER", "محمد شياع السوداني", 0.9)
    assert vso[26:44] == name.text
    assert stance.find_holder(vso, split_words(vso), [Entity(0, 4, "ORG", "وقال", 0.5), name]) == name


@pytest.mark.parametrize(
    "word", ["قال", "وقال", "فقالت", "أكّد", "اكد", "يؤكد", "وطالبوا", "نفت", "دعا", "حذّر", "وأشار", "أوضحت", "أعرب", "يطلب"]
)
def test_speech_verbs(word: str) -> None:
    assert stance.is_speech_verb(word)


def test_a_preposition_spelled_like_a_speech_verb_does_not_pick_the_holder() -> None:
    text = "وبعد اجتماع بين وزارة الخارجية والسفير قال السوداني إن القوات ستغادر"
    ministry = Entity(text.index("وزارة"), text.index("وزارة") + len("وزارة الخارجية"), "ORG", "وزارة الخارجية", 0.9)
    person = Entity(text.index("السوداني"), text.index("السوداني") + 8, "PER", "السوداني", 0.9)
    assert stance.find_holder(text, split_words(text), [ministry, person]) == person


def test_holder_prefers_the_person_to_the_organisation_of_their_title() -> None:
    text = "وقال عضو المكتب السياسي في الحزب الشيوعي العراقي جاسم الحلفي إن القوات يجب أن تغادر"
    party = Entity(text.index("الحزب"), text.index("الحزب") + len("الحزب الشيوعي العراقي"), "ORG",
                   "الحزب الشيوعي العراقي", 0.9)  # fmt: skip
    person = Entity(text.index("جاسم"), text.index("جاسم") + len("جاسم الحلفي"), "PER", "جاسم الحلفي", 0.9)
    assert stance.find_holder(text, split_words(text), [party, person]) == person
    assert stance.find_holder(text, split_words(text), [party]) == party  # no person: the organisation speaks


def _entity(text: str, name: str, label: str) -> Entity:
    start = text.index(name)
    return Entity(start, start + len(name), label, name, 0.9)


def test_the_forces_the_stance_is_about_are_never_its_holder() -> None:
    text = "وطالبت طهران بخروج القوات الأمريكية من العراق"
    tehran, forces = _entity(text, "طهران", "LOC"), _entity(text, "القوات الأمريكية", "ORG")
    assert stance.find_holder(text, split_words(text), [tehran, forces]) is None
    assert stance.is_reported(text, split_words(text), [tehran, forces])  # still a reported position
    assert stance.is_reported(text, split_words(text), [forces])  # the target's speech verb too
    text = "وأكد وزير الخارجية الكردي أن وجود قوات التحالف ضروري"
    assert stance.find_holder(text, split_words(text), [_entity(text, "قوات التحالف", "ORG")]) is None
    text = "وقال تحالف الفتح إن القوات الأمريكية يجب أن تغادر"  # an Iraqi alliance is not the coalition
    fatah = _entity(text, "تحالف الفتح", "ORG")
    assert stance.find_holder(text, split_words(text), [fatah, _entity(text, "القوات الأمريكية", "ORG")]) == fatah


def test_a_country_speaking_for_its_government_reports_a_position() -> None:
    """``حذرت أنقرة`` (SCHEMA.md keeps the name LOC) is a reported position, not the article's own voice."""
    text = "وحذرت أنقرة باريس من إرسال قوات إلى منبج"
    ankara, paris = _entity(text, "أنقرة", "LOC"), _entity(text, "باريس", "LOC")
    assert stance.is_reported(text, split_words(text), [ankara, paris])
    assert stance.find_holder(text, split_words(text), [ankara, paris]) is None  # holders stay PER/ORG
    text = "وسيطرت القوات على منبج بعد معارك"  # no speech verb: the article's own report
    assert not stance.is_reported(text, split_words(text), [_entity(text, "منبج", "LOC")])


@pytest.mark.parametrize(
    ("name", "target"),
    [("القوات الأمريكية", True), ("لقوات التحالف الدولي", True), ("والتحالف الدولي", True), ("القوات الأجنبية", True),
     ("المستشارين الأمريكيين", True), ("ﺍﻟﻘﻮﺍﺕ الأمريكية", True), ("البنتاغون", False), ("وزارة الدفاع الأمريكية", False),
     ("قوات الحشد الشعبي", False), ("تحالف الفتح", False), ("التحالف الوطني", False), ("الجيش الأمريكي", True),
     ("لقوات الاحتلال", True), ("قوات الاحتلال الإسرائيلي", False), ("الجيش العراقي", False)],
)  # fmt: skip
def test_is_stance_target(name: str, target: bool) -> None:
    assert stance.is_stance_target(name) is target


@pytest.mark.parametrize("word", ["ﻭﻗﺎﻝ", "و\u200cقال", "وقـــال", "ﻗﺎﻟﺖ", "و\u2060أكد"])
def test_speech_verbs_in_presentation_forms_and_with_invisible_characters(word: str) -> None:
    assert stance.is_speech_verb(word)
    text = f"{word} السوداني إن القوات يجب أن تغادر"
    person = _entity(text, "السوداني", "PER")
    assert stance.find_holder(text, split_words(text), [person]) == person


@pytest.mark.parametrize("word", ["القوات", "وقالب", "السوداني", "", "بين", "عبر", "تابع"])
def test_not_speech_verbs(word: str) -> None:
    assert not stance.is_speech_verb(word)


def test_document_stance_rule() -> None:
    settings = AnalyzerSettings()
    assert stance.document_stance([], settings).label == "neutral"
    mostly_factual = [[0.1, 0.1, 0.8]] * 3 + [[0.8, 0.1, 0.1]]
    assert stance.document_stance(mostly_factual, settings).label == "anti"  # 0.8+0.075 vs 0.6+0.1
    settings.doc_stance["neutral_weight"] = 1.0
    assert stance.document_stance(mostly_factual, settings).label == "neutral"
    settings.doc_stance["neutral_weight"] = 0.0
    assert stance.document_stance([[0.1, 0.2, 0.7]], settings).label == "neutral"


def test_document_stance_is_the_articles_own_voice() -> None:
    """SCHEMA.md: ``neutral`` when the article only reports; a reported position (with a holder) does not count."""
    settings = AnalyzerSettings()
    reporting = [[0.1, 0.1, 0.8], [0.9, 0.05, 0.05], [0.04, 0.93, 0.03]]
    assert stance.document_stance(reporting, settings).label == "pro"  # without holders: its positions decide
    only_reports = stance.document_stance(reporting, settings, reported=[False, True, True])
    assert only_reports.label == "neutral" and only_reports.score == pytest.approx((0.8 + 1.0 + 1.0) / 3)
    assert stance.document_stance(reporting, settings, reported=[False, False, True]).label == "anti"  # its own voice
    settings.doc_stance["reported_weight"] = 1.0  # the rule before: reported positions count in full
    assert stance.document_stance(reporting, settings, reported=[False, True, True]).label == "pro"
    settings.doc_stance["reported_weight"] = 0.5
    assert stance.document_stance([[0.8, 0.1, 0.1]], settings, reported=[True]).score == pytest.approx(0.55)
    with pytest.raises(ValueError):  # one flag per sentence
        stance.document_stance(reporting, settings, reported=[True])
    float32_sums = [[0.30000001192092896, 0.2000000029802322, 0.5000000596046448]]  # a softmax's, over 1
    assert stance.document_stance(float32_sums, AnalyzerSettings(), reported=[True]).score == 1.0


def test_events_threshold_and_max_over_windows() -> None:
    settings = AnalyzerSettings(event_thresholds={"THREAT": 0.9})
    span = EncodedSpan(0, 1, [(0, 1)], [Window([2, 3], [None, None])] * 2)
    first = torch.full((len(EVENT_TYPES),), -5.0)
    second = first.clone()
    first[EVENT_TYPES.index("ROCKET_ATTACK")] = 3.0
    second[EVENT_TYPES.index("CASUALTIES")] = 1.0
    second[EVENT_TYPES.index("THREAT")] = 1.0  # 0.73 < 0.9
    found = events.decode("x", span, [first, second], settings)
    assert [e.label for e in found] == ["ROCKET_ATTACK", "CASUALTIES"]
    assert found[0].score == pytest.approx(torch.sigmoid(torch.tensor(3.0)).item())


def test_viterbi_never_fragments_names() -> None:
    from arabnews_nlp.schema import NER_TAGS
    from arabnews_nlp.tasks.ner import viterbi_bio

    def row(**probs: float) -> list[float]:
        rest = (1.0 - sum(probs.values())) / (len(NER_TAGS) - len(probs))
        return [probs.get(tag.replace("-", "_"), rest) for tag in NER_TAGS]

    # argmax: B-ORG, B-LOC, I-ORG (an orphan I-ORG): the valid best keeps one ORG name
    rows = [row(B_ORG=0.9), row(I_ORG=0.4, B_LOC=0.45), row(I_ORG=0.9)]
    assert [NER_TAGS[i] for i in viterbi_bio(rows, NER_TAGS)] == ["B-ORG", "I-ORG", "I-ORG"]
    # a sentence-initial I-X is impossible; O -> I-X too
    assert NER_TAGS[viterbi_bio([row(I_PER=0.6, B_PER=0.3)], NER_TAGS)[0]] == "B-PER"
    tags = [NER_TAGS[i] for i in viterbi_bio([row(O=0.9), row(I_LOC=0.5, O=0.4)], NER_TAGS)]
    assert tags in (["O", "O"], ["O", "B-LOC"])
    assert viterbi_bio([], NER_TAGS) == []


def test_argmax_decoding_keeps_each_words_best_tag() -> None:
    from arabnews_nlp.tasks.ner import argmax_tags, viterbi_bio

    labels = ["O", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    rows = [[0, 0.9, 0.1, 0, 0], [0, 0.1, 0.4, 0.5, 0], [0, 0, 0.9, 0, 0.1]]
    assert [labels[i] for i in argmax_tags(rows, labels)] == ["B-ORG", "B-LOC", "I-ORG"]
    assert [labels[i] for i in viterbi_bio(rows, labels)] == ["B-ORG", "I-ORG", "I-ORG"]
