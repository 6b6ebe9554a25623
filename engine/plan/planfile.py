"""Saved plans: ``shelf plan --out plan.json`` now, ``shelf apply plan.json`` later, exactly as reviewed.

The file is the JSON plan document plus, per change, the ``desired`` object apply will send, and a
``checksum`` (``sha256:`` over the canonical JSON of everything else). The checksum makes a hand-edited
plan fail loudly instead of applying something nobody reviewed; it is not a signature against someone
who means harm and can recompute it. Reformatting the file (whitespace, key order) keeps it valid.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from engine.errors import PlanFileError, Source
from engine.plan.model import FORMAT_VERSION, Action, Change, FieldChange, Plan
from engine.plan.render import plan_to_dict
from engine.plan.serial import item_from_dict, item_to_dict, source_from_text

_REPLAN = "make a new one with `shelf plan --out FILE`"


def checksum(document: dict[str, Any]) -> str:
    """``sha256:<hex>`` over the canonical JSON of the document without its ``checksum`` key."""
    body = {k: v for k, v in document.items() if k != "checksum"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_document(plan: Plan) -> dict[str, Any]:
    """The saved form of a plan: the JSON document with each change's desired object and a checksum."""
    document = plan_to_dict(plan)
    for entry, change in zip(document["changes"], plan.changes, strict=True):
        entry["desired"] = item_to_dict(change.desired) if change.desired is not None else None
    document["checksum"] = checksum(document)
    return document


def save_plan(plan: Plan, path: str | Path) -> None:
    """Write the plan to ``path``, replacing any file there only once the new one is complete."""
    path = Path(path)
    text = json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"
    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise PlanFileError(
            f"cannot write the plan: {e.strerror}", where=str(path), hint="choose a writable --out path"
        ) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as e:
        raise PlanFileError(f"cannot read the plan: {e.strerror}", where=str(path), hint=_REPLAN) from None
    except UnicodeDecodeError:
        raise PlanFileError("not a plan file: not UTF-8 text", where=str(path), hint=_REPLAN) from None
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as e:
        where = Source(str(path), e.lineno, e.colno)
        raise PlanFileError(f"not a plan file: {e.msg}", where=where, hint=_REPLAN) from None
    if not isinstance(document, dict):
        raise PlanFileError("not a plan file: expected a JSON object", where=str(path), hint=_REPLAN)
    return document


def _check(document: dict[str, Any], path: Path, target: str) -> None:
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise PlanFileError(
            f"the plan has format version {version!r}; this shelf reads version {FORMAT_VERSION}",
            where=str(path),
            hint=f"plan again with this shelf: {_REPLAN}",
        )
    if document.get("checksum") != checksum(document):
        raise PlanFileError(
            "the plan was changed after it was saved (its checksum does not match)",
            where=str(path),
            hint=f"plans cannot be edited by hand; {_REPLAN}",
        )
    planned_for = document.get("target")
    if planned_for != target:
        raise PlanFileError(
            f"the plan is for target {planned_for!r}, not {target!r}",
            where=str(path),
            hint=f"apply it with --target {planned_for}, or plan again for {target}",
        )


def _change(entry: dict[str, Any]) -> Change:
    desired = entry.get("desired")
    return Change(
        address=entry["address"],
        action=Action(entry["action"]),
        fields=[FieldChange(f["path"], f["before"], f["after"]) for f in entry["fields"]],
        desired=item_from_dict(desired["kind"], desired) if desired is not None else None,
        live_id=entry.get("live_id"),
        live_version=entry.get("live_version"),
        depends_on=list(entry.get("depends_on", [])),
        size=entry.get("size"),
        source=source_from_text(entry.get("source")),
        pictures=dict(entry.get("pictures", {})),
    )


def load_plan(path: str | Path, *, target: str) -> Plan:
    """The plan saved at ``path``, refused (:class:`PlanFileError`) when it is not a plan this shelf
    wrote, was edited since, or was made for another target than ``target``."""
    path = Path(path)
    document = _read(path)
    _check(document, path, target)
    try:
        return Plan(
            target=document["target"],
            platform=document["platform"],
            changes=[_change(entry) for entry in document["changes"]],
            unchanged=int(document["summary"]["unchanged"]),
            recipes_digest=document.get("recipes_digest", ""),
            created_at=document.get("created_at", ""),
            shelf_version=document.get("shelf_version", ""),
            notes=list(document.get("notes", [])),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise PlanFileError(f"not a well-formed plan: {e!r}", where=str(path), hint=_REPLAN) from None
