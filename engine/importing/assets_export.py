"""``shelf assets export``: the image files a target expects to find at its ``image_base_url``.

Platforms that take images by URL only (the Partner API) never receive bytes from shelf; the user
publishes the files on a CDN. This writes every local image of the target's products into a folder under
its content-hashed name, offline; a file already there with the same bytes is left alone.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from engine.config import Config, require_target
from engine.errors import ConfigError
from engine.model import Asset
from engine.platforms import capabilities_for
from engine.platforms.published import hashed_name
from engine.recipes.loader import load_for_target


@dataclass(frozen=True)
class Exported:
    name: str
    source: str
    written: bool


def export_assets(config: Config, target_name: str | None, folder: Path) -> list[Exported]:
    """Write the target's local images into ``folder``; what each file is and whether it was written."""
    target = require_target(config, target_name)
    capabilities = capabilities_for(target.platform)
    if capabilities is None or not capabilities.images_by_url:
        raise ConfigError(
            f"target '{target.name}' ({target.platform}) gets images from shelf itself: nothing to export",
            where=target.name,
            hint="export images for targets on platforms that take images by URL (partner)",
        )
    desired = load_for_target(config, target.name).desired
    assets: dict[str, Asset] = {}
    for product in desired.products.values():
        own = [v.own_image for v in product.variants if v.own_image is not None]
        for asset in [*product.images, *own]:
            if asset.path and asset.sha256:
                assets.setdefault(hashed_name(asset), asset)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Exported] = []
    for name, asset in sorted(assets.items()):
        assert asset.path is not None
        destination = folder / name
        same = destination.is_file() and hashlib.sha256(destination.read_bytes()).hexdigest() == asset.sha256
        if not same:
            shutil.copyfile(asset.path, destination)
        done.append(Exported(name, asset.ref, written=not same))
    return done
