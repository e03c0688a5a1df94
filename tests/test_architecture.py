"""The shape of the code, as docs/architecture.md describes it: dependencies that run one way, and sizes
that stay readable."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["corpus", "annotate", "review", "dashboard", "interchange", "ingest", "demo", "api", "suggest", "config"]
# What each app may import of the others. config wires them all together, so it may import any.
ALLOWED = {
    "corpus": {"config"},
    "annotate": {"corpus", "config"},
    "review": {"annotate", "corpus", "config"},
    "dashboard": {"annotate", "corpus", "config", "interchange"},  # interchange.csvfield: one CSV cell rule
    "interchange": {"annotate", "corpus", "config"},
    # ingest: adding articles; a new revision re-anchors claims through annotate.revising
    "ingest": {"annotate", "corpus", "config"},
    "demo": {"annotate", "review", "corpus", "config"},
    # ingest.api: POST /api/articles; suggest: an article's suggestions
    "api": {"annotate", "interchange", "ingest", "corpus", "config", "suggest"},
    # Reads the registry and claims, writes claims through annotate's tagging service; nothing imports it but
    # api and config.
    "suggest": {"annotate", "corpus", "config"},
    "config": set(APPS),
}
MAX_APP_SHARE = 0.40
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 62


def modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path, ast.parse(path.read_text(encoding="utf-8"))


def imported_apps(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(APPS)


def test_dependencies_run_one_way():
    wrong = [
        f"{path.relative_to(ROOT)} imports {other}"
        for app, path, tree in modules()
        for other in sorted(imported_apps(tree) - {app} - ALLOWED[app])
    ]
    assert wrong == []


def test_no_app_holds_too_much_and_no_module_or_function_is_too_long():
    lines, long_modules, long_functions = {}, [], []
    for app, path, tree in modules():
        count = len(path.read_text(encoding="utf-8").splitlines())
        lines[app] = lines.get(app, 0) + count
        if count > MAX_MODULE_LINES:
            long_modules.append(f"{path.relative_to(ROOT)}: {count} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.name}: {length} lines")
    total = sum(lines.values())
    crowded = [f"{app}: {n / total:.0%}" for app, n in lines.items() if n / total > MAX_APP_SHARE]
    assert (crowded, long_modules, long_functions) == ([], [], [])
