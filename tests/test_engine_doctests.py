"""Every engine module's doctests, and the provider adapters', loaded without Odoo."""

import doctest
import importlib
import pkgutil

import pytest

from engines import ADDONS_DIR, load_engine

# the addons' Odoo-free packages whose modules carry doctests
PACKAGES = ("engine", "channels", "loopback", "tools")

ENGINE_MODULES = [
    f"{addon.name}_{package}.{module.name}"
    for package in PACKAGES
    for addon in sorted(ADDONS_DIR.iterdir())
    if (addon / package / "__init__.py").exists()
    for module in pkgutil.iter_modules([str(addon / package)])
]


@pytest.mark.parametrize("name", ENGINE_MODULES)
def test_doctests(name):
    package_name = name.split(".")[0]
    package = next(p for p in PACKAGES if package_name.endswith(f"_{p}"))
    load_engine(package_name.removesuffix(f"_{package}"), package)
    module = importlib.import_module(name)
    result = doctest.testmod(module)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
