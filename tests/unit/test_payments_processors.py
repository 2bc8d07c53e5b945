"""The processor interface: every registered processor implements all of it, and the
processor-agnostic modules never name a processor (a new one needs its folder + one registry line)."""

import ast
import inspect
from pathlib import Path

import pytest

from functions.payments import processors
from functions.payments.processors import Processor, get_processor, processor_names
from functions.payments.processors.base import Processor as ProtocolClass

AGNOSTIC = ["intent", "cancel", "refund", "portal", "actions", "intake", "pipeline", "transitions", "unified",
            "frequencies", "collections", "products", "recovery", "cloud"]
INTERFACE = sorted(name for name, value in vars(ProtocolClass).items()
                   if inspect.isfunction(value) and not name.startswith("_"))


@pytest.mark.parametrize("name", processor_names())
def test_each_registered_processor_implements_the_whole_interface(name):
    processor = get_processor(name)
    assert isinstance(processor, Processor) and processor.name == name
    assert isinstance(processor.production, bool)
    assert isinstance(processor.refund_events, frozenset) and isinstance(processor.payment_failed_events, frozenset)
    missing = [method for method in INTERFACE if getattr(type(processor), method) is getattr(ProtocolClass, method)]
    assert missing == [], f"{name} leaves {missing} to the Protocol's empty stubs"


def test_the_interface_covers_the_whole_life():
    assert {"product_id", "unavailable", "open_checkout", "verify_and_parse", "fetch_resource",
            "to_unified_subscription", "to_unified_one_time", "cancel", "refund", "portal"} <= set(INTERFACE)


def _code_strings_and_names(path: Path) -> set[str]:
    """String constants (docstrings excluded) and the ``_``-separated parts of identifiers in a module's code."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.add(node.value.lower())
        elif isinstance(node, (ast.Name, ast.Attribute, ast.FunctionDef, ast.ClassDef, ast.alias, ast.arg)):
            identifier = getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "name", None) \
                or getattr(node, "arg", None) or ""
            found.update(part for part in identifier.lower().split("_") if part)
    return found


@pytest.mark.parametrize("module", AGNOSTIC)
def test_processor_agnostic_modules_never_name_a_processor(module):
    path = Path(processors.__file__).resolve().parents[1] / f"{module}.py"
    used = _code_strings_and_names(path)
    named = sorted(used & set(processor_names()))
    assert named == [], f"{module}.py names a processor: {named}"
