"""Every engine module's doctests, loaded without Odoo."""

import doctest
import importlib
import pkgutil

import pytest

from engines import ADDONS_DIR, load_engine

ENGINE_MODULES = [
    f"{addon.name}_engine.{module.name}"
    for addon in sorted(ADDONS_DIR.iterdir())
    if (addon / "engine" / "__init__.py").exists()
    for module in pkgutil.iter_modules([str(addon / "engine")])
]


@pytest.mark.parametrize("name", ENGINE_MODULES)
def test_doctests(name):
    load_engine(name.split("_engine.")[0])
    module = importlib.import_module(name)
    result = doctest.testmod(module)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
