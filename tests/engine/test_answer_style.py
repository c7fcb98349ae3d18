"""An answer in another style is posted in the repository's style, not refused."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass

from bot.core.edit import apply_edit
from bot.core.render import RenderOptions
from bot.core.targets import TargetRules
from bot.engine.analyse import SourceFile, analyse
from bot.engine.document import Engine, document
from bot.llm.plan import PlannedRequest
from bot.llm.usage import Answer, Usage
from bot.settings import Settings
from bot.wiring import budgets_for, planner_for

HEAD = '''\
def connect(host, port=5432):
    """Open a connection.

    :param host: Server name.
    :param port: TCP port.
    """
    _open(host, port)


def send(sock, payload, *args):
    sock.sendall(payload, *args)
    _log(payload)
'''

GOOGLE_ANSWER = (
    "Send a payload over a socket.\n\nArgs:\n    sock (socket.socket): The socket.\n"
    "    payload (bytes): What to send.\n    *args: Flags passed to ``sendall``.\n\n"
    "Note:\n    Logs every payload."
)


@dataclass(frozen=True)
class GoogleModel:
    """A model that writes Google style whatever it is asked for."""

    async def complete(self, request: PlannedRequest) -> Answer:
        entries = [{"id": i, "docstring": GOOGLE_ANSWER} for i in request.ids]
        return Answer(json.dumps({"docstrings": entries}), "stop", Usage(10, 10, 0), attempts=1)


async def test_a_google_answer_is_written_as_sphinx_in_a_sphinx_repository() -> None:
    settings = Settings.from_env({})
    analysis = analyse([SourceFile("net.py", HEAD, "added")], TargetRules())
    engine = Engine(
        planner_for(settings), GoogleModel(), RenderOptions(style="sphinx"), budgets_for(settings)
    )
    outcome = await document(engine, analysis)
    assert [s.function_id for s in outcome.skipped] == ["net.py::connect"]  # documented
    [proposal] = outcome.proposals
    node = ast.parse(apply_edit(HEAD, proposal.edit)).body[1]
    assert isinstance(node, ast.FunctionDef)
    assert ast.get_docstring(node) == (
        "Send a payload over a socket.\n\n:param sock: The socket.\n:type sock: socket.socket\n"
        ":param payload: What to send.\n:type payload: bytes\n"
        ":param \\*args: Flags passed to ``sendall``.\n\n.. rubric:: Note\n\nLogs every payload."
    )
