"""Recipes: YAML files describing the desired catalog, read strictly and checked before anything is sent.

``load_catalog`` is what plan and apply use; ``validate_all`` is ``shelf validate``; ``recipes_digest``
ties a saved plan to the recipes it was made from.
"""

from engine.recipes.files import recipe_files, recipes_digest
from engine.recipes.loader import load_catalog, validate_all

__all__ = ["load_catalog", "recipe_files", "recipes_digest", "validate_all"]
