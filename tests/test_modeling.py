"""The analyzer model's hashed whole-word embedding: the in-model hash equals the Python one."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from arabnews_nlp.model_config import AnalyzerConfig
from arabnews_nlp.modeling import AnalyzerModel
from arabnews_nlp.word_hash import PIECE_CONTINUATION, PIECE_SPECIAL, PIECE_START, piece_kinds, word_bucket, word_piece_hash
from tests.conftest import build_tiny_model


def _words_of(tokenizer: Any, text: str) -> tuple[list[int], list[list[int]]]:
    from arabnews_nlp.text.normalize import normalize_word
    from arabnews_nlp.text.words import split_words

    words = [normalize_word(text[s:e]) for s, e in split_words(text)]
    encoding = tokenizer.backend_tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    pieces: list[list[int]] = [[] for _ in words]
    for token, word in zip(encoding.ids, encoding.word_ids, strict=True):
        pieces[word].append(token)
    return list(encoding.ids), pieces


def test_piece_kinds_classify_vocabulary(tiny_tokenizer: Any) -> None:
    kinds = piece_kinds(tiny_tokenizer)
    vocab = tiny_tokenizer.get_vocab()
    assert kinds[tiny_tokenizer.cls_token_id] == PIECE_SPECIAL
    assert kinds[tiny_tokenizer.pad_token_id] == PIECE_SPECIAL
    assert kinds[tiny_tokenizer.unk_token_id] == PIECE_START
    assert all(kinds[i] == PIECE_CONTINUATION for p, i in vocab.items() if p.startswith("##"))
    assert kinds[vocab["ق"]] == PIECE_START


def test_model_word_buckets_equal_python_hash(tiny_tokenizer: Any) -> None:
    model = build_tiny_model(len(tiny_tokenizer), tokenizer=tiny_tokenizer, word_buckets=257)
    text = "قال رئيس الوزراء محمد شياع السوداني إن «بغداد» تريد خروج قوات التحالف."
    ids, pieces = _words_of(tiny_tokenizer, text)
    assert any(len(p) > 1 for p in pieces), "the sentence must hold multi-piece words"
    row = [tiny_tokenizer.cls_token_id, *ids, tiny_tokenizer.sep_token_id, tiny_tokenizer.pad_token_id]
    buckets = model.word_buckets(torch.tensor([row]))[0].tolist()
    expected = [0] + [word_bucket(word_piece_hash(p), 257) for p in pieces for _ in p] + [0, 0]
    assert buckets == expected
    # the same word gets the same row wherever it stands; different words (almost always) differ
    assert len({word_bucket(word_piece_hash(p), 257) for p in pieces}) > len(pieces) // 2


def test_word_embedding_changes_outputs_and_survives_save(tiny_tokenizer: Any, tmp_path: Any) -> None:
    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from tests.conftest import build_tiny_settings

    model = build_tiny_model(len(tiny_tokenizer), tokenizer=tiny_tokenizer, word_buckets=257)
    ids = torch.tensor([[tiny_tokenizer.cls_token_id, *_words_of(tiny_tokenizer, "قال السوداني في بغداد")[0], 3]])
    with torch.no_grad():
        before = model(input_ids=ids).ner_logits
        save_analyzer(tmp_path, model, tiny_tokenizer, build_tiny_settings(), dtype=torch.float32)
        loaded, _, _ = load_analyzer(tmp_path, device="cpu")
        assert torch.equal(loaded.piece_kind, model.piece_kind)
        assert torch.allclose(loaded(input_ids=ids).ner_logits, before, atol=1e-5)
        model.word_embeddings.weight.zero_()
        assert not torch.allclose(model(input_ids=ids).ner_logits, before, atol=1e-3)


def test_bad_word_bucket_config_is_refused() -> None:
    from transformers import BertConfig

    encoder = BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=8)
    with pytest.raises(ValueError, match="word_buckets"):
        AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict(), word_buckets=1))


def test_mean_pooling_ignores_padding() -> None:
    from transformers import BertConfig

    encoder = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16)
    torch.manual_seed(0)
    model = AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict(), sentence_pooling="mean")).eval()
    alone = model(input_ids=torch.tensor([[2, 5, 6, 3]]))
    padded = model(input_ids=torch.tensor([[2, 5, 6, 3, 0, 0]]), attention_mask=torch.tensor([[1, 1, 1, 1, 0, 0]]))
    assert torch.allclose(alone.stance_logits, padded.stance_logits, atol=1e-5)
    assert torch.allclose(alone.event_logits, padded.event_logits, atol=1e-5)
    with pytest.raises(ValueError, match="sentence_pooling"):
        AnalyzerModel(AnalyzerConfig(encoder=encoder.to_dict(), sentence_pooling="max"))


def test_from_encoder_loads_an_fp16_encoder_in_float32(tmp_path: Any) -> None:
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=16)  # fmt: skip
    encoder = BertModel(config, add_pooling_layer=False)
    encoder.half().save_pretrained(tmp_path)
    model = AnalyzerModel.from_encoder(str(tmp_path))
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    torch.testing.assert_close(
        model.encoder.embeddings.word_embeddings.weight, encoder.embeddings.word_embeddings.weight.float()
    )
    model(input_ids=torch.tensor([[2, 5, 6, 3]]), attention_mask=torch.ones(1, 4, dtype=torch.long))


@pytest.mark.parametrize("kind", ["electra", "distilbert"])
def test_encoders_without_a_pooler_are_accepted(kind: str, tmp_path: Any, tiny_tokenizer: Any) -> None:
    """AraELECTRA-style and DistilBERT encoders refuse ``add_pooling_layer``: they load, run, save and reload."""
    from transformers import DistilBertConfig, DistilBertModel, ElectraConfig, ElectraModel

    from arabnews_nlp.model_dir import load_analyzer, save_analyzer
    from arabnews_nlp.settings import AnalyzerSettings

    sizes = {"vocab_size": len(tiny_tokenizer), "max_position_embeddings": 32}
    if kind == "electra":
        encoder = ElectraModel(ElectraConfig(embedding_size=16, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                             intermediate_size=64, **sizes))  # fmt: skip
    else:
        encoder = DistilBertModel(DistilBertConfig(dim=32, n_layers=1, n_heads=2, hidden_dim=64, **sizes))
    encoder.save_pretrained(tmp_path / "encoder")
    model = AnalyzerModel.from_encoder(str(tmp_path / "encoder"))
    assert model.config.encoder.model_type == kind
    model.set_word_pieces(tiny_tokenizer)
    save_analyzer(tmp_path / "analyzer", model, tiny_tokenizer, AnalyzerSettings(max_length=16, stride=4))
    loaded, _, _ = load_analyzer(tmp_path / "analyzer", device="cpu", dtype=torch.float32)
    ids = torch.tensor([[2, 5, 6, 3]])
    expected = model.eval()(input_ids=ids, attention_mask=torch.ones_like(ids)).ner_logits
    torch.testing.assert_close(loaded(input_ids=ids, attention_mask=torch.ones_like(ids)).ner_logits, expected,
                               atol=2e-3, rtol=0)  # fmt: skip


def test_hidden_states_are_what_the_heads_read_with_whole_word_embeddings() -> None:
    from tests.conftest import build_tiny_model, build_tiny_tokenizer

    tokenizer = build_tiny_tokenizer()
    model = build_tiny_model(len(tokenizer), tokenizer=tokenizer, word_buckets=257).eval()
    batch = tokenizer(["قال السوداني في بغداد"], return_tensors="pt")
    with torch.no_grad():
        states = model.hidden_states(batch["input_ids"], batch["attention_mask"])
        assert torch.allclose(model.ner_head(states), model(**batch).ner_logits, atol=1e-6)
        plain = model.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        assert not torch.allclose(plain, states, atol=1e-3)  # the encoder alone misses the word embeddings


def _save_plain_bert(directory: Any) -> None:
    from transformers import BertConfig, BertModel

    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=16)  # fmt: skip
    BertModel(config).save_pretrained(directory)


def test_from_pretrained_on_a_plain_encoder_names_the_fix(tmp_path: Any) -> None:
    from arabnews_nlp.errors import ModelFormatError

    _save_plain_bert(tmp_path)
    with pytest.raises(ModelFormatError, match=r"model_type 'bert'.*from_encoder"):
        AnalyzerModel.from_pretrained(str(tmp_path))


def test_from_encoder_on_a_missing_directory_says_so(tmp_path: Any) -> None:
    from arabnews_nlp.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="does not exist"):
        AnalyzerModel.from_encoder(str(tmp_path / "no-such-encoder"))


def test_from_encoder_on_a_missing_relative_path_says_so(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from arabnews_nlp.errors import ModelNotFoundError

    # "runs/encoder" has the form of a hub id (owner/name), but runs/ is a folder here: a path with a typo
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # were it looked up on the hub, no network wait
    with pytest.raises(ModelNotFoundError, match="'runs/no-such-encoder' does not exist"):
        AnalyzerModel.from_encoder("runs/no-such-encoder")


def test_from_encoder_on_an_analyzer_directory_names_the_fix(tmp_path: Any) -> None:
    from arabnews_nlp.errors import ModelFormatError

    build_tiny_model(50).save_pretrained(tmp_path)
    with pytest.raises(ModelFormatError, match=r"already an arabnews-nlp analyzer.*AnalyzerModel.from_pretrained"):
        AnalyzerModel.from_encoder(str(tmp_path))


def test_config_names_stay_importable_from_modeling_and_registered() -> None:
    from transformers import AutoConfig, AutoModel

    import arabnews_nlp.model_config as model_config
    import arabnews_nlp.modeling as modeling

    assert modeling.AnalyzerConfig is model_config.AnalyzerConfig is AnalyzerConfig
    assert modeling.SENTENCE_POOLING is model_config.SENTENCE_POOLING
    assert AnalyzerModel.config_class is AnalyzerConfig
    assert type(AutoConfig.for_model(AnalyzerConfig.model_type)) is AnalyzerConfig
    assert AutoModel._model_mapping[AnalyzerConfig] is AnalyzerModel
