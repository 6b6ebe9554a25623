"""shelf.yaml: discovery, defaults, strict reading with places, environment, targets and secrets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.config import (
    ConfigErrors,
    Target,
    default_config,
    find_config,
    load_config,
    require_target,
)
from engine.errors import ConfigError, Source
from engine.secrets import Secret

PRODUCT_DOC = Path(__file__).resolve().parents[3] / "shared" / "docs" / "PRODUCT.md"


def write_config(folder: Path, text: str) -> Path:
    path = folder / "shelf.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def config_errors(folder: Path, text: str) -> list[str]:
    path = write_config(folder, text)
    with pytest.raises(ConfigErrors) as caught:
        load_config(path, folder)
    return caught.value.render().splitlines()


def test_find_config_in_the_folder_or_above(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None or not str(find_config(deep)).startswith(str(tmp_path))
    write_config(tmp_path, "targets: {sandbox: {platform: xpage, sandbox: true}}\n")
    assert find_config(deep) == (tmp_path / "shelf.yaml").resolve()
    assert find_config(tmp_path) == (tmp_path / "shelf.yaml").resolve()


def test_without_a_config_the_sandbox_is_the_target(tmp_path: Path) -> None:
    config = default_config(tmp_path)
    assert config.path is None and config.root == tmp_path.resolve()
    assert config.recipes == (tmp_path.resolve() / "recipes",)
    assert config.default_target == "sandbox"
    assert config.targets == {"sandbox": Target(name="sandbox", platform="xpage", sandbox=True)}
    assert config.state_dir == tmp_path.resolve() / ".shelf"


def test_load_config_found_from_a_subfolder(tmp_path: Path) -> None:
    write_config(tmp_path, "recipes: catalog\n")
    (tmp_path / "sub").mkdir()
    config = load_config(None, tmp_path / "sub")
    assert config.path == (tmp_path / "shelf.yaml").resolve()
    assert config.root == tmp_path.resolve()
    assert config.recipes == (tmp_path.resolve() / "catalog",)
    assert config.targets["sandbox"].sandbox and config.default_target == "sandbox"


def test_explicit_config_path_is_relative_to_cwd(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    write_config(tmp_path / "conf", "recipes: [../recipes, extra.yaml]\n")
    config = load_config(Path("conf/shelf.yaml"), tmp_path)
    assert config.root == (tmp_path / "conf").resolve()
    assert config.recipes == (tmp_path.resolve() / "recipes", tmp_path.resolve() / "conf" / "extra.yaml")


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml", tmp_path)
    assert "does not exist" in caught.value.render()


def test_the_documented_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = PRODUCT_DOC.read_text().split("```yaml\n", 2)[1].split("```", 1)[0]
    monkeypatch.setenv("XPAGE_TOKEN", "xp-secret-123")
    monkeypatch.setenv("EMPORIX_CLIENT_ID", "emporix-client")
    monkeypatch.setenv("EMPORIX_CLIENT_SECRET", "emporix-secret-456")
    for name in ("PARTNER_CHAIN", "PARTNER_TOKEN", "APPXITE_SUBSCRIPTION_KEY", "APPXITE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("APPXITE_CLIENT_SECRET", raising=False)
    (tmp_path / "shelf.yaml").write_text(block)
    config = load_config(tmp_path / "shelf.yaml", tmp_path)

    assert list(config.targets) == ["sandbox", "shop", "emporix-eu", "talabat-uae", "appxite"]
    assert config.default_target == "sandbox"
    shop = config.targets["shop"]
    assert (shop.platform, shop.base_url, shop.concurrency) == (
        "xpage",
        "https://shop.example.com/api/apps/v1",
        8,
    )
    assert shop.vars == {"currency": "EUR"} and shop.prune == ("products",)
    assert shop.secrets == {"token": Secret("xp-secret-123")} and shop.settings == {}
    emporix = config.targets["emporix-eu"]
    assert emporix.base_url == "https://api.emporix.io"
    assert emporix.settings == {
        "tenant": "acme",
        "client_id": "emporix-client",
        "site": "main",
        "currency": "EUR",
        "country": "DE",
        "languages": ["en", "de"],
    }
    assert emporix.secrets["client_secret"].reveal() == "emporix-secret-456"
    assert emporix.missing_env == ()
    talabat = config.targets["talabat-uae"]
    assert talabat.missing_env == ("PARTNER_CHAIN", "PARTNER_TOKEN")
    assert talabat.settings["locales"] == {"en": "en_AE", "ar": "ar_AE"} and talabat.settings["vendors"] == [
        "*"
    ]
    assert config.targets["appxite"].missing_env == (
        "APPXITE_SUBSCRIPTION_KEY",
        "APPXITE_CLIENT_ID",
        "APPXITE_CLIENT_SECRET",
    )
    assert require_target(config, None).name == "sandbox"
    assert require_target(config, "shop") is shop
    with pytest.raises(ConfigError) as caught:
        require_target(config, "talabat-uae")
    text = caught.value.render()
    assert text.startswith("shelf.yaml:27:15: target 'talabat-uae' needs the environment variables")
    assert "PARTNER_CHAIN, PARTNER_TOKEN" in text


def test_secrets_never_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELF_TEST_TOKEN", "tok-very-secret")
    monkeypatch.setenv("SHELF_TEST_CLIENT_SECRET", "cs-very-secret")
    path = write_config(
        tmp_path,
        """
        targets:
          shop:
            platform: xpage
            base_url: https://shop.example.com/api/apps/v1
            token: ${SHELF_TEST_TOKEN}
            client_id: app
            client_secret: ${SHELF_TEST_CLIENT_SECRET}
        """,
    )
    config = load_config(path, tmp_path)
    shown = repr(config) + str(config.targets["shop"]) + repr(config.targets["shop"].secrets)
    assert "very-secret" not in shown
    assert config.targets["shop"].secrets["token"].reveal() == "tok-very-secret"
    assert config.targets["shop"].settings == {"client_id": "app"}


def test_interpolation_defaults_and_escapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELF_TEST_HOST", "shop.example.com")
    monkeypatch.delenv("SHELF_TEST_UNSET", raising=False)
    monkeypatch.setenv("SHELF_TEST_EMPTY", "")
    path = write_config(
        tmp_path,
        """
        targets:
          shop:
            platform: xpage
            base_url: https://${SHELF_TEST_HOST}/api/apps/v1
            language: ${SHELF_TEST_UNSET:-en}
            install_id: ${SHELF_TEST_EMPTY:-none}
            vars: {note: "costs $${PRICE}", brand: "${SHELF_TEST_UNSET:-}"}
        """,
    )
    shop = load_config(path, tmp_path).targets["shop"]
    assert shop.base_url == "https://shop.example.com/api/apps/v1"
    assert shop.settings == {"language": "en", "install_id": "none"}
    assert shop.vars == {"note": "costs ${PRICE}", "brand": ""}
    assert shop.missing_env == ()


def test_missing_variable_only_fails_its_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHELF_TEST_NO_SUCH_TOKEN", raising=False)
    path = write_config(
        tmp_path,
        """
        default_target: sandbox
        targets:
          sandbox: {platform: xpage, sandbox: true}
          shop:
            platform: xpage
            base_url: http://127.0.0.1:9/api/apps/v1
            token: ${SHELF_TEST_NO_SUCH_TOKEN}
        """,
    )
    config = load_config(path, tmp_path)
    assert require_target(config, None).name == "sandbox"
    shop = config.targets["shop"]
    assert shop.missing_env == ("SHELF_TEST_NO_SUCH_TOKEN",) and "token" not in shop.secrets
    with pytest.raises(ConfigError) as caught:
        require_target(config, "shop")
    assert caught.value.where == Source("shelf.yaml", 7, 12)
    assert caught.value.render().startswith(
        "shelf.yaml:7:12: target 'shop' needs SHELF_TEST_NO_SUCH_TOKEN, which is not set"
    )


def test_missing_base_url_variable_does_not_break_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHELF_TEST_NO_SUCH_URL", raising=False)
    path = write_config(
        tmp_path,
        """
        targets:
          sandbox: {platform: xpage, sandbox: true}
          shop: {platform: xpage, base_url: "${SHELF_TEST_NO_SUCH_URL}", language: en}
        """,
    )
    shop = load_config(path, tmp_path).targets["shop"]
    assert shop.missing_env == ("SHELF_TEST_NO_SUCH_URL",) and shop.base_url is None
    assert shop.settings == {"language": "en"}


def test_missing_variable_outside_targets_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHELF_TEST_RECIPES", raising=False)
    assert config_errors(tmp_path, "recipes: ${SHELF_TEST_RECIPES}\n") == [
        "shelf.yaml:1:10: the environment variable SHELF_TEST_RECIPES is not set (set SHELF_TEST_RECIPES)"
    ]


def test_unknown_target_suggests_the_closest(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "targets: {shop: {platform: emporix}}\n"), tmp_path)
    with pytest.raises(ConfigError) as caught:
        require_target(config, "shpo")
    assert caught.value.render() == "shelf.yaml: unknown target 'shpo' (did you mean 'shop'?)"


def test_every_schema_problem_at_once_with_places(tmp_path: Path) -> None:
    lines = config_errors(
        tmp_path,
        """
        recipe: [recipes]
        targets:
          shop:
            platform: xpage
            base_url: https://shop.example.com/api/apps/v1
            tenant: acme
            concurrency: 100
            prune: [product]
          other:
            platform: shopify
          bad name:
            platform: emporix
        """,
    )
    assert lines == [
        "shelf.yaml:1:1: unknown field 'recipe' in shelf.yaml (did you mean 'recipes'?)",
        "shelf.yaml:6:5: unknown field 'tenant' in target 'shop'",
        "shelf.yaml:7:18: 'concurrency' must be at most 64, got '100'",
        "shelf.yaml:8:13: 'prune' entry 1 must be one of categories, products, promotions, subscriptions, "
        "files, got 'product' (did you mean 'products'?)",
        "shelf.yaml:10:15: 'platform' must be one of xpage, emporix, partner, appxite, got 'shopify'",
        "shelf.yaml:11:3: 'bad name' in 'targets' of shelf.yaml must be a target name of letters, digits, "
        "'_', '.' or '-'",
    ]


def test_yaml_problems_in_config(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "recipes: [a]\nrecipes: [b]\n") == [
        "shelf.yaml:2:1: duplicate key 'recipes' (first written at shelf.yaml:1:1)"
    ]
    path = write_config(tmp_path, "targets:\n  shop: [\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, tmp_path)
    assert caught.value.render().startswith("shelf.yaml:3:1: YAML syntax error")


def test_default_target_rules(tmp_path: Path) -> None:
    one = load_config(write_config(tmp_path, "targets: {shop: {platform: emporix}}\n"), tmp_path)
    assert one.default_target == "shop"
    several = "targets: {a: {platform: emporix}, sandbox: {platform: xpage, sandbox: true}}\n"
    assert load_config(write_config(tmp_path, several), tmp_path).default_target == "sandbox"
    assert config_errors(tmp_path, "targets: {a: {platform: emporix}, b: {platform: appxite}}\n") == [
        "shelf.yaml:1:1: there are several targets and no default_target "
        "(add 'default_target:' naming one of a, b)"
    ]
    assert config_errors(tmp_path, "default_target: shpo\ntargets: {shop: {platform: emporix}}\n") == [
        "shelf.yaml:1:17: default_target 'shpo' is not one of the targets (did you mean 'shop'?)"
    ]


def test_base_url_rules(tmp_path: Path) -> None:
    assert config_errors(tmp_path, "targets:\n  shop:\n    platform: xpage\n") == [
        "shelf.yaml:3:5: target 'shop' has no 'base_url', and xpage has no public address "
        "(set base_url to the shop's API address, or 'sandbox: true' for the built-in emulator)"
    ]
    assert config_errors(tmp_path, "targets:\n  shop: {platform: partner, base_url: ftp://x}\n") == [
        "shelf.yaml:2:39: 'base_url' of target 'shop' must start with http:// or https://, got 'ftp://x'"
    ]
    lines = config_errors(tmp_path, "targets:\n  s: {platform: xpage, sandbox: true, base_url: 'http://x'}\n")
    assert lines[0].startswith("shelf.yaml:2:39: target 's' sets both 'sandbox: true' and 'base_url'")
    appxite = load_config(write_config(tmp_path, "targets: {a: {platform: appxite}}\n"), tmp_path)
    assert appxite.targets["a"].base_url == "https://api.appxite.com"


def test_credentials_in_a_url_are_refused_without_showing_them(tmp_path: Path) -> None:
    lines = config_errors(
        tmp_path,
        """
        default_target: shop
        targets:
          shop: {platform: xpage, base_url: "https://app:hunter2@shop.example.com/api/apps/v1", token: t}
          uae:
            platform: partner
            base_url: https://partner.example.com
            image_base_url: https://cdn-user:cdn-pass@cdn.example.com/
        """,
    )
    assert lines == [
        "shelf.yaml:3:37: 'base_url' of target 'shop' holds credentials (user:password@host); shelf refuses "
        "them (write the address alone, and credentials in the platform's settings (token: ${NAME}))",
        "shelf.yaml:7:21: 'image_base_url' of target 'uae' holds credentials (user:password@host); shelf "
        "refuses them (write the address alone)",
    ]
    assert not any("hunter2" in line or "cdn-pass" in line for line in lines)


def test_a_value_from_the_environment_is_named_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOP_CONCURRENCY", "s3cr3t-looking-value")
    monkeypatch.setenv("SHOP_URL", "ftp://s3cr3t-host")
    lines = config_errors(
        tmp_path,
        """
        targets:
          shop: {platform: xpage, base_url: "${SHOP_URL}", token: t, concurrency: "${SHOP_CONCURRENCY}"}
        """,
    )
    assert lines and not any("s3cr3t" in line for line in lines)
    assert any("${SHOP_CONCURRENCY}" in line for line in lines)


def test_category_ids_and_concurrency(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """
        targets:
          shop:
            platform: xpage
            base_url: https://shop.example.com/api/apps/v1
            concurrency: 3
            categories: {t-shirts: 42, hoodies: 9b2f}
        """,
    )
    shop = load_config(path, tmp_path).targets["shop"]
    assert shop.concurrency == 3
    assert shop.settings["categories"] == {"t-shirts": "42", "hoodies": "9b2f"}
    assert shop.source == Source("shelf.yaml", 3, 5)


def test_empty_config_is_the_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "# nothing yet\n"), tmp_path)
    assert config.default_target == "sandbox" and config.targets["sandbox"].sandbox
    assert config.recipes == (tmp_path.resolve() / "recipes",)


def test_schema_and_loader_agree_on_platform_settings() -> None:
    from engine.config import COMMON_FIELDS, PLATFORM_SETTINGS, PLATFORMS
    from engine.documents.schema import load_schema

    target = load_schema("config")["definitions"]["target"]
    assert tuple(target["properties"]["platform"]["enum"]) == PLATFORMS
    for rule in target["allOf"]:
        platform = rule["if"]["properties"]["platform"]["const"]
        assert set(rule["then"]["propertyNames"]["enum"]) == {*COMMON_FIELDS, *PLATFORM_SETTINGS[platform]}
    every = {name for names in PLATFORM_SETTINGS.values() for name in names} | set(COMMON_FIELDS)
    assert every == set(target["properties"])
