"""Load the addons' pure engines without importing Odoo.

Each addon keeps its rules in a plain-Python ``engine`` package that imports
nothing from Odoo nor from the addon around it, and uses only relative imports
inside itself. Importing it as ``odoo.addons.<addon>.engine`` would run the
addon's ``__init__`` (and so Odoo); the no-Odoo tests and the offline scripts
load it here instead, under a name of its own so engines never collide::

    from engines import load_engine
    automation = load_engine("collections_automation")  # collections_automation_engine
    from collections_automation_engine import buckets  # works once loaded

Other Odoo-free packages of an addon (the provider adapters in ``channels``)
load the same way: ``load_engine("collections_automation", "channels")``
registers ``collections_automation_channels``.
"""

import importlib.util
import sys
from pathlib import Path

ADDONS_DIR = Path(__file__).resolve().parent / "addons"


def load_engine(addon, package="engine"):
    """Import ``addons/<addon>/<package>`` as the package ``<addon>_<package>``.

    :param addon: technical name of the addon, e.g. ``collections_automation``
    :param package: an Odoo-free package of the addon (``engine``, ``channels``)
    :return: the package (its submodules import as ``<addon>_<package>.x``)
    """
    name = f"{addon}_{package}"
    if name in sys.modules:
        return sys.modules[name]
    init = ADDONS_DIR / addon / package / "__init__.py"
    if not init.exists():
        raise ModuleNotFoundError(f"{addon} has no {package} package at {init.parent}")
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
