"""Redis key names: one module spells them, and an installation's purge finds every one."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from githubkit.auth.app import AppAuth

from bot import keys
from bot.lifecycle import glob_to_regex

ROOT = Path(__file__).resolve().parent.parent
A, B = 58213377, 77004512
REPOS_A = ("acme-data/pipelines", "acme-data/warehouse-models")
REPOS_B = ("globex/api",)
SAMPLES: dict[str, object] = {
    "month": "2026-12",
    "key": "3f1c9ab0e4",
    "job_id": "6c1f5d8e-93b1-11ef-8e2a-0c7a1e4b5d21",
    "app_id": 1043217,
    "number": 1187,
    "quota_name": "res.openai.azure.com/docs",
    "login": "Carol-Maint",
    "name": "gpt-4o-mini:3f1c9ab0e4c2d1a7",
    "hostname": "docgen-worker-7c9f8d6b5-x2k4q",
    "pid": 1,
    "guid": "0b8e6a30-c5a1-11ef-9d1c-4f2a7e3b8c11",
    "delivery_id": "72d3e1a0-c5a1-11ef-8e2a-0c7a1e4b5d21",
    "head_sha": "9f2c4e1a7b3d5f6e8a0c2b4d6f8e0a1c3b5d7f9e",
}


def _literal_key(node: ast.AST) -> str | None:
    """Return the text of a string literal that starts a ``docgen:`` key, else None.

    An f-string's literal parts are constants of their own, so they are found too.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
        after = text[len(keys.ROOT) : len(keys.ROOT) + 1]
        # "docgen: ..." with a space is a message to people, not a key.
        if text.startswith(keys.ROOT) and after not in ("", " "):
            return text
    return None


def _sources() -> Iterator[Path]:
    for folder in ("bot", "bench"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_no_docgen_key_is_spelt_outside_the_keys_module() -> None:
    keys_module = ROOT / "bot" / "keys.py"
    found = [
        f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {text!r}"
        for path in _sources()
        if path != keys_module
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if (text := _literal_key(node)) is not None
    ]
    assert not found, "build these keys in bot/keys.py:\n" + "\n".join(found)


def test_the_literal_finder_finds_keys_in_plain_and_f_strings() -> None:
    source = 'a = "docgen:x:1"\nb = f"docgen:y:{a}"\nc = f"docgen: {a}"\nd = "<!-- docgen:fn -->"'
    found = [text for node in ast.walk(ast.parse(source)) if (text := _literal_key(node))]
    assert found == ["docgen:x:1", "docgen:y:"]


def _builders() -> list[tuple[str, Callable[..., str]]]:
    return [
        (name, fn)
        for name, fn in inspect.getmembers(keys, inspect.isfunction)
        if name.endswith("_key") and fn.__module__ == keys.__name__
    ]


def _build(fn: Callable[..., str], installation: int, repo: str) -> str:
    args: dict[str, object] = {}
    for name in inspect.signature(fn).parameters:
        if name == "installation_id":
            args[name] = installation
        elif name == "repo":
            args[name] = repo
        else:
            args[name] = SAMPLES[name]  # a new builder's parameter needs a sample here
    return fn(**args)


def _owned(key: str, installation: int, repos: tuple[str, ...]) -> bool:
    patterns = list(keys.installation_patterns(installation))
    patterns += [p for repo in repos for p in keys.repository_patterns(repo)]
    return any(_matches(p, key) for p in patterns)


def _matches(pattern: str, key: str) -> bool:
    return re.fullmatch(glob_to_regex(pattern), key, re.S) is not None


def test_every_key_family_is_found_by_its_installations_purge() -> None:
    builders = _builders()
    assert {name for name, _ in builders} >= {"budget_key", "answer_key", "lock_key", *keys.UNOWNED}
    for name, fn in builders:
        key_a, key_b = _build(fn, A, REPOS_A[1]), _build(fn, B, REPOS_B[0])
        assert key_a.startswith(keys.ROOT) and key_a != key_b or name in keys.UNOWNED
        if name in keys.UNOWNED:
            assert not _owned(key_a, A, REPOS_A), name
        else:
            assert _owned(key_a, A, REPOS_A), f"{name}: {key_a} is not purged with its installation"
            assert not _owned(key_b, A, REPOS_A), f"{name}: {key_b} would go with another one"
            assert _owned(key_b, B, REPOS_B), name


def test_the_token_key_is_the_one_githubkit_writes() -> None:
    fields = {"issuer": "1043217", "permissions": "", "repositories": "", "repository_ids": ""}
    written = AppAuth.INSTALLATION_CACHE_KEY.format(installation_id=A, **fields)
    assert f"{keys.GITHUB_CACHE_PREFIX}:{written}" == keys.installation_token_key(1043217, A)
    # A token narrowed to some repositories or rights is the installation's too.
    narrowed = AppAuth.INSTALLATION_CACHE_KEY.format(
        installation_id=A,
        issuer="1043217",
        permissions="contents",
        repositories="pipelines",
        repository_ids="603318876",
    )
    assert _owned(f"{keys.GITHUB_CACHE_PREFIX}:{narrowed}", A, ())
    jwt = AppAuth.JWT_CACHE_KEY.format(issuer="1043217")
    assert not _owned(f"{keys.GITHUB_CACHE_PREFIX}:{jwt}", A, REPOS_A)  # the App's own


@pytest.mark.parametrize(
    ("key", "owned"),
    [
        (keys.lock_key("Acme-Data/Pipelines", 3), True),  # GitHub names ignore case
        (keys.pr_cost_key("acme-data/pipelines", 12), True),
        (keys.lock_key("acme-data/pipelines-archive", 3), False),  # another repository
        (keys.pr_cost_key("acme-data/pipeline", 3), False),
        (keys.budget_key(A * 10, "2026-12"), False),  # an id that starts with A's
        (keys.answer_key(int(str(A)[:-1]), "k"), False),
        (keys.suspended_key(A * 10), False),
        (keys.check_run_key(A, "Acme-Data/Pipelines", "9f2c4e1a"), True),
        (keys.check_run_key(A * 10, "acme-data/pipelines", "9f2c4e1a"), False),
        (keys.legacy_superseded_key("6c1f5d8e-93b1"), False),  # expires by itself
    ],
)
def test_purge_patterns_stop_at_the_names_end(key: str, owned: bool) -> None:
    assert _owned(key, A, ("acme-data/pipelines",)) is owned


@pytest.mark.parametrize("repo", ["acme-data/pipelines", "o*r/[x]?\\y"])
def test_patterns_mean_the_same_to_redis_and_to_docgen(redis_url: str, repo: str) -> None:
    client = redis.Redis.from_url(redis_url)
    candidates = [
        keys.lock_key(repo, 1),
        keys.lock_key(repo.upper(), 2),
        keys.lock_key(repo + "x", 3),
        keys.lock_key("acme-data/pipelinez", 4),
        keys.budget_key(A, "2026-12"),
        keys.budget_key(A * 10, "2026-12"),
        keys.installation_token_key(1, A),
    ]
    try:
        client.mset(dict.fromkeys(candidates, b"1"))
        for pattern in (*keys.repository_patterns(repo), *keys.installation_patterns(A)):
            by_redis = {k.decode() for k in client.scan_iter(match=pattern, count=1000)}
            assert by_redis == {k for k in candidates if _matches(pattern, k)}, pattern
    finally:
        client.close()
