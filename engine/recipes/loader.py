"""Recipes -> Catalog: parse, check, render for a target, expand, cross-check; every error at once.

Nothing here sends a request: a catalog is built and checked entirely offline, so an invalid recipe stops
shelf before any shop is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from engine.documents.problems import Problem, did_you_mean
from engine.errors import ConfigError, RecipeError, RecipeErrors
from engine.model import Catalog, Item, Product
from engine.recipes.asset_files import describe_assets, hash_cache
from engine.recipes.build import build_item
from engine.recipes.file_cache import RecipeCache, recipe_cache, vars_key, written_only
from engine.recipes.files import recipes_digest
from engine.recipes.limits import ImageLimits, limit_errors
from engine.recipes.parse import Parsed, RawItem, parse_recipes
from engine.recipes.references import check_catalog, check_written, index_items
from engine.recipes.templates import Templates

if TYPE_CHECKING:
    from engine.config import Config
    from engine.recipes.hash_cache import HashCache


def load_catalog(config: Config, target: str | None = None) -> Catalog:
    """The desired catalog.

    With a ``target``: only the items that go there, templates rendered with that target's ``vars``.
    Without one: every item, each rendered with the ``vars`` of the default target if it goes there, else
    of the first target it lists (this whole catalog tells, for example, which live objects some recipe
    describes for another target). Raises :class:`RecipeErrors` holding every problem found.
    """
    if target is not None and target not in config.targets:
        raise ConfigError(
            f"unknown target '{target}'",
            where=str(config.path) if config.path else None,
            hint=did_you_mean(target, config.targets) or f"targets: {', '.join(config.targets)}",
        )

    def work(parsed: Parsed) -> Catalog:
        problems = [*parsed.problems, *check_written(parsed.items, list(config.targets))]
        cache = hash_cache(config)
        catalog, more = build_catalog(parsed, config, target, Templates(), cache, last=True)
        cache.save()
        _raise_if_any([*problems, *more])
        return catalog

    return _with_cache(config, work)


@dataclass(frozen=True)
class Loaded:
    """What plan and apply need from the recipes for one target, from one read of the files.

    ``everything`` is the catalog of every target, built only when asked for (prune spares what any
    recipe protects or sends only elsewhere); ``digest`` ties a saved plan to these recipes.
    """

    desired: Catalog
    everything: Catalog | None
    digest: str


def load_for_target(
    config: Config, target: str, *, everything: bool = False, limits: ImageLimits | None = None
) -> Loaded:
    """The target's catalog, checked against its platform's ``limits`` too, and (with ``everything``) the
    whole catalog, from one parse of the recipe files. Raises :class:`RecipeErrors` holding every
    problem found."""

    def work(parsed: Parsed) -> Loaded:
        problems = [*parsed.problems, *check_written(parsed.items, list(config.targets))]
        templates, cache = Templates(), hash_cache(config)
        desired, more = build_catalog(parsed, config, target, templates, cache, last=not everything)
        whole: Catalog | None = None
        if everything:
            whole, rest = build_catalog(parsed, config, None, templates, cache, last=True)
            more.extend(rest)
        cache.save()
        _raise_if_any([*problems, *more], limit_errors(desired, limits))
        return Loaded(desired, whole, recipes_digest(config))

    return _with_cache(config, work)


def validate_all(config: Config, limits: Mapping[str, ImageLimits] | None = None) -> int:
    """Check the recipes for every target (each with its own ``vars`` and, from ``limits`` by platform
    name, its platform's limits on images); the number of items checked.

    Raises :class:`RecipeErrors` holding every distinct problem found, across all targets.
    """

    def work(parsed: Parsed) -> int:
        problems = [*parsed.problems, *check_written(parsed.items, list(config.targets))]
        templates = Templates()
        cache = hash_cache(config)
        limited: list[RecipeError] = []
        for number, (name, target) in enumerate(config.targets.items(), start=1):
            last = number == len(config.targets)
            catalog, more = build_catalog(parsed, config, name, templates, cache, last=last)
            problems.extend(more)
            platform_limits = (limits or {}).get(target.platform)
            limited.extend(limit_errors(catalog, platform_limits, name if len(config.targets) > 1 else None))
        cache.save()
        _raise_if_any(problems, limited)
        return len(parsed.items)

    return _with_cache(config, work)


T = TypeVar("T")


class _NotCached(Exception):
    """An item from the cache lacks the build a target's ``vars`` ask for."""


def _with_cache(config: Config, work: Callable[[Parsed], T]) -> T:
    """``work`` on the recipes, files that did not change taken from ``.shelf/cache/recipes/``.

    When that run finds any problem (or the cache lacks something), every file is read and checked again
    from its text: problems are always reported from the recipes as written. The cache is written only
    after a run without problems."""
    cache = recipe_cache(config)
    parsed = parse_recipes(config, cache)
    try:
        result = work(parsed)
    except (RecipeErrors, _NotCached):
        if not parsed.cached:
            raise
        parsed = _uncached(config, cache)
        result = work(parsed)
    for record in parsed.files:
        if not record.cached or any(item.added for item in record.items):
            cache.store(record)
    return result


def _uncached(config: Config, cache: RecipeCache) -> Parsed:
    """Every recipe file read and checked from its text (the cache's records may still be written)."""
    reading = RecipeCache(None, cache.context)
    parsed = parse_recipes(config, reading)
    cache.read += reading.read
    return parsed


def build_catalog(
    parsed: Parsed,
    config: Config,
    target: str | None,
    templates: Templates,
    cache: HashCache | None = None,
    *,
    last: bool = False,
) -> tuple[Catalog, list[Problem]]:
    """The catalog for ``target`` (or every item, for None) and the problems found building it, every
    local image and file checked and described (see :mod:`engine.recipes.asset_files`).

    With ``last`` (no other catalog is built from ``parsed`` after this one), each item's source-marked
    tree is let go once it is built, keeping only the fields the checks across items read: a large
    catalog does not hold its whole YAML tree next to the model built from it."""
    index = index_items(parsed.items)
    catalog = Catalog()
    problems: list[Problem] = []
    elsewhere: set[str] = set()
    several = len(config.targets) > 1
    for raw in parsed.items:
        if not raw.ok or raw.key is None or index[(raw.collection, raw.key)] is not raw:
            continue
        if target is not None and not raw.goes_to(target):
            if raw.collection == "products":
                elsewhere.update(_skus_elsewhere(raw, config, templates))
            continue
        home = target if target is not None else _home(raw, config)
        found: list[Problem] = []
        item = _built(raw, templates, _vars(config, home), found)
        if several and home is not None:
            found = [_for_target(p, home) for p in found]
        problems.extend(found)
        if item is not None:
            catalog.collection(raw.collection)[raw.key] = item
        if last:
            raw.data = written_only(raw.data)
    checked, more = check_catalog(catalog, index, target, elsewhere)
    described, unreadable = describe_assets(checked, config, cache or hash_cache(config))
    return described, [*problems, *more, *unreadable]


def _built(
    raw: RawItem, templates: Templates, variables: Mapping[str, Any], problems: list[Problem]
) -> Item | None:
    """The item built for ``variables``: from an earlier build of it when there is one (this run's, or the
    cache's), else built now and kept when it has no problem."""
    key = vars_key(variables)
    item: Item | None = raw.built.get(key)
    if item is not None:
        return item
    if raw.cached:
        raise _NotCached(raw.name)
    found: list[Problem] = []
    item = build_item(raw, templates, variables, found)
    problems.extend(found)
    if item is not None and not found:
        raw.built[key] = item
        raw.added = True
    return item


def _vars(config: Config, target: str | None) -> Mapping[str, Any]:
    return config.targets[target].vars if target is not None and target in config.targets else {}


def _skus_elsewhere(raw: RawItem, config: Config, templates: Templates) -> set[str]:
    """The SKUs of a product that goes to other targets only, rendered as there: a promotion that names
    one of them simply does not apply to that product here. Its problems are reported for its targets."""
    product = _built(raw, templates, _vars(config, _home(raw, config)), [])
    if not isinstance(product, Product):
        return set()
    return {v.sku for v in product.variants if v.sku}


def _home(raw: RawItem, config: Config) -> str | None:
    if raw.goes_to(config.default_target):
        return config.default_target
    return next((t for t in raw.targets or () if t in config.targets), None)


def _for_target(problem: Problem, target: str) -> Problem:
    """Name the target in problems that depend on its ``vars``."""
    if "'vars." in problem.message:
        return Problem(problem.source, f"{problem.message} for target '{target}'", problem.hint)
    return problem


def _raise_if_any(problems: list[Problem], more: Sequence[RecipeError] = ()) -> None:
    if problems or more:
        raise RecipeErrors([*(p.to_error() for p in dict.fromkeys(problems)), *more])
