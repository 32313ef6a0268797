"""The suite's own layout: fixtures only in conftest.py, the project's paths defined once (support.py),
and no test module importing another one."""
import ast

from support import ROOT

TESTS = ROOT / "tests"
TEST_MODULES = sorted(TESTS.rglob("test_*.py"))


def is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def test_fixtures_live_only_in_conftest():
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {node.name}" for path in TEST_MODULES
             for node in ast.walk(ast.parse(path.read_text("utf-8")))
             if isinstance(node, ast.FunctionDef) and any(is_fixture(d) for d in node.decorator_list)]
    assert TEST_MODULES and not found, found


def test_no_test_module_imports_another():
    names = {path.stem for path in TEST_MODULES} | {"conftest"}
    found = []
    for path in [*TEST_MODULES, *TESTS.rglob("conftest.py")]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            imported = ([a.name for a in node.names] if isinstance(node, ast.Import)
                        else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(ROOT)}: {name}" for name in imported if name.split(".")[-1] in names]
    assert not found, found


def test_root_is_defined_once():
    defined = [str(path.relative_to(ROOT)) for path in TESTS.rglob("*.py")
               if any(isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "ROOT" for t in node.targets)
                      for node in ast.walk(ast.parse(path.read_text("utf-8"))))]
    assert defined == ["tests/support.py"], defined
