"""The plan as one self-contained web page, for reviewers who look at products rather than at JSON.

The page has no script and loads nothing but the shop's own pictures: the style is inline, local pictures
are embedded (:mod:`engine.plan.thumbnails`), live pictures are shown from their shop URL. It opens with
the summary and the deletions, deactivations and cancels (red, never folded), then one card per product
with its fields before and after, its variants as a table with the changed cells marked, its uploads,
and, when its pictures change, the shop's pictures and the new ones side by side. Other objects (categories,
promotions, subscriptions) get a card with their fields. The layout is one column on a phone and prints
without the colours a printer would waste.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from engine.model import Asset, Product, Variant
from engine.plan import normalise as n
from engine.plan.diff import variant_fields
from engine.plan.elements import labelled_assets
from engine.plan.lines import describe, value_text
from engine.plan.model import Action, Change, FieldChange, Plan
from engine.plan.render import NO_CHANGES, headline, human_size, shown_fields, summary_line
from engine.plan.thumbnails import embedded
from engine.plan.uploads import owner
from engine.plan.variants import product_of

Thumbnail = Callable[[Asset], str | None]

_DELETIONS = (Action.DELETE, Action.DEACTIVATE, Action.CANCEL)
_COLUMNS = ("sku", "price", "compare_price", "stock", "image")
_NO_ADDRESSES = "<p>The shop gave no addresses for its pictures (an in-process sandbox has none).</p>"

CSS = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:12px;
 background:#f5f5f2;color:#1d1d1b}
main{max-width:1100px;margin:0 auto}
h1{font-size:1.3em;margin:.2em 0 .6em}
h2{font-size:1.1em;margin:1.2em 0 .5em}
code{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;word-break:break-word}
.summary{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 8px;padding:0;list-style:none}
.summary li{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 10px}
.summary b{font-size:1.2em;margin-right:4px}
.card{background:#fff;border:1px solid #d8d8d2;border-left:6px solid #b58900;border-radius:6px;
 padding:10px 12px;margin:0 0 12px;break-inside:avoid}
.card.create{border-left-color:#2a9d3f}.card.upload{border-left-color:#1b7f9e}
.card.delete,.card.deactivate,.card.cancel{border-left-color:#c0262d;background:#fff6f6}
.card.replace{border-left-color:#7a3e9d}
.card h3{font-size:1em;margin:0 0 6px;display:flex;flex-wrap:wrap;gap:6px;align-items:baseline}
.badge{font-size:.75em;text-transform:uppercase;letter-spacing:.05em;border-radius:4px;padding:1px 6px;
 color:#fff;background:#b58900}
.badge.create{background:#2a9d3f}.badge.delete,.badge.deactivate,.badge.cancel{background:#c0262d}
.badge.replace{background:#7a3e9d}
.badge.upload{background:#1b7f9e}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:4px 0 8px}
th,td{border:1px solid #e2e2dc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0ea;font-weight:600}
td.changed{background:#fff3c4}
tr.added td{background:#e6f6e8}tr.removed td{background:#fde4e4;text-decoration:line-through}
del{color:#a4161a}ins{color:#1e6b2a;text-decoration:none;font-weight:600}
.pictures{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.gallery{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}
figure{margin:0;width:120px;font-size:12px}
figure img{width:120px;height:120px;object-fit:contain;background:#fafafa;border:1px solid #ddd;
 border-radius:4px;display:block}
figure.added img{outline:3px solid #2a9d3f}figure.removed img{outline:3px solid #c0262d;opacity:.6}
figure.changed img{outline:3px solid #b58900}
.missing{width:120px;height:120px;border:1px dashed #bbb;border-radius:4px;display:flex;
 align-items:center;justify-content:center;text-align:center;color:#777;padding:4px}
ul.lines{margin:4px 0;padding-left:18px}
.notes li{color:#555}
@media (max-width:640px){body{padding:6px}.pictures{grid-template-columns:1fr}
 figure,figure img,.missing{width:96px}figure img,.missing{height:96px}}
@media print{body{background:#fff;padding:0}.card{border-color:#999;background:#fff!important}
 td.changed,tr.added td,tr.removed td{background:#fff!important}a{color:inherit}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _value(value: Any) -> str:
    return "<i>none</i>" if value is None else f"<code>{_e(value_text(value))}</code>"


def _figure(label: str, src: str | None, alt: str | None, state: str, note: str = "") -> str:
    caption = _e(label) + (f"<br><i>{_e(alt)}</i>" if alt else "") + (f"<br>{_e(note)}" if note else "")
    if src is None:
        body = f'<div class="missing">{_e(note or "not shown")}</div>'
        caption = _e(label) + (f"<br><i>{_e(alt)}</i>" if alt else "")
    else:
        body = f'<img src="{_e(src)}" alt="{_e(alt or label)}">'
    return f'<figure class="{state}">{body}<figcaption>{caption}</figcaption></figure>'


class _Page:
    def __init__(self, plan: Plan, thumbnail: Thumbnail):
        self.plan = plan
        self.thumbnail = thumbnail
        self.uploads: dict[str, list[Change]] = {}
        self.variants: dict[str, list[Change]] = {}
        for change in plan.changes:
            home = owner(change.address) if change.action is Action.UPLOAD else product_of(change)
            if home is not None:
                group = self.uploads if change.action is Action.UPLOAD else self.variants
                group.setdefault(home, []).append(change)

    def fields_table(self, change: Change, fields: Sequence[FieldChange]) -> str:
        if not fields:
            return ""
        whole = change.action in (Action.CREATE, Action.DELETE)
        head = "<tr><th>field</th><th>value</th></tr>" if whole else (
            "<tr><th>field</th><th>before</th><th>after</th></tr>"
        )
        rows = []
        for f in fields:
            if whole:
                value = f.after if f.before is None else f.before
                rows.append(f"<tr><td><code>{_e(f.path)}</code></td><td>{_value(value)}</td></tr>")
            else:
                rows.append(
                    f"<tr><td><code>{_e(f.path)}</code></td><td>{_value(f.before)}</td>"
                    f"<td>{_value(f.after)}</td></tr>"
                )
        return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'

    def variant_table(self, product: Product, change: Change) -> str:
        changed = {f.path: f for f in change.fields if f.path.startswith("variants.")}
        removed = self.variants.get(change.address, [])
        if len(product.variants) <= 1 and not changed and not removed and change.action is not Action.CREATE:
            return ""
        names = [name for name, _ in product.options]
        head = "".join(f"<th>{_e(h)}</th>" for h in [*names, *_COLUMNS])
        rows = [self._variant_row(v, names, changed, change.action) for v in product.variants]
        for deletion in removed:
            values = {f.path: f.before for f in deletion.fields}
            options = values.get("options") or {}
            cells = [f"<td>{_e(options.get(name, ''))}</td>" for name in names]
            cells += [f"<td>{_e(value_text(values[c])) if c in values else ''}</td>" for c in _COLUMNS]
            rows.append(f'<tr class="removed" title="{_e(deletion.address)} (delete)">{"".join(cells)}</tr>')
        return f'<h4>Variants</h4><div class="scroll"><table><tr>{head}</tr>{"".join(rows)}</table></div>'

    def _variant_row(
        self, v: Variant, names: list[str], changed: dict[str, FieldChange], action: Action
    ) -> str:
        options = dict(v.options)
        cells = [f"<td>{_e(options.get(name, ''))}</td>" for name in names]
        values = variant_fields(v)
        added = action is Action.UPDATE and f"variants.{v.label}" in changed
        for column in _COLUMNS:
            f = changed.get(f"variants.{v.label}.{column}")
            if f is not None:
                cells.append(f'<td class="changed"><del>{_e(value_text(f.before))}</del> '
                             f"<ins>{_e(value_text(f.after))}</ins></td>")
            else:
                value = values[column]
                cells.append(f"<td>{'' if value is None else _e(value_text(value))}</td>")
        return f'<tr class="{"added" if added else ""}">{"".join(cells)}</tr>'

    def pictures(self, product: Product, change: Change) -> str:
        image_fields = [f for f in change.fields if f.path.startswith("images")]
        if not image_fields:
            return ""
        desired = labelled_assets(n.images(product.images), [])
        whole = [(f, f.path[len("images[") : -1]) for f in image_fields if f.path.endswith("]")]
        added = {label for f, label in whole if f.before is None}
        removed = {label for f, label in whole if f.after is None}
        touched = {f.path.split("]", 1)[0][len("images[") :] for f in image_fields if "]." in f.path}
        live_side = []
        for label, url in change.pictures.items():
            state = "removed" if label in removed else "changed" if label in touched else ""
            live_side.append(_figure(label, url, None, state))
        for label in sorted(removed - set(change.pictures)):
            live_side.append(_figure(label, None, None, "removed", "no shop URL"))
        if change.action is Action.CREATE:
            live_side = ['<div class="missing">new product</div>']
        new_side = []
        for (label, _), asset in zip(desired, product.images, strict=True):
            state = "added" if label in added else "changed" if label in touched else ""
            src = asset.url if asset.path is None else self.thumbnail(asset)
            note = "" if src is not None else "picture not embedded"
            new_side.append(_figure(label, src, n.string(asset.alt), state, note))
        lines = "".join(f"<li><code>{_e(describe(change, f))}</code></li>" for f in image_fields)
        return (
            f'<h4>Pictures</h4><ul class="lines">{lines}</ul><div class="pictures">'
            f'<div><b>In the shop</b><div class="gallery">{"".join(live_side) or _NO_ADDRESSES}</div></div>'
            f'<div><b>After apply</b><div class="gallery">{"".join(new_side) or "none"}</div></div></div>'
        )

    def card(self, change: Change) -> str:
        action = change.action.value
        head = f'<h3><span class="badge {action}">{_e(action)}</span><code>{_e(headline(change))}</code></h3>'
        product = change.desired if isinstance(change.desired, Product) else None
        fields = shown_fields(change)
        if product is not None and change.kind == "product":
            plain = [f for f in fields if not f.path.startswith(("variants.", "images"))]
            body = self.fields_table(change, plain) + self.variant_table(product, change)
            body += self.pictures(product, change)
            ups = self.uploads.get(change.address, [])
            if ups:
                items = "".join(f"<li><code>{_e(headline(u))}</code></li>" for u in ups)
                body += f'<h4>Uploads</h4><ul class="lines">{items}</ul>'
        elif change.action is Action.DEACTIVATE:
            body = "<p>Taken off sale (<code>status: inactive</code>); the product keeps every field.</p>"
        else:
            body = self.fields_table(change, fields)
        return f'<section class="card {action}" id="{_e(change.address)}">{head}{body}</section>'

    def render(self) -> str:
        plan = self.plan
        title = f"shelf plan for {plan.target} ({plan.platform})"
        parts = [f"<h1>{_e(title)}</h1>"]
        if plan.empty:
            parts.append(f"<p>{_e(NO_CHANGES)}</p>")
        else:
            s = plan.summary()
            upload = f"{s['upload']}" + (f" ({human_size(plan.upload_bytes)})" if plan.upload_bytes else "")
            items = [("to create", s["create"]), ("to update", s["update"]), ("to upload", upload),
                     ("to delete", s["delete"]), ("unchanged", s["unchanged"])]
            parts.append('<ul class="summary">' + "".join(f"<li><b>{_e(v)}</b>{_e(k)}</li>" for k, v in items)
                         + "</ul>")
            parts.append(f"<p><code>{_e(summary_line(plan))}</code> Made {_e(plan.created_at)}.</p>")
            deletions = [c for c in plan.changes if c.action in _DELETIONS]
            if deletions:
                parts.append(f"<h2>Deletions ({len(deletions)})</h2>")
                parts += [self.card(c) for c in deletions]
            present = {x.address for x in plan.changes}
            grouped = {c.address for home, cs in self.uploads.items() if home in present for c in cs}
            others = [c for c in plan.changes if c.action not in _DELETIONS and c.address not in grouped]
            if others:
                parts.append(f"<h2>Changes ({len(others)})</h2>")
                parts += [self.card(c) for c in others]
        if plan.notes:
            parts.append('<h2>Notes</h2><ul class="notes">' + "".join(f"<li>{_e(x)}</li>" for x in plan.notes)
                         + "</ul>")
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(parts)}</main></body></html>\n"
        )


def render_html(plan: Plan, *, thumbnail: Thumbnail = embedded) -> str:
    """The whole page; ``thumbnail`` gives a local picture's ``src`` (None: not shown)."""
    return _Page(plan, thumbnail).render()
