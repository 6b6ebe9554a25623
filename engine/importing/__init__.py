"""Recipes from what lives in a shop (`shelf import`) and a new catalog repository (`shelf init`):
the code that writes recipes and repository files rather than reading them."""
