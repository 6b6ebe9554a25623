"""plan and apply: the commands that read the shop and, for apply, change it."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from engine.apply import ChangeResult, Halt, Report
from engine.commands.common import State, emit_json, pass_state
from engine.commands.interrupts import interrupts_halt
from engine.core import Session, apply_plan, open_session, read_and_plan
from engine.errors import ShelfError
from engine.plan.html import render_html
from engine.plan.markdown import DEFAULT_MAX_CHARS, render_markdown
from engine.plan.model import Plan
from engine.plan.planfile import save_plan
from engine.plan.render import plan_to_dict, render_text
from engine.saved import load_and_check, planned_target

FORMATS = click.Choice(["text", "json", "markdown"])
SHOW_FORMATS = click.Choice(["text", "json", "markdown", "html"])
HTML_SUFFIXES = (".html", ".htm")

max_chars_option = click.option(
    "--max-chars", type=click.IntRange(min=0), default=DEFAULT_MAX_CHARS, show_default=True,
    help="Markdown only: the most characters to print (0: no limit); every deletion is kept.",
)


def show_plan(state: State, plan: Plan, fmt: str, max_chars: int = DEFAULT_MAX_CHARS) -> None:
    """Print a plan in one format: text to stderr, the documents to stdout."""
    if fmt == "json":
        emit_json(plan_to_dict(plan))
    elif fmt == "markdown":
        click.echo(render_markdown(plan, max_chars=max_chars or None))
    elif fmt == "html":
        click.echo(render_html(plan), nl=False)
    else:
        state.out.raw(render_text(plan, color=state.out.color, verbose=bool(state.out.verbose)))


def _show_plan(state: State, plan: Plan, fmt: str) -> None:
    show_plan(state, plan, fmt)


def rendered(plan: Plan, fmt: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """The plan as a file of one format holds it (text without colours)."""
    if fmt == "json":
        return json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(plan, max_chars=max_chars or None)
    if fmt == "html":
        return render_html(plan)
    return render_text(plan)


def write_rendering(text: str, path: Path) -> None:
    """A rendered plan written to ``path`` (``--out plan.html``)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ShelfError(f"cannot write the plan: {e.strerror}", where=str(path),
                         hint="choose a writable --out path") from None


@click.command()
@click.option("-t", "--target", help="Target from shelf.yaml (default: default_target).")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Save the plan as JSON (for `shelf apply PLANFILE`); a name ending in .html: the page.")
@click.option("--format", "fmt", type=SHOW_FORMATS, default="text", show_default=True)
@max_chars_option
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@click.option("--only", multiple=True, metavar="ADDR", help="Only addresses matching this glob (repeatable).")
@click.option("--exclude", multiple=True, metavar="ADDR", help="Leave out addresses matching this glob.")
@pass_state
def plan(state: State, target: str | None, out_path: Path | None, fmt: str, max_chars: int,
         detailed_exitcode: bool, only: tuple[str, ...], exclude: tuple[str, ...]) -> int:
    """Read the live shop and show what apply would change, field by field."""
    config = state.config

    async def job() -> Plan:
        async with open_session(config, target) as session:
            with state.out.activity(f"Reading {session.target.name} ({session.target.platform})..."):
                result, _ = await read_and_plan(session, only=only, exclude=exclude)
            return result

    result = asyncio.run(job())
    page = out_path is not None and out_path.suffix.lower() in HTML_SUFFIXES
    if page and out_path is not None:
        write_rendering(render_html(result), out_path)
        state.out.say(f"Wrote the plan's page to {out_path}")
        if fmt != "html":
            show_plan(state, result, fmt, max_chars)
    else:
        show_plan(state, result, fmt, max_chars)
    if out_path is not None and not page:
        save_plan(result, out_path)
        state.out.say(f"Saved the plan to {out_path}; apply it with: shelf apply {out_path}")
    if detailed_exitcode and not result.empty:
        return 2
    return 0


@click.command()
@click.argument("planfile", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("-t", "--target", help="Target from shelf.yaml (default: default_target).")
@click.option("--auto-approve", is_flag=True, help="Apply without asking (required without a terminal).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="How to show the plan and the report.")
@click.option("--wait", type=click.FloatRange(min=0), default=300, show_default=True, metavar="SECONDS",
              help="How long to wait for the platform's asynchronous work (jobs, provisioning).")
@pass_state
def apply(state: State, planfile: Path | None, target: str | None, auto_approve: bool, fmt: str,
          wait: float) -> int:
    """Plan (or load PLANFILE), confirm, apply, then re-read what changed to verify."""
    config = state.config
    if planfile is not None and target is None:
        target = planned_target(planfile)
    if planfile is None and not auto_approve and not stdin_is_terminal():
        raise ShelfError("apply needs --auto-approve when standard input is not a terminal",
                         hint="review the plan with `shelf plan` first")

    async def job() -> tuple[Plan, Report | None]:
        async with open_session(config, target, lock=True) as session:
            with state.out.activity(f"Reading {session.target.name} ({session.target.platform})..."):
                if planfile is not None:
                    current = await load_and_check(session, planfile)
                else:
                    current, _ = await read_and_plan(session)
            if fmt != "json":
                _show_plan(state, current, fmt)
            if current.empty:
                return current, None
            if planfile is None and not auto_approve and not _confirm(state, session):
                raise click.Abort()
            total = len(current.changes)
            halt = Halt()
            with (
                state.out.progress(f"Applying to {session.target.name}", total) as advance,
                interrupts_halt(halt, state.out),
            ):
                report = await apply_plan(session, current, on_done=_progress(state, total, advance),
                                          wait=wait, progress=state.out.say, halt=halt)
            return current, report

    current, report = asyncio.run(job())
    if report is None:
        if fmt == "json":
            emit_json({"plan": plan_to_dict(current), "results": []})
        return 0
    if fmt == "json":
        refusal = report.refusal.render() if report.refusal is not None else None
        emit_json({"plan": plan_to_dict(current), "results": [r.__dict__ for r in report.results],
                   "not_converged": report.not_converged, "limits": report.limits, "halted": report.halted,
                   "refusal": refusal, "verified": report.verified})
    _show_report(state, report)
    if report.halted:
        return 3 if report.changed_anything else 1
    return 0 if report.ok else 3


def stdin_is_terminal() -> bool:
    """Whether a person can answer the prompt; without one, apply insists on --auto-approve."""
    return sys.stdin.isatty()


def _confirm(state: State, session: Session) -> bool:
    answer = click.prompt(f"Apply these changes to target '{session.target.name}'? Only 'yes' applies",
                          default="", show_default=False, err=True)
    return bool(answer.strip() == "yes")


def _progress(state: State, total: int, advance: Callable[[], None]) -> Callable[[ChangeResult], None]:
    """Advance the bar (on a terminal) and report each failure (and, with -v, each change) as it ends."""
    count = 0

    def on_done(result: ChangeResult) -> None:
        nonlocal count
        count += 1
        advance()
        summed_up = result.not_started or result.refused or result.cut_short  # in the report's last lines
        if state.out.verbose or not (result.ok or summed_up):
            mark = "ok" if result.ok else _MARKS.get(_kind(result), "FAILED")
            detail = f": {result.error}" if result.error else ""
            state.out.say(f"  [{count}/{total}] {result.action} {result.address} {mark}{detail}")

    return on_done


_MARKS = {"skipped": "skipped", "not_started": "not started", "refused": "REFUSED", "cut_short": "cut short"}


def _kind(result: ChangeResult) -> str:
    return next((kind for kind in _MARKS if getattr(result, kind)), "failed")


def _halted_line(report: Report) -> str:
    """``Interrupted: 120 of 300 changes applied, 180 not started.``: the counts that are not zero."""
    counts = report.counts()
    parts = [f"{counts['applied']} of {len(report.results)} changes applied"]
    for key, words in (("failed", "failed"), ("refused", "refused"), ("skipped", "skipped"),
                       ("cut_short", "cut short (the shop may or may not hold them)")):
        if counts[key]:
            parts.append(f"{counts[key]} {words}")
    parts.append(f"{counts['not_started']} not started")
    opening = "Interrupted" if report.halted == "interrupted" else "Stopped at the refusal"
    return f"{opening}: {', '.join(parts)}."


def _show_report(state: State, report: Report) -> None:
    counts = report.counts()
    if report.refusal is not None:
        state.out.error(report.refusal.render())
    for address, paths in report.not_converged.items():
        differs = f"still differs in {', '.join(paths)} after apply"
        if address in report.limits:
            state.out.error(f"{address} {differs}: {report.limits[address]}")
        else:
            state.out.error(f"{address} did not converge: {differs}")
    if report.halted:
        again = "run `shelf apply` again to finish; it converges"
        if report.refusal is not None:
            again = "grant what the refusal names, then " + again
        state.out.error(_halted_line(report),
                        hint=again + ("" if report.verified else "; this apply was not verified"))
        return
    line = (f"Apply complete: {counts['applied']} applied, {counts['failed']} failed, "
            f"{counts['skipped']} skipped.")
    if report.ok:
        state.out.success(line)
    elif not report.failed and set(report.not_converged) <= set(report.limits):
        state.out.error(line, hint="a re-run cannot change what is left: change it in the shop's admin")
    else:
        state.out.error(line, hint="run `shelf apply` again once the cause is fixed; it converges")
