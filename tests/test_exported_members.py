"""Each package's ``__all__`` is its public surface: every name there can be imported, the
lazy packages load nothing heavy until a name is asked for, and an unknown name is an error."""

import importlib
import subprocess
import sys

import pytest

PACKAGES = ["corpus", "index", "retrieval", "bot"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_imports(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(module.__all__)


@pytest.mark.parametrize("package", ["index", "retrieval"])
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'nothing'"):
        _ = module.nothing


@pytest.mark.parametrize("package", ["index", "retrieval"])
def test_importing_a_package_loads_none_of_its_modules(package: str) -> None:
    code = (
        f"import sys, {package}\n"
        f"print(sorted(m for m in sys.modules if m.startswith('{package}.')"
        " or m in ('numpy', 'faiss', 'spacy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
