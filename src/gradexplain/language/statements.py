"""The rules of the statements that bind and show: assignments and their targets (names,
tuples with `*`, attributes, items), augmented assignments, expression statements (shown
like the Python prompt shows them), `del`, imports and `pass`. Control flow has its own file.
"""

from __future__ import annotations

import ast

import torch

from gradexplain.errors import GradexplainError, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards
from gradexplain.language.attributes import (
    delete_item,
    get_item,
    read_attribute,
    set_attribute,
    set_item,
)
from gradexplain.language.checker import IMPORT_MODULES, placeholder_module
from gradexplain.language.classify import CodeTypeError, CodeValueError
from gradexplain.language.compiler import Assign, Compiler, Evaluate, Run, State
from gradexplain.language.expressions import (
    BINARY_OPERATORS,
    INPLACE_NAMES,
    INPLACE_OPERATORS,
    OPERATOR_FUNCTIONS,
)
from gradexplain.language.values import Namespace, Placeholder

Tensor = torch.Tensor
# Calls whose value an expression statement never shows: they are done for what they do.
# (matplotlib's calls draw: the lines or axes they return are not worth showing)
QUIET_CALLS = frozenset({"print", "backward", "retain_grad", "grad", "load_state_dict"}) | \
    allow.PYPLOT_FUNCTIONS | allow.AXES_METHODS


def assignment_target(compiler: Compiler, target: ast.expr) -> Assign:
    """What storing a value into `target` does: bind a name, unpack into a tuple or list of
    targets, set an attribute or an item."""
    if isinstance(target, ast.Name):
        name = target.id
        return lambda it, value: it.bind(name, value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return _unpacking(compiler, target)
    if isinstance(target, ast.Attribute):
        owner_of = compiler.expr(target.value)
        attribute = target
        return lambda it, value: set_attribute(it, attribute, owner_of(it), value)
    if isinstance(target, ast.Subscript):
        item_owner_of, index_of = compiler.expr(target.value), compiler.expr(target.slice)
        item = target
        return lambda it, value: set_item(it, item, item_owner_of(it), index_of(it), value)
    location = compiler.source.locate(target)

    def refuse(it: State, value: object) -> None:
        raise not_allowed("only names, attributes and items can be assigned to", location)

    return refuse


def _unpacking(compiler: Compiler, target: ast.Tuple | ast.List) -> Assign:
    """`a, b = ...` and `first, *rest = ...`: Python's counts and messages."""
    setters = [assignment_target(compiler, e.value if isinstance(e, ast.Starred) else e)
               for e in target.elts]
    starred = next((i for i, e in enumerate(target.elts) if isinstance(e, ast.Starred)), None)
    count = len(target.elts)

    def unpack(it: State, value: object) -> None:
        values = list(it.iterate(value, target))
        if starred is not None:
            after = count - starred - 1
            if len(values) < count - 1:
                raise CodeValueError(f"not enough values to unpack (expected at least "
                                     f"{count - 1}, got {len(values)})")
            middle = values[starred:len(values) - after]
            values = [*values[:starred], middle, *values[len(values) - after:]]
        elif len(values) > count:
            raise CodeValueError(f"too many values to unpack (expected {count})")
        elif len(values) < count:
            raise CodeValueError(f"not enough values to unpack (expected {count}, got "
                                 f"{len(values)})")
        for setter, item in zip(setters, values, strict=True):
            setter(it, item)

    return unpack


def assign(compiler: Compiler, stmt: ast.Assign) -> Run:
    """`target = value`, `a = b = value`: the value once, then each target in turn."""
    value_of = compiler.expr(stmt.value)
    if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        name = stmt.targets[0].id  # `loss = ...` in a loop

        def bind(it: State) -> None:
            it.bind(name, value_of(it))

        return bind
    setters = [assignment_target(compiler, t) for t in stmt.targets]

    def store(it: State) -> None:
        value = value_of(it)
        for setter in setters:
            setter(it, value)

    return store


def annotated(compiler: Compiler, stmt: ast.AnnAssign) -> Run:
    """`name: type = value` (the annotation is never evaluated)."""
    if stmt.value is None:
        return _nothing
    value_of, store = compiler.expr(stmt.value), assignment_target(compiler, stmt.target)
    return lambda it: store(it, value_of(it))


def augmented(compiler: Compiler, stmt: ast.AugAssign) -> Run:
    """`target op= value` (`w -= lr * w.grad`). On a tensor it is PyTorch's in-place
    operation (`sub_`): same errors, same graph, sized by the operator's check; on other
    values, the plain operator, bounded like any."""
    target = stmt.target
    value_of = compiler.expr(stmt.value)
    op_type = type(stmt.op)
    symbol = INPLACE_NAMES.get(op_type, "?=")
    op_name, fn = BINARY_OPERATORS[op_type]
    in_place = INPLACE_OPERATORS[op_type]
    function = OPERATOR_FUNCTIONS.get(op_name, "add") + "_"
    operand_nodes: list[ast.expr] = [target, stmt.value]
    location = compiler.source.locate(stmt)
    check_size = guards.operator_checker(function)
    check_number_op = guards.check_number_op

    def combine(it: State, current: object, value: object) -> object:
        if isinstance(current, Tensor):
            # (Its operands keep their shapes: the result has the target's shape.)
            it.operation = (symbol, [current, value], operand_nodes)
            if isinstance(value, Tensor):
                check_size(current, value, it.limits, it.budget, location)
            return in_place(current, value)
        check_number_op(op_name, current, value, it.limits, location)
        return fn(current, value)

    if isinstance(target, ast.Name):
        name = target.id

        def augment_name(it: State) -> None:
            current = env[name] if it.scope is None and name in (env := it.env) else \
                it.lookup(name, target)
            it.bind(name, combine(it, current, value_of(it)))

        return augment_name
    if isinstance(target, ast.Attribute):
        attribute = target
        owner_of = compiler.expr(target.value)

        def augment_attribute(it: State) -> None:
            owner = owner_of(it)
            current = read_attribute(it, owner, attribute.attr, attribute)
            set_attribute(it, attribute, owner, combine(it, current, value_of(it)))

        return augment_attribute
    assert isinstance(target, ast.Subscript)
    item = target
    item_owner_of, index_of = compiler.expr(target.value), compiler.expr(target.slice)

    def augment_item(it: State) -> None:
        owner = item_owner_of(it)
        index = index_of(it)
        current = get_item(it, owner, index, item)
        result = combine(it, current, value_of(it))
        if not isinstance(current, Tensor):  # a tensor item was changed in place
            set_item(it, item, owner, index, result)

    return augment_item


def expression_statement(compiler: Compiler, stmt: ast.Expr) -> Evaluate:
    """An expression on its own line: evaluated, then shown (at the top level, like the
    Python prompt), unless it is a string or a call done for what it does."""
    node = stmt.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _nothing  # a docstring or a comment-like string
    value_of = compiler.expr(node)
    call = isinstance(node, ast.Call)
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            getattr(node.func, "id", "")
        if name in QUIET_CALLS or name.endswith("_"):
            return value_of  # its value is dropped
    segment = compiler.source.segment(node)

    def show(it: State) -> None:
        value = value_of(it)
        if it.scope is not None:
            return  # inside a function: nothing is shown, like Python
        if call and value is None:
            return
        if not display.showable(value):
            return
        assert it.context is not None
        it.hooks.shown(it.context, segment, value)

    return show


def delete(compiler: Compiler, stmt: ast.Delete) -> Run:
    removers = [_deletion(compiler, target) for target in stmt.targets]

    def run(it: State) -> None:
        for remove in removers:
            remove(it)

    return run


def _deletion(compiler: Compiler, target: ast.expr) -> Run:
    """`del name`, `del a, b`, `del items[i]` (of a list or dict)."""
    location = compiler.source.locate(target)
    if isinstance(target, ast.Name):
        name = target.id

        def delete_name(it: State) -> None:
            names = it.scope.names if it.scope is not None else it.env
            if name not in names:
                raise GradexplainError("unknown_name", f"name '{name}' is not defined",
                                       location, facts={"name": name})
            del names[name]

        return delete_name
    if isinstance(target, (ast.Tuple, ast.List)):
        parts = [_deletion(compiler, element) for element in target.elts]

        def delete_each(it: State) -> None:
            for part in parts:
                part(it)

        return delete_each
    if isinstance(target, ast.Subscript):
        owner_of, index_of = compiler.expr(target.value), compiler.expr(target.slice)

        def delete_indexed(it: State) -> None:
            owner = owner_of(it)
            if not isinstance(owner, (list, dict)):
                raise CodeTypeError(f"'{type(owner).__name__}' object doesn't support item "
                                    "deletion")
            delete_item(owner, index_of(it))

        return delete_indexed

    def refuse(it: State) -> None:
        raise not_allowed("only names and list or dict items can be deleted", location)

    return refuse


def import_names(compiler: Compiler, stmt: ast.Import) -> Run:
    """`import torch.nn as nn` binds the same `Namespace` `torch.nn` gives; `import torch.nn`
    binds `torch`; `import os`, a known module the language does not run, binds a
    placeholder; nothing is loaded (the checker has refused every other module)."""
    bindings: list[tuple[str, Namespace | Placeholder]] = []
    for alias in stmt.names:
        known = placeholder_module(alias.name) if alias.name not in IMPORT_MODULES else None
        if known is not None:
            name = alias.asname or alias.name.split(".")[0]
            shown = alias.name if alias.asname else name
            bindings.append((name, Placeholder(shown, allow.PLACEHOLDER_MODULES[known])))
            continue
        path = IMPORT_MODULES[alias.name]
        if alias.asname is not None:
            bindings.append((alias.asname, Namespace(path)))
        else:
            root = alias.name.split(".")[0]
            bindings.append((root, Namespace(IMPORT_MODULES.get(root, root))))

    def run(it: State) -> None:
        for name, namespace in bindings:
            it.bind(name, namespace)

    return run


def import_from(compiler: Compiler, stmt: ast.ImportFrom) -> Run:
    """`from torch.autograd import grad` binds what `torch.autograd.grad` gives."""
    assert stmt.module is not None
    if stmt.module == "__future__":
        return _nothing
    known = placeholder_module(stmt.module) if stmt.module not in IMPORT_MODULES else None
    if known is not None:
        reason = allow.PLACEHOLDER_MODULES[known]
        placeholders = [(a.asname or a.name, Placeholder(f"{stmt.module}.{a.name}", reason))
                        for a in stmt.names]

        def bind_placeholders(it: State) -> None:
            for bound, placeholder in placeholders:
                it.bind(bound, placeholder)

        return bind_placeholders
    namespace = Namespace(IMPORT_MODULES[stmt.module])
    module = stmt.module
    aliases = stmt.names

    def run(it: State) -> None:
        for alias in aliases:
            if module == "d2l" and alias.name == "torch":  # from d2l import torch as d2l
                it.bind(alias.asname or "torch", namespace)
                continue
            value = read_attribute(it, namespace, alias.name, None)
            it.bind(alias.asname or alias.name, value)

    return run


def pass_statement(compiler: Compiler, stmt: ast.Pass) -> Run:
    return _nothing


def _nothing(it: State) -> None:
    return None
