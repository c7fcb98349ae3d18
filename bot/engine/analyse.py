"""Step one of the engine, pure: which changed functions need a docstring, and where it goes.

Where the rules ask for class docstrings (``TargetRules.document_classes``), changed
classes are targets too, in the same work list: a class is a record of kind ``class``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.core.checkrun import file_exclusion
from bot.core.diff import FileDiff, MalformedPatch, map_file
from bot.core.edit import NotCommentable, Placement, place_docstring
from bot.core.extract import (
    ExtractResult,
    FunctionInfo,
    changed_classes,
    changed_functions,
    extract,
)
from bot.core.pysource import newer_syntax_reason
from bot.core.review import FnMarker
from bot.core.skips import Skip, SkipKind, too_large_to_read
from bot.core.summary import Coverage
from bot.core.targets import (
    Selection,
    Skipped,
    SkipReason,
    Target,
    TargetRules,
    select_class_targets,
    select_targets,
    with_class_targets,
)
from bot.llm.prompt import PromptFunction


@dataclass(frozen=True)
class SourceFile:
    """One changed file: its head text, and its patch or base text to diff against.

    ``whole_file`` treats every line as added and commentable (``docgen suggest --all``).
    ``every_function`` treats every line as changed, so every function is a candidate,
    while only the diff's lines may carry a comment (``/docgen all``: GitHub takes
    suggestions on the lines a pull request shows, nowhere else). ``too_large`` is
    ``(size, limit)`` in bytes when the head was not read for its size (``head_text``
    None): the file is reported as skipped, not dropped in silence.
    """

    path: str
    head_text: str | None
    status: str = "modified"
    patch: str | None = None
    base_text: str | None = None
    previous_path: str | None = None
    whole_file: bool = False
    every_function: bool = False
    too_large: tuple[int, int] | None = None


@dataclass(frozen=True)
class Work:
    """A target with everything later steps need: its file's text and its placement."""

    target: Target
    placement: Placement
    head_text: str
    prompt: PromptFunction

    @property
    def function(self) -> FunctionInfo:
        """Return the function to document."""
        return self.target.function


@dataclass
class Analysis:
    """What the diff asks of docgen, before any model call."""

    work: list[Work] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    not_commentable: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    documented: list[str] = field(default_factory=list)  # changed, with a docstring already
    unread: list[Skip] = field(default_factory=list)  # whole files not read, among the skipped
    coverage_before: Coverage = Coverage(0, 0)
    python_files: int = 0

    def work_by_id(self) -> dict[str, Work]:
        """Return the work items keyed by function id."""
        return {w.function.id: w for w in self.work}


def is_python(path: str) -> bool:
    """Tell whether docgen reads this path as Python source."""
    return path.endswith(".py")


def analyse(
    files: Iterable[SourceFile],
    rules: TargetRules,
    *,
    previous: Sequence[FnMarker] = (),
) -> Analysis:
    """Find the targets of every changed Python file; ``previous`` are earlier suggestions."""
    out = Analysis()
    earlier = set(previous)
    earlier_ids = {m.function_id for m in earlier}
    documented = total = uncounted = 0
    for file in files:
        if not is_python(file.path) or file.status == "removed":
            continue
        if file.head_text is None:
            _unread(file, rules, out)
            continue
        out.python_files += 1
        diff = _diff(file, rules, out)
        if diff is None or not diff.added:
            continue
        classes = rules.document_classes
        result = extract(file.path, file.head_text, lines=diff.added, class_records=classes)
        base = _base(file)
        changed = changed_functions(result, diff.added)
        selection = select_targets(result, changed, rules, base_result=base)
        if classes:
            selection = _with_classes(selection, result, diff.added, rules)
        for skipped in selection.skipped:
            if skipped.reason is SkipReason.HAS_DOCSTRING:
                documented += 1
                total += 1
                out.documented.append(skipped.id)
                if skipped.id in earlier_ids:
                    out.done.append(skipped.id)
            elif not isinstance(skipped.subject, str):  # a function, not a whole file
                uncounted += 1
            out.skipped.append(Skip(skipped.id, _reason(skipped, result), kind=skipped.reason.kind))
        for target in selection.targets:
            total += 1
            documented += target.mode == "replace"
            _place(out, target, file.head_text, diff, result, earlier)
    out.coverage_before = Coverage(documented, total, skipped=uncounted)
    return out


def _unread(file: SourceFile, rules: TargetRules, out: Analysis) -> None:
    """Report a file that was too large to read, unless the rules leave it out anyway."""
    if file.too_large is None or file_exclusion(file.path, rules) is not None:
        return
    skip = Skip(file.path, too_large_to_read(*file.too_large), kind=SkipKind.FILE)
    out.skipped.append(skip)
    out.unread.append(skip)


def _with_classes(
    selection: Selection, result: ExtractResult, added: frozenset[int], rules: TargetRules
) -> Selection:
    """Add the file's changed classes to its selection of functions."""
    klasses = select_class_targets(result, changed_classes(result, added), rules)
    return with_class_targets(selection, klasses)


def _reason(skipped: Skipped, result: ExtractResult) -> str:
    # The parser's own account names the Python that would read the file.
    if skipped.reason is SkipReason.NEWER_SYNTAX and result.error_kind == "newer_syntax":
        return result.error or newer_syntax_reason(None, None)
    return skipped.reason


def _diff(file: SourceFile, rules: TargetRules, out: Analysis) -> FileDiff | None:
    assert file.head_text is not None
    if file.patch is None and file.head_text.count("\n") > rules.max_file_lines:
        # Diffing a huge file ourselves costs seconds; GitHub omitted its patch for size.
        out.skipped.append(Skip(file.path, SkipReason.FILE_TOO_LARGE, kind=SkipKind.FILE))
        return None
    if file.whole_file:
        lines = frozenset(range(1, file.head_text.count("\n") + 2))
        return FileDiff(file.path, None, file.status, lines, lines, (), "computed")
    try:
        diff = map_file(
            file.path, file.status, file.patch, file.base_text, file.head_text, file.previous_path
        )
    except MalformedPatch as exc:
        out.skipped.append(Skip(file.path, f"diff could not be read ({exc})", kind=SkipKind.FILE))
        return None
    if file.every_function:
        return replace(diff, added=frozenset(range(1, file.head_text.count("\n") + 2)))
    return diff


def _base(file: SourceFile) -> ExtractResult | None:
    if file.base_text is None or file.status == "added":
        return None
    base = extract(file.previous_path or file.path, file.base_text)
    return None if base.error else base


def _place(
    out: Analysis,
    target: Target,
    head_text: str,
    diff: FileDiff,
    result: ExtractResult,
    earlier: set[FnMarker],
) -> None:
    fn = target.function
    if FnMarker(fn.id, fn.fingerprint) in earlier:
        out.unchanged.append(fn.id)
        return
    placement = place_docstring(head_text, fn, diff.commentable)
    if isinstance(placement, NotCommentable):
        out.not_commentable.append(fn.id)
        return
    stale = target.mode == "replace"
    out.work.append(Work(target, placement, head_text, prompt_function(fn, result, stale=stale)))


def prompt_function(
    fn: FunctionInfo, result: ExtractResult, *, stale: bool = False
) -> PromptFunction:
    """Return how the prompt shows ``fn``: its source, with imports and class header as context.

    A ``stale`` function carries its current docstring, to be updated rather than replaced.
    A class shows its compact view; its context is the class around it, if nested.
    """
    signature_lines = fn.header_end_lineno - fn.lineno + 1
    signature = "\n".join(fn.source.split("\n")[:signature_lines])
    klass = result.klass(fn.class_qualname) if fn.class_qualname else None
    return PromptFunction(
        id=fn.id,
        path=fn.path,
        source=fn.source,
        signature=signature,
        imports=result.imports_source,
        class_header=klass.header if klass is not None else "",
        current_docstring=(fn.docstring or "") if stale else "",
        is_class=fn.is_class,
    )
