"""A plan for people (text, markdown) and for programs (json).

Every renderer shows every change and every field in full: a deletion that is cut short is a deletion
nobody reviewed. Values are shown as JSON, so ``"25.00"`` (text) and ``25`` (a number) look different, as
they are.
"""

from __future__ import annotations

import json
from typing import Any

from engine.plan.lines import describe
from engine.plan.model import FORMAT_VERSION, Action, Change, FieldChange, Plan

NO_CHANGES = "No changes. The shop matches the recipes."

_ANSI = {
    Action.CREATE: "\x1b[32m",
    Action.UPDATE: "\x1b[33m",
    Action.DELETE: "\x1b[31m",
    Action.DEACTIVATE: "\x1b[31m",
    Action.UPLOAD: "\x1b[36m",
    Action.REPLACE: "\x1b[35m",
    Action.CANCEL: "\x1b[31m",
}
_RESET = "\x1b[0m"


def human_size(size: int) -> str:
    """Bytes for people, in binary units as file managers show them: ``84 KB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    if size < 1024**3:
        return f"{size / 1024**2:.1f} MB"
    return f"{size / 1024**3:.1f} GB"


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def summary_line(plan: Plan) -> str:
    """The last line of a text plan: ``Plan: N to create, M to update, U to upload, D to delete.``"""
    s = plan.summary()
    upload = f"{s['upload']} to upload"
    if plan.upload_bytes > 0:
        upload += f" ({human_size(plan.upload_bytes)})"
    return f"Plan: {s['create']} to create, {s['update']} to update, {upload}, {s['delete']} to delete."


def headline(change: Change) -> str:
    symbol = change.action.symbol
    if change.action is Action.UPLOAD:
        size = f" ({human_size(change.size)})" if change.size is not None else ""
        return f"{symbol} upload {change.address}{size}"
    if change.action is Action.DEACTIVATE:
        return f"{symbol} deactivate {change.address}"
    if change.action in (Action.DELETE, Action.CANCEL):
        return f"{symbol} {change.address} ({change.action.value})"
    return f"{symbol} {change.address}"


def shown_fields(change: Change) -> list[FieldChange]:
    """The fields a person is shown: none for a deactivation, whose headline says it all (the product
    keeps every field; only its status changes)."""
    return [] if change.action is Action.DEACTIVATE else list(change.fields)


def _details(change: Change) -> list[str]:
    parts = []
    if change.live_id is not None:
        parts.append(f"id {change.live_id}")
    if change.live_version is not None:
        parts.append(f"version {change.live_version}")
    if change.depends_on:
        parts.append("after " + ", ".join(change.depends_on))
    if change.source is not None:
        parts.append(f"from {change.source}")
    return [f"# {'; '.join(parts)}"] if parts else []


def render_text(plan: Plan, *, color: bool = False, verbose: bool = False) -> str:
    """The plan as a terminal shows it, ending with the summary line (or the no-changes line).

    ``verbose`` adds each change's live id and version, what it waits for and its recipe line, and the
    count of objects that already match.
    """
    blocks: list[str] = []
    for change in plan.changes:
        head = headline(change)
        if color:
            head = f"{_ANSI[change.action]}{head}{_RESET}"
        lines = [f"  {head}"]
        lines += [f"      {describe(change, f)}" for f in shown_fields(change)]
        if verbose:
            lines += [f"      {d}" for d in _details(change)]
        blocks.append("\n".join(lines))
    tail = [f"Note: {note}" for note in plan.notes]
    if verbose:
        tail.append(f"{plan.unchanged} unchanged.")
    tail.append(NO_CHANGES if plan.empty else summary_line(plan))
    blocks.append("\n".join(tail))
    return "\n\n".join(blocks) + "\n"


_MARKDOWN_SPECIAL = set("\\`*_[]<>|&~$")


def markdown_cell(value: str) -> str:
    """Text safe inside a markdown table cell: punctuation markdown acts on is escaped, lines joined."""
    escaped = "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIAL else ch for ch in value)
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def render_markdown(plan: Plan, *, max_chars: int | None = None) -> str:
    """The plan for a pull-request comment (see :mod:`engine.plan.markdown`); ``max_chars`` None uses the
    default budget, which fits a GitHub comment."""
    from engine.plan import markdown  # the markdown renderer builds on this module's helpers

    if max_chars is None:
        return markdown.render_markdown(plan)
    return markdown.render_markdown(plan, max_chars=max_chars)


def change_to_dict(change: Change) -> dict[str, Any]:
    """One change as in the JSON document; ``size`` and ``source`` only where they apply."""
    result: dict[str, Any] = {
        "address": change.address,
        "action": change.action.value,
        "fields": [{"path": f.path, "before": f.before, "after": f.after} for f in change.fields],
        "live_version": change.live_version,
        "depends_on": list(change.depends_on),
        "live_id": change.live_id,
    }
    if change.size is not None:
        result["size"] = change.size
    if change.source is not None:
        result["source"] = str(change.source)
    if change.pictures:
        result["pictures"] = dict(change.pictures)
    return result


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The versioned plan document of docs/plans.md."""
    return {
        "format_version": FORMAT_VERSION,
        "shelf_version": plan.shelf_version,
        "target": plan.target,
        "platform": plan.platform,
        "recipes_digest": plan.recipes_digest,
        "created_at": plan.created_at,
        "summary": plan.summary(),
        "changes": [change_to_dict(c) for c in plan.changes],
        "notes": list(plan.notes),
    }


def render_json(plan: Plan) -> str:
    return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
