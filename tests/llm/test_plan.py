"""The planner: every request fits by construction, every function is planned or skipped."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.llm.models import MODELS, Overrides, resolve_model
from bot.llm.plan import Plan, PlanConfig, Planner
from bot.llm.prompt import ELISION, PromptFunction
from bot.llm.tokens import TokenCounter
from tests.llm.helpers import function

SMALL = resolve_model("gpt-4o-mini", Overrides(context_window=8_192))
COUNTER = TokenCounter.for_model(SMALL)
PLANNER = Planner(SMALL, COUNTER, PlanConfig(schema_overhead=70))


def check_plan(planner: Planner, functions: list[PromptFunction], plan: Plan) -> None:
    """Assert the planner's promises for ``plan``."""
    cfg = planner.config
    planned_or_skipped = [i for r in plan.requests for i in r.ids]
    planned_or_skipped += [s.function_id for s in plan.skipped]
    seen = Counter(planned_or_skipped)
    assert seen == Counter(fn.id for fn in functions)  # each once: planned or skipped
    # A file's functions keep their order and stay side by side; files come as first seen.
    paths = list(dict.fromkeys(fn.path for fn in functions))
    grouped = sorted(functions, key=lambda fn: paths.index(fn.path))
    order = {fn.id: n for n, fn in enumerate(grouped)}
    planned = [i for r in plan.requests for i in r.ids]
    assert planned == sorted(planned, key=order.__getitem__)
    for r in plan.requests:
        assert r.prompt_tokens + r.max_completion <= planner.request_limit
        assert r.counted_tokens == COUNTER.messages(r.messages)
        assert r.prompt_tokens == r.counted_tokens + cfg.schema_overhead
        assert r.max_completion <= planner.facts.max_output_tokens
        if len(r.functions) > 1:
            assert len(r.functions) <= cfg.max_batch_functions
            assert r.prompt_tokens <= cfg.max_batch_prompt_tokens
        for fn in r.functions:
            if fn.id in r.elided:
                assert ELISION.split("{n}")[1] in fn.source
                assert fn.source.startswith(fn.signature)
    for s in plan.skipped:
        assert s.reason


sizes = st.integers(0, 40) | st.integers(40, 800)


@st.composite
def functions(draw: st.DrawFn) -> list[PromptFunction]:
    count = draw(st.integers(1, 40))
    out = []
    for n in range(count):
        path = f"src/m{draw(st.integers(0, 3))}.py"
        cls = draw(st.sampled_from(["", "", "Reader", "Writer"]))
        params = 1_200 if draw(st.integers(0, 19)) == 0 else draw(st.integers(0, 6))
        lines = ["x = 1", "total += len(item) <|endoftext|>", "s = '```'", "s = os.sep"]
        line = draw(st.sampled_from(lines))
        out.append(function(path, f"f{n}", params=params, lines=draw(sizes), cls=cls, line=line))
    return out


configs = st.builds(
    PlanConfig,
    safety_margin=st.integers(0, 512),
    schema_overhead=st.integers(0, 200),
    max_request_tokens=st.none() | st.integers(3_000, 10_000),
    max_batch_functions=st.integers(1, 12),
    max_batch_prompt_tokens=st.integers(500, 8_000),
    per_function_cap=st.integers(50, 800),
    completion_scale=st.sampled_from([1.0, 2.0]),
)


@settings(max_examples=30, deadline=None)
@given(functions(), configs, st.integers(2_048, 16_384), st.integers(256, 4_096))
def test_every_request_fits_and_every_function_is_accounted_for(
    fns: list[PromptFunction], config: PlanConfig, window: int, output: int
) -> None:
    facts = resolve_model("gpt-4o-mini", Overrides(context_window=window, max_output_tokens=output))
    planner = Planner(facts, COUNTER, config)
    check_plan(planner, fns, planner.plan(fns))


def test_completion_is_what_docstrings_need_not_the_rest_of_the_window() -> None:
    big_window = Planner(MODELS["gpt-4o-mini"], COUNTER, PlanConfig())
    plan = big_window.plan([function(name="a"), function(name="b")])
    (request,) = plan.requests
    assert request.max_completion < 1_000
    allowances = sum(big_window.allowance(fn) for fn in request.functions)
    assert request.max_completion == PlanConfig().answer_overhead + allowances


def test_allowance_grows_with_size_and_parameters_up_to_a_cap() -> None:
    small = PLANNER.allowance(function(params=1, lines=2))
    more_params = PLANNER.allowance(function(params=5, lines=2))
    longer = PLANNER.allowance(function(params=1, lines=200))
    huge = PLANNER.allowance(function(params=1, lines=5_000))
    assert small < more_params and small < longer <= huge
    fn = function(params=1, lines=5_000)
    cap = PlanConfig().per_function_cap + PlanConfig().entry_overhead + COUNTER.text(fn.id)
    assert huge == cap


def test_same_file_functions_sit_together_and_files_share_a_request() -> None:
    fns = [function("a.py", "f"), function("b.py", "g"), function("a.py", "h")]
    plan = PLANNER.plan(fns)
    assert [r.ids for r in plan.requests] == [("a.py::f", "a.py::h", "b.py::g")]
    (request,) = plan.requests
    text = request.messages[1]["content"]
    assert text.count("## File a.py") == 1 and text.count("## File b.py") == 1
    assert text.index("a.py::h") < text.index("## File b.py")


def test_packing_counts_only_the_imports_a_function_uses() -> None:
    # Ten files whose long import lists the functions barely use: one request, not several.
    imports = "".join(f"import module_{n}\n" for n in range(150)) + "import os\n"
    fns = [
        replace(function(f"m{f}.py", f"f{n}", line="s = os.sep"), imports=imports)
        for f in range(10)
        for n in range(2)
    ]
    planner = Planner(SMALL, COUNTER, PlanConfig(schema_overhead=70))
    assert COUNTER.text(imports) * 10 > planner.config.max_batch_prompt_tokens
    plan = planner.plan(fns)
    check_plan(planner, fns, plan)
    (request,) = plan.requests
    text = request.messages[1]["content"]
    assert text.count("import os") == 10 and "module_" not in text


def test_a_function_too_large_for_a_request_is_cut_down_not_dropped() -> None:
    big = function(name="big", lines=3_000)
    plan = PLANNER.plan([big])
    (request,) = plan.requests
    assert request.elided == (big.id,)
    sent = request.functions[0].source
    assert sent.startswith(big.signature + "\n    total = 0")
    assert sent.rstrip().endswith("return total")
    assert "lines elided by docgen" in sent
    assert request.total_tokens <= PLANNER.request_limit
    # as much of the body as fits is kept
    assert request.total_tokens > PLANNER.request_limit - 50


def test_only_a_signature_too_large_alone_is_skipped_with_that_reason() -> None:
    monster = function(name="monster", params=4_000, lines=1)
    plan = PLANNER.plan([monster, function(name="fine")])
    assert [r.ids for r in plan.requests] == [("src/pkg/mod.py::fine",)]
    (skip,) = plan.skipped
    assert skip.function_id == monster.id
    assert "signature alone needs" in skip.reason and str(PLANNER.request_limit) in skip.reason


def test_run_limit_on_functions_skips_the_rest_with_that_reason() -> None:
    fns = [function(name=f"f{i}") for i in range(5)]
    plan = PLANNER.plan(fns, max_functions=3)
    assert sum(len(r.ids) for r in plan.requests) == 3
    assert [s.function_id for s in plan.skipped] == [fns[3].id, fns[4].id]
    assert all("at most 3 functions" in s.reason for s in plan.skipped)


def test_worst_case_cost_prices_prompt_and_whole_completion() -> None:
    plan = PLANNER.plan([function(name=f"f{i}", lines=i * 30) for i in range(20)])
    expected = sum(SMALL.cost_usd(r.prompt_tokens, r.max_completion) for r in plan.requests)
    assert plan.worst_case_cost_usd == expected > 0
    assert plan.prompt_tokens == sum(r.prompt_tokens for r in plan.requests)
    assert plan.max_completion_tokens == sum(r.max_completion for r in plan.requests)


def test_a_tokens_per_minute_quota_caps_each_request() -> None:
    planner = Planner(MODELS["gpt-4o-mini"], COUNTER, PlanConfig(max_request_tokens=2_000))
    fns = [function(name=f"f{i}", lines=60) for i in range(10)]
    plan = planner.plan(fns)
    assert len(plan.requests) > 1
    assert all(r.total_tokens <= 2_000 for r in plan.requests)
    check_plan(planner, fns, plan)


def test_reasoning_allowance_is_added_once_per_request() -> None:
    plain = Planner(MODELS["gpt-5-mini"], COUNTER, PlanConfig())
    thinking = plain.with_config(reasoning_allowance=2_048)
    fns = [function(name="a"), function(name="b")]
    (a,) = plain.plan(fns).requests
    (b,) = thinking.plan(fns).requests
    assert b.max_completion == a.max_completion + 2_048


def test_request_of_no_function_is_well_formed() -> None:
    assert PLANNER.plan([]).requests == ()
