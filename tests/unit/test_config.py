"""Config: JSON5 accepted, bad values fail at start naming the key path, environment rules."""

import pytest

from functions.config import load_config, parse_config
from functions.environment import detect
from functions.errors import ConfigError
from functions.manager import Manager


def test_repository_config_loads_with_products(bem_root):
    config = load_config(bem_root / "backend-manager-config.json")
    assert config.payment.product("premium").stripe.legacy_product_ids == ["prod_premium_legacy"]
    assert config.payment.product("premium").prices.monthly == 4.99
    assert config.payment.basic.id == "basic"


def test_bad_value_names_the_key_path():
    raw = {"payment": {"products": [{"id": "pro", "prices": {"monthly": -1}}]}}
    with pytest.raises(ConfigError, match=r"payment\.products\.0\.prices\.monthly: Input should be greater than or equal to 0"):
        parse_config(raw)


def test_paid_product_without_prices_is_refused():
    with pytest.raises(ConfigError, match="needs at least one of prices"):
        parse_config({"payment": {"products": [{"id": "pro", "type": "subscription"}]}})


def test_duplicate_products_refused_and_basic_added():
    with pytest.raises(ConfigError, match="duplicate product id 'x'"):
        parse_config({"payment": {"products": [{"id": "x", "prices": {"monthly": 1}}, {"id": "x", "prices": {"monthly": 1}}]}})
    assert parse_config({"payment": {"products": []}}).payment.products[0].id == "basic"


def test_json5_file_and_invalid_file(tmp_path):
    good = tmp_path / "good.json"
    good.write_text("// comment\n{brand: {id: 'x',},}")
    assert load_config(good).brand.id == "x"
    bad = tmp_path / "bad.json"
    bad.write_text("{brand: ")
    with pytest.raises(ConfigError, match="not valid JSON5"):
        load_config(bad)


def test_manager_start_fails_on_bad_config(tmp_path, bem_root):
    bad = tmp_path / "config.json"
    bad.write_text('{"api": {"trustedProxyHops": -1}}')
    with pytest.raises(ConfigError, match=r"api\.trustedProxyHops"):
        Manager.create(bem_root, config_path=bad)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"BEM_TESTING": "true", "ENVIRONMENT": "production"}, "testing"),
        ({"ENVIRONMENT": "production", "FUNCTIONS_EMULATOR": "true"}, "production"),
        ({"ENVIRONMENT": "development"}, "development"),
        ({"FUNCTIONS_EMULATOR": "true"}, "development"),
        ({}, "production"),
    ],
)
def test_environment_detection(environ, expected):
    assert detect(environ) == expected


def test_unknown_manager_option_fails(bem_root):
    from functions.errors import SetupError

    with pytest.raises(SetupError, match="unknown option"):
        Manager.create(bem_root, route_dirs=["x"])
