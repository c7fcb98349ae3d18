"""Token counting: the model's own encoding, the chat framing, special-token text as text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.llm.models import MODELS
from bot.llm.prompt import ANSWER_SCHEMA
from bot.llm.tokens import SchemaOverhead, TokenCounter
from tests.fakes.azure_tokens import prompt_tokens as reference_count

O200K = TokenCounter.for_model(MODELS["gpt-4o-mini"])
CL100K = TokenCounter.for_model(MODELS["gpt-4-turbo"])

texts = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
    | st.sampled_from(["\n", "    ", "```", "<|endoftext|>", "def f(x):", "\n\n"]),
    max_size=30,
).map("".join)


def test_counter_uses_the_models_encoding_built_once() -> None:
    assert O200K.encoding.name == "o200k_base"
    assert CL100K.encoding.name == "cl100k_base"
    assert TokenCounter.for_model(MODELS["gpt-4o"]).encoding is O200K.encoding


def test_special_token_text_is_counted_as_plain_text() -> None:
    source = "def f():\n    return '<|endoftext|>' + '<|im_start|>'\n"
    assert O200K.text(source) == len(O200K.encoding.encode(source, disallowed_special=()))
    assert O200K.text("<|endoftext|>") > 1


def test_framing_adds_three_per_message_one_per_name_and_three_for_the_reply() -> None:
    one = [{"role": "user", "content": "hello"}]
    assert O200K.messages(one) == 3 + O200K.text("user") + O200K.text("hello") + 3
    named = [{"role": "user", "name": "bot", "content": "hello"}]
    assert O200K.messages(named) == O200K.messages(one) + O200K.text("bot") + 1
    assert O200K.messages([]) == 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["system", "user"]), texts), min_size=1, max_size=4))
def test_count_equals_the_fakes_independent_count(parts: list[tuple[str, str]]) -> None:
    messages = [{"role": role, "content": text} for role, text in parts]
    assert O200K.messages(messages) == reference_count(messages, "o200k_base")
    assert CL100K.messages(messages) == reference_count(messages, "cl100k_base")


def test_count_is_exact_for_large_prompts() -> None:
    for size in (0, 1, 10, 1_000, 30_000):
        messages = [{"role": "system", "content": "Write docstrings."}]
        messages.append({"role": "user", "content": "def f(x):\n    return x * 2\n" * size})
        assert O200K.messages(messages) == reference_count(messages, "o200k_base")


def test_schema_overhead_is_learnt_once_and_planned_with_a_margin() -> None:
    overhead = SchemaOverhead.for_schema(O200K, "gpt-4o-mini", ANSWER_SCHEMA, margin=16)
    assert overhead.fallback > 0
    assert overhead.planned == overhead.fallback + 16
    assert overhead.learn(counted=1_000, reported=1_057) is True
    assert overhead.believed == 57
    assert overhead.planned == 73
    assert overhead.learn(counted=1_000, reported=1_090) is False  # measured once
    assert overhead.believed == 57


def test_schema_overhead_keys_differ_by_model_and_schema() -> None:
    a = SchemaOverhead.for_schema(O200K, "gpt-4o-mini", ANSWER_SCHEMA)
    b = SchemaOverhead.for_schema(O200K, "gpt-4o", ANSWER_SCHEMA)
    c = SchemaOverhead.for_schema(O200K, "gpt-4o-mini", {"type": "object"})
    assert len({a.key, b.key, c.key}) == 3
