"""A Plan from the desired catalog and the live shop, without knowing the platform.

The planner only decides *what* changes: create, update, delete or deactivate, with every field, the
uploads (:mod:`engine.plan.uploads`), the order that respects references, and which changes
``--only``/``--exclude`` keep. How each change is made
is the provider's business; the platform's abilities reach the planner only as :class:`Capabilities`.
The rules are written out for users in docs/plans.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from engine import __version__
from engine.errors import PlanError, PlanErrors
from engine.model import (
    COLLECTIONS,
    KIND_OF_COLLECTION,
    Catalog,
    Category,
    Item,
    Product,
    Promotion,
    Subscription,
    address,
)
from engine.plan.diff import created_fields, deleted_fields, diff_item, product_pictures
from engine.plan.globs import Globs
from engine.plan.model import Action, Change, FieldChange, Plan
from engine.plan.platform import Capabilities, LiveState
from engine.plan.subscriptions import cancel_change, subscription_change
from engine.plan.targeting import check_globs, known_addresses, variant_addresses
from engine.plan.uploads import (
    keep_with_products,
    link_uploads,
    owner,
    place_uploads,
    removal_notes,
    upload_changes,
)
from engine.plan.variants import (
    keep_with_variants,
    link_variants,
    one_write,
    place_variants,
    product_of,
    split_removed,
)

_DELETIONS = (Action.DELETE, Action.DEACTIVATE, Action.CANCEL)


def _selected(addr: str, only: Globs, exclude: Globs) -> bool:
    return (not only or only(addr)) and not exclude(addr)


def references(item: Item) -> list[str]:
    """The addresses an item refers to, which must exist before it and outlive it."""
    if isinstance(item, Category):
        return [address("category", item.parent)] if item.parent else []
    if isinstance(item, Product):
        return [address("category", item.category)] if item.category else []
    if isinstance(item, Promotion):
        return [address("product", k) for k in item.products] + [
            address("category", k) for k in item.categories
        ]
    return []


def protected_addresses(catalog: Catalog, target: str) -> frozenset[str]:
    """The addresses prune must leave alone, from the catalog of every recipe (not only this target's).

    An object is protected when a recipe marks it ``protect: true`` or when a recipe describes it for
    other targets only: it is somebody's catalog, just not this shop's, and deleting it here would be a
    surprise rather than a cleanup.
    """
    return frozenset(
        addr
        for addr, item in catalog.items()
        if item.protect or (item.targets is not None and target not in item.targets)
    )


def _check_prune(prune: Collection[str], capabilities: Capabilities, target: str) -> None:
    """Refuse a prune the platform cannot carry out, before anything is planned.

    Only products have a status, so only products can be pruned by deactivation; any other collection
    must be deletable on the platform.
    """
    for name in prune:
        if name not in capabilities.managed:
            managed = ", ".join(sorted(capabilities.managed)) or "none"
            raise PlanError(
                f"prune lists {name!r}, which shelf does not manage on this platform",
                where=target,
                hint=f"prune can list: {managed}",
            )
        if name not in capabilities.deletable and name != "products":
            raise PlanError(
                f"prune lists {name!r}, but the platform can neither delete nor deactivate them",
                where=target,
                hint=f"remove {name!r} from prune",
            )


def _prune_change(addr: str, item: Item, live: LiveState, deletable: bool) -> Change | None:
    if isinstance(item, Subscription):
        return cancel_change(addr, item, live)
    fields = deleted_fields(item)
    if deletable:
        action = Action.DELETE
    else:
        if isinstance(item, Product) and item.status == "inactive":
            return None
        action = Action.DEACTIVATE
        fields = [FieldChange("status", "active", "inactive")]  # the rest of the product stays
    return Change(addr, action, fields, live_id=live.ids.get(addr), live_version=live.versions.get(addr))


def _topological(changes: list[Change], first: Callable[[Change], list[Change]]) -> list[Change]:
    """The changes in their given order, except that ``first(c)`` always comes before ``c``."""
    done: set[str] = set()
    result: list[Change] = []

    def visit(change: Change, path: frozenset[str]) -> None:
        if change.address in done or change.address in path:
            return
        for earlier in first(change):
            visit(earlier, path | {change.address})
        done.add(change.address)
        result.append(change)

    for c in changes:
        visit(c, frozenset())
    return result


def _parent(item: Item | None) -> str | None:
    if isinstance(item, Category) and item.parent:
        return address("category", item.parent)
    return None


def _categories(
    ups: list[Change], downs: list[Change], live_items: dict[str, Item]
) -> tuple[list[Change], list[Change]]:
    """Category creates and updates parents first; category deletions children first."""
    up_at = {c.address: c for c in ups}
    ups = _topological(ups, lambda c: [p for p in [up_at.get(_parent(c.desired) or "")] if p])
    downs = _topological(
        downs, lambda c: [d for d in downs if _parent(live_items.get(d.address)) == c.address]
    )
    return ups, downs


def _order(changes: list[Change], live_items: dict[str, Item]) -> list[Change]:
    """Creates and updates by collection (categories parents first), then deletions in reverse order:
    subscriptions, promotions, products, categories children first."""
    forward: list[Change] = []
    backward: list[Change] = []
    for name in COLLECTIONS:
        kind = KIND_OF_COLLECTION[name]
        ups = [c for c in changes if c.kind == kind and c.action not in _DELETIONS]
        downs = [c for c in changes if c.kind == kind and c.action in _DELETIONS]
        if kind == "category":
            ups, downs = _categories(ups, downs, live_items)
        forward.extend(ups)
        backward = downs + backward
    return forward + backward


def _link(changes: list[Change], live_items: dict[str, Item]) -> None:
    """Fill ``depends_on``: creates and updates wait for the creates they refer to; a deletion waits for
    every change whose live object still refers to what is deleted."""
    actions = {c.address: c.action for c in changes}
    referrers: dict[str, list[str]] = {}
    for c in changes:
        if c.action is Action.CREATE:
            continue
        old = live_items.get(c.address)
        for ref in references(old) if old is not None else []:
            referrers.setdefault(ref, []).append(c.address)
    for c in changes:
        if c.action in _DELETIONS:
            c.depends_on = [a for a in referrers.get(c.address, []) if a != c.address]
        elif c.desired is not None:
            c.depends_on = [r for r in references(c.desired) if actions.get(r) is Action.CREATE]


def _select(
    changes: list[Change],
    only: Sequence[str],
    exclude: Sequence[str],
    live_items: dict[str, Item],
    read: Callable[[str], bool] | None = None,
) -> tuple[list[Change], list[str]]:
    """Keep what ``--only``/``--exclude`` select, plus whatever the kept changes depend on.

    A product change is also named by the variants it writes (``variant.<sku>``). A product update and
    the deletions of its removed variants are one write: a glob that keeps one keeps all of them (the plan
    says so), and an ``--exclude`` that names one leaves all of them out. An upload is selected
    on its own only by an ``--only`` glob; otherwise it goes with its product. A kept upload of a product
    that is updated pulls the update in: the upload places the file on the product, so without the update
    in the plan apply would change the product's images unannounced. A change to an object the live read
    did not cover (``read`` rejects it, or the product an upload belongs to) is not counted as left out:
    the object was not looked for, so it only seemed missing.
    """
    if not only and not exclude:
        return changes, []
    wanted, unwanted = Globs(only), Globs(exclude)
    by_address = {c.address: c for c in changes}
    writes = one_write(changes)

    def names(change: Change) -> list[str]:
        live = live_items.get(change.address)
        return [change.address, *variant_addresses(change, live if isinstance(live, Product) else None)]

    def chosen(change: Change) -> bool:
        together = [by_address[a] for a in writes.get(change.address, [change.address])]
        if unwanted and any(unwanted(a) for c in together for a in names(c)):
            return False
        if change.action is Action.UPLOAD and not wanted(change.address):
            return False
        return not wanted or any(wanted(a) for a in names(change))

    kept = {c.address for c in changes if chosen(c)}
    notes = keep_with_variants(changes, kept, exclude)
    todo = deque(sorted(kept))
    while todo:
        dependent = todo.popleft()
        needed = [(dep, "depends on it") for dep in by_address[dependent].depends_on]
        home = by_address.get(owner(dependent) or "")
        if home is not None and home.action is Action.UPDATE:
            needed.append((home.address, "is placed on it"))
        for dep, reason in needed:
            if dep in kept or dep not in by_address:
                continue
            kept.add(dep)
            todo.append(dep)
            why = " although excluded" if unwanted(dep) else ""
            notes.append(f"{dep} pulled in{why}: {dependent} {reason}")
        if not todo:  # what was pulled in brings the rest of its write
            before = set(kept)
            notes += keep_with_variants(changes, kept, exclude)
            todo = deque(sorted(kept - before))
    notes += keep_with_products(changes, kept)
    left_out = sum(
        1
        for c in changes
        if c.address not in kept and (read is None or read(product_of(c) or owner(c.address) or c.address))
    )
    if left_out:
        notes.append(f"{left_out} change(s) left out by --only/--exclude")
    return [c for c in changes if c.address in kept], notes


@dataclass
class _Draft:
    """What planning has found so far, before ordering and selection."""

    changes: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    live_items: dict[str, Item] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    variants: list[Change] = field(default_factory=list)  # removed variants, each its own deletion


def _converge(
    draft: _Draft, kind: str, wanted: dict[str, Item], present: dict[str, Item], live: LiveState
) -> None:
    """Create what is missing, update what differs, count what already matches. A product the shop holds
    under its ``renamed_from`` key (``live.renamed``) is updated, its key first."""
    renamed = {address(kind, new): old for new, old in live.renamed.items()} if kind == "product" else {}
    for key, want in wanted.items():
        addr = address(kind, key)
        have = present.get(key)
        if isinstance(want, Subscription):
            held = have if isinstance(have, Subscription) else None
            change = subscription_change(addr, want, held, live)
            if change is None:
                draft.unchanged.append(addr)
            else:
                draft.changes.append(change)
            continue
        if have is None:
            draft.changes.append(Change(addr, Action.CREATE, created_fields(want), want, source=want.source))
            continue
        fields = diff_item(want, have)
        if addr in renamed:
            fields.insert(0, FieldChange("key", renamed[addr], key))
        removed: list[Change] = []
        if isinstance(want, Product) and isinstance(have, Product):
            fields, removed = split_removed(fields, want, have, live, draft.known)
            draft.variants += removed
        if not fields:
            if not removed:
                draft.unchanged.append(addr)
            continue
        draft.changes.append(
            Change(
                addr,
                Action.UPDATE,
                fields,
                want,
                live_id=live.ids.get(addr),
                live_version=live.versions.get(addr),
                source=want.source,
                pictures=product_pictures(want, have, fields)
                if isinstance(want, Product) and isinstance(have, Product)
                else {},
            )
        )


def _prune(
    draft: _Draft,
    kind: str,
    extra: dict[str, Item],
    live: LiveState,
    deletable: bool,
    protected: Collection[str],
) -> None:
    """Delete or deactivate live objects no recipe describes, except protected ones."""
    for key in sorted(extra):
        addr = address(kind, key)
        if addr in protected:
            draft.protected.append(addr)
            continue
        change = _prune_change(addr, extra[key], live, deletable)
        if change is None:
            draft.unchanged.append(addr)
        else:
            draft.changes.append(change)


def _check_duplicates(changes: list[Change], present: dict[str, Item]) -> None:
    """Refuse to create a product with a SKU a live product already holds: most often the recipe's key
    was renamed, and creating would leave two products for one thing (the hint offers ``renamed_from``)."""
    holders = {
        variant.sku: key
        for key, item in present.items()
        if isinstance(item, Product)
        for variant in item.variants
        if variant.sku
    }
    errors = []
    for change in changes:
        want = change.desired
        if change.action is not Action.CREATE or not isinstance(want, Product):
            continue
        clashes = sorted({(v.sku, holders[v.sku]) for v in want.variants if v.sku in holders})
        for live_key in sorted({k for _, k in clashes}):
            skus = ", ".join(sku for sku, k in clashes if k == live_key)
            errors.append(
                PlanError(
                    f"product.{want.key} would be created with SKU {skus}, which the live product.{live_key}"
                    " already holds",
                    where=want.source or change.address,
                    hint=f"if {want.key} is {live_key} renamed, add `renamed_from: {live_key}` to its recipe;"
                    " otherwise give it SKUs of its own",
                )
            )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise PlanErrors(errors)


def make_plan(
    *,
    target: str,
    platform: str,
    desired: Catalog,
    live: LiveState,
    capabilities: Capabilities,
    prune: Collection[str] = (),
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    recipes_digest: str = "",
    protected: Collection[str] = (),
    now: datetime | None = None,
    read: Callable[[str], bool] | None = None,
    require_matches: bool = False,
) -> Plan:
    """The changes that make the live shop match ``desired`` in the collections the platform manages.

    ``desired`` is the target's catalog as prepared by the provider. ``protected`` holds addresses that
    prune must leave alone even though this target's recipes do not describe them; the core fills it with
    :func:`protected_addresses` over the catalog of every recipe. ``now`` fixes ``created_at`` (UTC).
    ``read`` is the filter the live state was read with, when the read was limited (None: the whole shop).
    ``require_matches``: a glob of ``only``/``exclude`` that names no address the recipes or the shop
    know is an error (a person typed it); off for the exact address lists shelf makes itself.
    Raises :class:`PlanError` (placed at the target) when ``prune`` names a collection the platform can
    neither manage nor remove from.
    """
    _check_prune(prune, capabilities, target)
    scope = [n for n in COLLECTIONS if n in capabilities.managed or n in capabilities.referenced]
    draft = _Draft()
    for name in COLLECTIONS:
        if name not in capabilities.managed:
            continue
        kind = KIND_OF_COLLECTION[name]
        wanted: dict[str, Item] = desired.collection(name)
        present: dict[str, Item] = live.catalog.collection(name)
        draft.live_items.update((address(kind, k), v) for k, v in present.items())
        draft.known.update(address(kind, k) for k in (*wanted, *present))
        _converge(draft, kind, wanted, present, live)
        if kind == "product":
            _check_duplicates(draft.changes, present)
        if name in prune:
            extra = {k: v for k, v in present.items() if k not in wanted}
            _prune(draft, kind, extra, live, name in capabilities.deletable, protected)
    uploads = upload_changes(draft.changes)
    draft.known.update(u.address for u in uploads)
    _link(draft.changes, draft.live_items)
    link_uploads(draft.changes, uploads)
    ordered = place_variants(_order(draft.changes, draft.live_items), draft.variants)
    changes = place_uploads(ordered, uploads)
    link_variants(changes)
    if require_matches:
        check_globs(only, exclude, draft.known | known_addresses(desired, live, scope), target)
    changes, selection_notes = _select(changes, only, exclude, draft.live_items, read)
    keeps, drops = Globs(only), Globs(exclude)
    notes = [f"{a} not pruned: protected by a recipe" for a in draft.protected if _selected(a, keeps, drops)]
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return Plan(
        target=target,
        platform=platform,
        changes=changes,
        unchanged=sum(1 for a in draft.unchanged if _selected(a, keeps, drops)),
        recipes_digest=recipes_digest,
        created_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        shelf_version=__version__,
        notes=notes + selection_notes + removal_notes(changes, live),
    )
