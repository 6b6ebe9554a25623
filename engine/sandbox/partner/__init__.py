"""The emulator of the delivery platform's Partner API (catalog and promotions per chain and vendor).

It follows ``integration.md`` and the sketch ``partner-api-sketch.yaml``; each reading chosen where they
are silent is in the docstring of the module that implements it (``app``, ``endpoints``, ``jobs``,
``catalog_work``, ``promotion_work``, ``schemas``) and listed in docs/platforms/partner.md.
"""

from engine.sandbox.partner.app import ALL_PERMISSIONS, BASE_PATH, create_app, reset_database

__all__ = ["ALL_PERMISSIONS", "BASE_PATH", "create_app", "reset_database"]
