"""The plan as markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``, within a size budget.

A GitHub comment holds at most 65,536 characters; a comment that is longer is refused, and a plan nobody
can post is a plan nobody reviews. So the markdown is built in order of what a reviewer must see:

1. the heading and the summary table;
2. every deletion in full (PRODUCT.md promises it); should the deletions alone not fit, each is still
   listed, by its headline, and its fields are in the full plan;
3. then the other changes, in plan order, as many as fit: each with a visible before/after table (a price
   change is seen without clicking), whose rows beyond the first few fold into ``<details>``;
4. a line counting the changes left out and saying where the full plan is;
5. the notes, as many as fit, then a count of the rest.

The budget counts characters (what GitHub counts), the final newline included.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape as html_escape
from typing import Any

from engine.plan.lines import added_variant, element_change, order_paths, value_text
from engine.plan.model import Action, Change, FieldChange, Plan
from engine.plan.render import NO_CHANGES, headline, human_size, markdown_cell, shown_fields

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_CHARS = 60_000  # a comment's limit less room for a marker, a header and a link
VISIBLE_ROWS = 8
FULL_PLAN = (
    "the full plan: `shelf show plan.json --format html`; in CI, the job summary and the run's artifact"
)

_DELETIONS = (Action.DELETE, Action.DEACTIVATE, Action.CANCEL)


def _cell(value: Any) -> str:
    return "*(none)*" if value is None else markdown_cell(value_text(value))


def _row(change: Change, f: FieldChange) -> tuple[str, str, str]:
    """``(field, before, after)`` cells: element lines read as the list gaining or losing one."""
    ordered = order_paths(f)
    if ordered is not None:
        before = markdown_cell(", ".join(map(str, f.before)))
        after = markdown_cell(", ".join(map(str, f.after)))
        return markdown_cell(f"{ordered} (order)"), before, after
    element = element_change(f)
    if element is not None:
        parent, sign, label, value = element
        text = markdown_cell(f"{sign} {label}")
        if isinstance(value, dict) and isinstance(value.get("alt"), str):
            text += " alt " + markdown_cell(value_text(value["alt"]))
        elif isinstance(value, list):
            text += ": " + markdown_cell(", ".join(map(str, value)))
        return (markdown_cell(parent), "", text) if sign == "+" else (markdown_cell(parent), text, "")
    variant = added_variant(change, f)
    if variant is not None:
        sign, label, value = variant
        text = markdown_cell(f"{sign} {label} {value_text(value)}")
        return ("variants", "", text) if sign == "+" else ("variants", text, "")
    return markdown_cell(f.path), _cell(f.before), _cell(f.after)


def _table(change: Change, fields: Sequence[FieldChange]) -> list[str]:
    """A before/after table; an object created or deleted as a whole has one side, so one value column."""
    if change.action in (Action.CREATE, Action.DELETE):
        side = 2 if change.action is Action.CREATE else 1
        lines = ["| field | value |", "|---|---|"]
        return lines + [f"| {row[0]} | {row[side]} |" for row in (_row(change, f) for f in fields)]
    lines = ["| field | before | after |", "|---|---|---|"]
    lines += ["| {} | {} | {} |".format(*_row(change, f)) for f in fields]
    return lines


def change_block(change: Change, *, fold: bool = True) -> str:
    """One change: its headline, then its fields as a table; rows past :data:`VISIBLE_ROWS` fold unless
    ``fold`` is off (deletions are never folded)."""
    head = html_escape(headline(change), quote=False)
    fields = shown_fields(change)
    strong = change.action in _DELETIONS
    lines = [f"**`{head}`**" if strong else f"`{head}`", ""]
    if fields:
        visible = fields if not fold or len(fields) <= VISIBLE_ROWS + 2 else fields[:VISIBLE_ROWS]
        lines += [*_table(change, visible), ""]
        rest = fields[len(visible) :]
        if rest:
            lines += [f"<details><summary>{len(rest)} more fields</summary>", "", *_table(change, rest), ""]
            lines += ["</details>", ""]
    if change.depends_on:
        lines += ["After: " + ", ".join(f"`{a}`" for a in change.depends_on), ""]
    return "\n".join(lines) + "\n"


def _deletion_line(change: Change) -> str:
    return f"- **`{html_escape(headline(change), quote=False)}`** (every field in the full plan)\n"


def _uploads_line(changes: Sequence[Change]) -> str:
    return "".join(f"- `{html_escape(headline(c), quote=False)}`\n" for c in changes)


def _blocks(changes: Sequence[Change]) -> Iterator[tuple[list[Change], str]]:
    """The non-deletion changes as blocks, made as they are asked for (the budget stops early): a
    change, or a run of uploads (one line each)."""
    run: list[Change] = []
    for change in changes:
        if change.action is Action.UPLOAD:
            run.append(change)
            continue
        if run:
            yield run, _uploads_line(run) + "\n"
            run = []
        yield [change], change_block(change)
    if run:
        yield run, _uploads_line(run) + "\n"


def _left_out(changes: Sequence[Change]) -> str:
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.action.value] = counts.get(change.action.value, 0) + 1
    detail = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    return f"**{len(changes)} more changes are not shown here** ({detail}): see {FULL_PLAN}.\n\n"


def _summary(plan: Plan) -> str:
    s = plan.summary()
    upload = str(s["upload"])
    if plan.upload_bytes > 0:
        upload += f" ({human_size(plan.upload_bytes)})"
    return (
        "| create | update | upload | delete | unchanged |\n|---:|---:|---:|---:|---:|\n"
        f"| {s['create']} | {s['update']} | {upload} | {s['delete']} | {s['unchanged']} |\n\n"
    )


def render_markdown(plan: Plan, *, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """The plan in at most ``max_chars`` characters (None: no limit), every deletion kept."""
    limit = max_chars if max_chars is not None else float("inf")
    out = f"### shelf plan for `{plan.target}` ({plan.platform})\n\n"
    if plan.empty:
        out += NO_CHANGES + "\n\n"
    else:
        out += _summary(plan)
        deletions = [c for c in plan.changes if c.action in _DELETIONS]
        others = [c for c in plan.changes if c.action not in _DELETIONS]
        if deletions:
            full = "".join(change_block(c, fold=False) for c in deletions)
            if len(out) + len(full) > limit:
                full = "".join(_deletion_line(c) for c in deletions) + "\n"
            out += f"#### Deletions ({len(deletions)})\n\n" + full
        reserve = len(_left_out(others)) + 200
        if others:
            out += f"#### Changes ({len(others)})\n\n"
        shown = 0
        for members, text in _blocks(others):
            if len(out) + len(text) + reserve > limit:
                break
            out += text
            shown += len(members)
        if shown < len(others):
            out += _left_out(others[shown:])
    return out + _notes(plan.notes, limit - len(out) - 1)


def _notes(notes: Sequence[str], room: float) -> str:
    out = ""
    for i, note in enumerate(notes):
        line = f"- {markdown_cell(note)}\n"
        rest = len(notes) - i - 1
        tail = f"- and {rest} more notes in the full plan\n" if rest else ""
        if len(out) + len(line) + len(tail) + 60 > room:
            return out + f"- and {len(notes) - i} more notes in the full plan\n\n"
        out += line
    return out + "\n" if out else out
