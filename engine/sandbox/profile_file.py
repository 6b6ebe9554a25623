"""A fault profile as ``shelf sandbox serve --faults`` takes it: a JSON or YAML file, or inline JSON.

It is read with the same strict YAML reader as shelf's own documents (JSON is read by it too), so every
problem names its place: a wrong field is ``profile.yaml:3:8: fault profile field rates.5xx: must be at
most 1``, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.documents.checking import locate
from engine.documents.reading import UnreadableDocument, read_document
from engine.documents.strict_yaml import YamlSyntaxError, load_yaml
from engine.errors import ShelfError, Source
from engine.sandbox.fault_profile import profile_errors

MAX_PROFILE_BYTES = 64 * 1024
HINT = (
    'a profile looks like {"rates": {"5xx": 0.1, "429": 0.05, "lost": 0.02, "slow": 0.01, "drop": 0.01},'
    ' "seed": 7, "latency_ms": 20}; see docs/sandbox.md'
)


def read_profile(spec: str) -> dict[str, Any]:
    """The profile ``spec`` names: inline JSON when it starts with ``{``, else the path of a file."""
    if spec.lstrip().startswith("{"):
        name, text = "--faults", spec
    else:
        name = spec
        try:
            text = read_document(Path(spec), MAX_PROFILE_BYTES)
        except UnreadableDocument as exc:
            raise ShelfError(
                f"cannot read the fault profile: {exc.reason}", where=Source(name, exc.line, exc.col),
                hint=exc.hint or HINT,
            ) from None
    try:
        value, problems = load_yaml(text, name)
    except YamlSyntaxError as exc:
        raise ShelfError(exc.problem.message, where=exc.problem.source, hint=HINT) from None
    if problems:
        raise ShelfError(problems[0].message, where=problems[0].source, hint=HINT)
    if value is None:
        value = {}
    errors = profile_errors(value)
    if errors:
        said = [f"fault profile field {field}: {', '.join(messages)}" for field, messages in errors.items()]
        first = next(iter(errors))
        path: list[str | int] = [] if first == "body" else list(first.split("."))
        # an unknown field is shown at its key, a wrong value at the value
        where = locate(value, path, Source(name, 1, 1), key="unknown field" in errors[first])
        raise ShelfError("; ".join(said), where=where, hint=HINT)
    return dict(value)
