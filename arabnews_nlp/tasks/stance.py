"""Stance decoding: sentence stance, its holder, and the document stance.

**Sentence stance**: softmax of the stance logits, averaged over the sentence's windows, and,
when the model has one, blended with the bag-of-n-grams model's probabilities
(:func:`arabnews_nlp.ngram.blend`, weight ``settings.ngram["stance_weight"]``); the label is the argmax of the probabilities times ``settings.stance_weights`` (a per-label prior
correction tuned on dev, 1.0 when absent: rare ``pro``/``anti`` sentences are otherwise
under-predicted) and the score is its probability. A sentence without tokens is ``neutral``
with score 1.0.

**Holder** (a heuristic, not a model output): only for an ``anti`` or ``pro`` sentence, and only
a ``PER`` or ``ORG`` entity of the sentence. The first speech verb of the sentence (a form of
قال، أكد، أعلن، طالب، دعا، شدد، أضاف، صرح، اعتبر، رأى، هدد، حذر، نفى، أشار، أوضح، ذكر، أفاد،
رفض، اتهم، وصف، كشف، لفت، تابع، أردف، بيّن، جدد، أبدى، عبّر، طلب، أعرب, with or without و/ف,
past or present, any person; not the undiacritised forms that are also common other words:
بين "between", عبر "via", تابع "affiliated", تبين) marks a reported position. With the
annotated entities and stance, the rule names the annotated holder of 68 % of the real
``anti``/``pro`` training sentences and 67 % of dev's (``python scripts/holder_rule.py
seeds/train.jsonl seeds/dev.jsonl``; 66 % and 62 % when the US or coalition forces themselves
could be named, 64 % and 57 % when an ORG came first as often as a PER). Its subject is taken as
the holder, never an entity naming the forces the stance is about (:func:`is_stance_target`):
the first PER entity that starts within
:data:`HOLDER_WORDS_AFTER` words after the verb, else the first ORG there (Arabic news is mostly
verb-subject, and a speaker's title often names an organisation before the person: ``وقال عضو
المكتب السياسي في الحزب الشيوعي جاسم الحلفي``), else the nearest PER/ORG entity that ends before
the verb (subject-verb: ``السوداني قال``). If no speech verb has such an entity, the holder is
``None`` (the author's voice or an unnamed holder).

**Document stance** (rule ``weighted_mean``, parameters in ``settings.doc_stance``): the weighted
mean of the sentences' stance probabilities, where a sentence predicted ``anti`` or ``pro``
weighs 1 and a ``neutral`` one weighs ``neutral_weight`` (0.25 by default), so a few positioned
sentences are not drowned by factual reporting; the label is the argmax and the score its
probability. A document without sentences is ``neutral`` with score 1.0. SCHEMA.md defines the
document stance as that of the article's own voice, ``neutral`` when it only reports, so a
*reported* position (a positioned sentence whose speech verb has a PER, ORG or LOC subject, a
country named for its government being a LOC, :func:`is_reported`) keeps only
``reported_weight`` (0 by default) of its ``anti``/``pro`` probability; the rest counts as
``neutral``.

Example:
    >>> words = ["وقال", "السوداني"]
    >>> [is_speech_verb(word) for word in words]
    [True, False]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from arabnews_nlp.encoding import EncodedSpan
from arabnews_nlp.ngram import blend
from arabnews_nlp.results import Entity, Stance
from arabnews_nlp.schema import NEUTRAL
from arabnews_nlp.tasks.arrays import as_array, softmax
from arabnews_nlp.text.normalize import normalize_word

if TYPE_CHECKING:
    from arabnews_nlp.settings import AnalyzerSettings

HOLDER_LABELS = ("PER", "ORG")
"""Entity types that can hold a stance."""

REPORTER_LABELS = (*HOLDER_LABELS, "LOC")
"""Entity types whose speech verb makes a sentence a reported position (``حذرت أنقرة``: a government)."""

HOLDER_WORDS_AFTER = 8
"""How many words after a speech verb its subject may start (titles come first: رئيس الوزراء …)."""

_TARGET_FORCES = re.compile(
    r"^(?:[وفبل]|لل|بال|وال|وبال|ولل)?(?:ال)?(?:قوات|جنود|جيش|جيوش|قواعد|مستشار\w*)\s(?:.*\s)?\w*(?:مريك|ميرك|تحالف|اجنبي)"
    r"|^(?:[وفبل]|لل|بال|وال|وبال|ولل)?(?:ال)?قوات\sالاحتلال$"  # "the occupation forces", the anti name for them
    r"|^[وف]?(?:ال|لل|بال)تحالف(?:$|\sالدولي)"  # the coalition, not an Iraqi alliance (تحالف الفتح)
)


def is_stance_target(entity_text: str) -> bool:
    """Whether an entity names the forces the stance is about (US or coalition forces, the coalition).

    The target of a position is not its holder: in ``وطالبت طهران بخروج القوات الأمريكية`` the
    holder is not ``القوات الأمريكية`` (the rule names none there, ``طهران`` being a LOC).

    Example:
        >>> [is_stance_target(name) for name in ("القوات الأمريكية", "والتحالف الدولي", "البنتاغون", "تحالف الفتح")]
        [True, True, False, False]
    """
    return _TARGET_FORCES.search(" ".join(normalize_word(word) for word in entity_text.split())) is not None

_SPEECH_VERB_FORMS = (
    "قال قالت قالوا قالا يقول تقول يقولون "
    "أكد أكدت أكدوا أكدا يؤكد تؤكد يؤكدون "
    "أعلن أعلنت أعلنوا أعلنا يعلن تعلن يعلنون "
    "طالب طالبت طالبوا طالبا يطالب تطالب يطالبون "
    "دعا دعت دعوا يدعو تدعو يدعون "
    "شدد شددت شددوا شددا يشدد تشدد يشددون "
    "أضاف أضافت أضافوا أضافا يضيف تضيف يضيفون "
    "صرح صرحت صرحوا صرحا يصرح تصرح يصرحون "
    "اعتبر اعتبرت اعتبروا اعتبرا يعتبر تعتبر يعتبرون "
    "رأى رأت رأوا يرى ترى يرون "
    "هدد هددت هددوا هددا يهدد تهدد يهددون "
    "حذر حذرت حذروا حذرا يحذر تحذر يحذرون "
    "نفى نفت نفوا نفيا ينفي تنفي ينفون "
    "أشار أشارت أشاروا يشير تشير أوضح أوضحت أوضحوا يوضح توضح ذكر ذكرت ذكروا يذكر تذكر "
    "أفاد أفادت يفيد تفيد رفض رفضت رفضوا يرفض ترفض يرفضون اتهم اتهمت اتهموا يتهم تتهم "
    "وصف وصفت وصفوا يصف تصف كشف كشفت يكشف تكشف لفت لفتت تابعت أردف أردفت بينت يبين "
    "جدد جددت يجدد تجدد أبدى أبدت عبرت يعبر تعبر طلب طلبت يطلب تطلب أعرب أعربت يعرب تعرب"
)


def _fold(word: str) -> str:
    return normalize_word(word).replace("ؤ", "و")  # normalisation already drops diacritics, unifies alef and ya


_SPEECH_VERBS = frozenset(_fold(form) for form in _SPEECH_VERB_FORMS.split())


def is_speech_verb(word: str) -> bool:
    """Return whether ``word`` is a speech verb, optionally after the conjunction و or ف.

    Diacritics, tatweel, invisible characters, presentation forms and hamza spellings of alef
    are ignored.

    Example:
        >>> is_speech_verb("وأكّد"), is_speech_verb("فقالت"), is_speech_verb("القوات"), is_speech_verb("ﻭﻗﺎﻝ")
        (True, True, False, True)
    """
    folded = _fold(word)
    return folded in _SPEECH_VERBS or (folded[:1] in ("و", "ف") and folded[1:] in _SPEECH_VERBS)


def mean_probabilities(logits: Sequence[Any]) -> list[float]:
    """Return the softmax of each window's stance logits, averaged over windows (``[]`` if none).

    Example:
        >>> [round(p, 2) for p in mean_probabilities([[0.0, 0.0, 0.0]])]
        [0.33, 0.33, 0.33]
    """
    if not logits:
        return []
    stacked = softmax([as_array(window_logits) for window_logits in logits])
    return [float(value) for value in stacked.mean(axis=0)]


def sentence_probabilities(
    logits: Sequence[Any], settings: AnalyzerSettings, ngram: Sequence[float] | None = None
) -> list[float]:
    """Return the sentence's stance probabilities: the windows' mean, blended with ``ngram`` if given.

    Args:
        logits: Per window, its stance logits.
        settings: Gives the blend weight (``settings.ngram``).
        ngram: The n-gram model's probabilities for the sentence, if the model has one.

    Example:
        >>> from arabnews_nlp.settings import AnalyzerSettings
        >>> settings = AnalyzerSettings(ngram={"stance_weight": 0.5})
        >>> [round(p, 2) for p in sentence_probabilities([[0.0, 0.0, 0.0]], settings, [1.0, 0.0, 0.0])]
        [0.67, 0.17, 0.17]
    """
    return blend(mean_probabilities(logits), ngram, float(settings.ngram.get("stance_weight", 0.0)))


def find_holder(text: str, words: Sequence[tuple[int, int]], entities: Sequence[Entity]) -> Entity | None:
    """Return the PER/ORG entity that is the subject of the sentence's first speech verb, if any.

    After the verb a PER is preferred to an ORG (the ORG is mostly part of the speaker's title).
    The forces the stance is about are never the holder (:func:`is_stance_target`).

    Args:
        text: The caller's text.
        words: The sentence's word spans.
        entities: The sentence's entities.

    Example:
        >>> text = "وقال السوداني إن"
        >>> holder = find_holder(text, [(0, 4), (5, 13), (14, 16)], [Entity(5, 13, "PER", "السوداني", 0.9)])
        >>> holder.text
        'السوداني'
        >>> text = "وقال عضو الحزب جاسم"
        >>> find_holder(text, [(0, 4), (5, 8), (9, 14), (15, 19)],
        ...             [Entity(9, 14, "ORG", "الحزب", 0.9), Entity(15, 19, "PER", "جاسم", 0.9)]).text
        'جاسم'
    """
    candidates = [entity for entity in entities if entity.label in HOLDER_LABELS and not is_stance_target(entity.text)]
    return _speech_subject(text, words, candidates)


def is_reported(text: str, words: Sequence[tuple[int, int]], entities: Sequence[Entity]) -> bool:
    """Whether the sentence reports someone's position: :func:`find_holder`'s rule, with LOC and target entities.

    ``وطالبت طهران بخروج القوات الأمريكية`` reports a position: ``طهران`` names the Iranian
    government (SCHEMA.md keeps such a name LOC, so the rule names no holder), so it is not the
    article's own voice (:func:`document_stance`). The speech verb's nearest PER, ORG or LOC
    entity counts, the target's too (``وقالت القوات الأمريكية``).

    Example:
        >>> text = "وطالبت طهران بخروج القوات"
        >>> entities = [Entity(7, 12, "LOC", "طهران", 0.9)]
        >>> words = [(0, 6), (7, 12), (13, 18), (19, 25)]
        >>> find_holder(text, words, entities) is None, is_reported(text, words, entities)
        (True, True)
    """
    candidates = [entity for entity in entities if entity.label in REPORTER_LABELS]
    return _speech_subject(text, words, candidates) is not None


def _speech_subject(text: str, words: Sequence[tuple[int, int]], candidates: Sequence[Entity]) -> Entity | None:
    """The subject among ``candidates`` of the first speech verb that has one (see the module docstring)."""
    if not candidates:
        return None
    word_index = {start: i for i, (start, _) in enumerate(words)}
    for verb, (start, end) in enumerate(words):
        if not is_speech_verb(text[start:end]):
            continue
        after = [e for e in candidates if verb < word_index.get(e.start, -1) <= verb + HOLDER_WORDS_AFTER]
        if after:
            return next((e for e in after if e.label == "PER"), after[0])
        before = [e for e in candidates if e.end <= start]
        if before:
            return before[-1]
    return None


def choose(probabilities: Sequence[float], labels: Sequence[str], weights: Mapping[str, float]) -> int:
    """Return the index of the label with the largest weighted probability (weight 1.0 by default).

    Example:
        >>> choose([0.3, 0.1, 0.6], ["anti", "pro", "neutral"], {})
        2
        >>> choose([0.3, 0.1, 0.6], ["anti", "pro", "neutral"], {"anti": 2.5})
        0
    """
    return max(range(len(labels)), key=lambda i: probabilities[i] * weights.get(labels[i], 1.0))


def decode(
    text: str,
    span: EncodedSpan,
    logits: Sequence[Any],
    settings: AnalyzerSettings,
    entities: Sequence[Entity] = (),
    ngram: Sequence[float] | None = None,
) -> Stance:
    """Decode the stance of one sentence, with its holder.

    Args:
        text: The caller's text.
        span: The encoded sentence.
        logits: Per window, its stance logits (``(len(stance labels),)``).
        settings: Gives the stance labels.
        entities: The sentence's entities, for the holder.
        ngram: The n-gram model's stance probabilities for the sentence, if any.

    Returns:
        The stance; ``neutral`` with score 1.0 when the sentence has no tokens.

    Example:
        >>> # decode(text, span, logits, settings, entities) -> Stance('anti', 0.8, holder=Entity(...))
    """
    probabilities = sentence_probabilities(logits, settings, ngram)
    if not probabilities:
        return Stance(NEUTRAL, 1.0)
    labels = settings.labels["stance"]
    best = choose(probabilities, labels, settings.stance_weights)
    holder = find_holder(text, span.words, entities) if labels[best] != NEUTRAL else None
    return Stance(labels[best], probabilities[best], holder)


def document_stance(
    sentence_probabilities: Sequence[Sequence[float]],
    settings: AnalyzerSettings,
    reported: Sequence[bool] | None = None,
) -> Stance:
    """Combine sentence stance probabilities into the document stance (rule ``weighted_mean``).

    Args:
        sentence_probabilities: Per sentence with tokens, its stance probabilities.
        settings: Gives the stance labels, ``doc_stance["neutral_weight"]`` and
            ``doc_stance["reported_weight"]``.
        reported: Per sentence, whether its position is a reported one (its stance has a
            holder); ``None``: none is.

    Returns:
        The document stance (no holder).

    Example:
        >>> from arabnews_nlp.settings import AnalyzerSettings
        >>> document_stance([[0.7, 0.1, 0.2], [0.1, 0.1, 0.8]], AnalyzerSettings()).label
        'anti'
        >>> document_stance([[0.7, 0.1, 0.2], [0.1, 0.1, 0.8]], AnalyzerSettings(), reported=[True, False]).label
        'neutral'
    """
    if not sentence_probabilities:
        return Stance(NEUTRAL, 1.0)
    labels = settings.labels["stance"]
    if reported is not None:
        sentence_probabilities = [_own_voice(probs, labels, settings) if is_reported else probs
                                  for probs, is_reported in zip(sentence_probabilities, reported, strict=True)]  # fmt: skip
    neutral_weight = float(settings.doc_stance.get("neutral_weight", 0.25))
    weights = [
        neutral_weight if labels[max(range(len(labels)), key=probs.__getitem__)] == NEUTRAL else 1.0
        for probs in sentence_probabilities
    ]
    if sum(weights) == 0.0:  # every sentence neutral and neutral_weight 0: plain mean
        weights = [1.0] * len(weights)
    totals = [0.0] * len(labels)
    for weight, probs in zip(weights, sentence_probabilities):
        totals = [total + weight * p for total, p in zip(totals, probs)]
    weight_sum = sum(weights)
    mean = [total / weight_sum for total in totals]
    best = max(range(len(labels)), key=mean.__getitem__)
    return Stance(labels[best], min(1.0, mean[best]))  # float32 probabilities can sum to a hair over 1


def _own_voice(probabilities: Sequence[float], labels: Sequence[str], settings: AnalyzerSettings) -> list[float]:
    """A reported sentence's probabilities for the document: ``reported_weight`` of its positions kept."""
    kept = float(settings.doc_stance.get("reported_weight", 0.0))
    moved = sum((1.0 - kept) * p for label, p in zip(labels, probabilities) if label != NEUTRAL)
    return [p + moved if label == NEUTRAL else kept * p for label, p in zip(labels, probabilities)]
