"""Builders shared by the model-side tests: functions to document and settings for the fake."""

from __future__ import annotations

from bot.llm.prompt import PromptFunction
from bot.settings import Settings
from tests.fakes.azure import FakeAzureOpenAI

IMPORTS = "import os\nfrom collections.abc import Iterable\n"


def function(
    path: str = "src/pkg/mod.py",
    name: str = "work",
    *,
    params: int = 2,
    lines: int = 3,
    cls: str = "",
    line: str = "total = total + len(str(item)) * 3",
) -> PromptFunction:
    """Return a plausible function of ``lines`` body lines, a method when ``cls`` is given."""
    indent = "    " if cls else ""
    args = ", ".join(["self"] * bool(cls) + [f"arg{i}" for i in range(params)])
    signature = f"{indent}def {name}({args}) -> int:"
    body = [f"{indent}    total = 0"]
    body += [f"{indent}    {line}" for _ in range(lines)]
    body.append(f"{indent}    return total")
    qualname = f"{cls}.{name}" if cls else name
    header = f"class {cls}:" if cls else ""
    return PromptFunction(
        id=f"{path}::{qualname}",
        path=path,
        source="\n".join([signature, *body]) + "\n",
        signature=signature,
        imports=IMPORTS,
        class_header=header,
    )


def azure_env(fake: FakeAzureOpenAI, deployment: str | None = None, **extra: str) -> dict[str, str]:
    """Return the environment of an App pointed at the fake's ``deployment``."""
    env = {
        "AZURE_OPENAI_ENDPOINT": fake.endpoint,
        "AZURE_OPENAI_API_KEY": fake.api_key,
        "AZURE_OPENAI_DEPLOYMENT": deployment or fake.default_deployment,
    }
    env.update(extra)
    return env


def azure_settings(fake: FakeAzureOpenAI, deployment: str | None = None, **extra: str) -> Settings:
    """Return settings for an App pointed at the fake's ``deployment``."""
    return Settings.from_env(azure_env(fake, deployment, **extra))
