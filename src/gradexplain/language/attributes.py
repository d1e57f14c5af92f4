"""Attributes and items: every read and write is looked up in the allowlist for its type.

Tensors, autograd nodes, namespaces, the user's modules and classes, PyTorch's layers,
optimizers, hook handles and a custom Function's `ctx` each have their own list; a name that
is on none of them is refused (a misspelling gets the closest name as a hint).
"""

from __future__ import annotations

import ast
import collections
import difflib
from typing import Any

import numpy as np
import torch
from torch.utils.hooks import RemovableHandle

from gradexplain.errors import not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import guards, held_nodes, numpy_subset, typos
from gradexplain.language.checker import NAME_ATTRIBUTES
from gradexplain.language.classify import CodeAttributeError, CodeTypeError, OperationContext
from gradexplain.language.compiler import Compiler, Evaluate, State
from gradexplain.language.pyplot import RC_PARAMS, PyplotObject, RcParams
from gradexplain.language.values import (
    BaseClass,
    BoundMethod,
    Function,
    InterpretedObject,
    Method,
    ModuleTable,
    NamedTupleType,
    Namespace,
    Placeholder,
    SuperProxy,
    TypeName,
    UserClass,
    UserFunction,
    checked_result,
    is_node,
    resolve,
)

CTX_TYPE = torch.autograd.function.FunctionCtx
_MEMBERS: dict[tuple[str, str], object] = {}  # (namespace, name) -> the allowed member's value
# Attributes of PyTorch's handle for node hooks (a different class from tensor hooks').
HANDLE_TYPES: tuple[type, ...] = (RemovableHandle,)
SCHEDULER_TYPES: tuple[type, ...] = (torch.optim.lr_scheduler.LRScheduler,
                                     torch.optim.lr_scheduler.ReduceLROnPlateau)
Tensor = torch.Tensor


def attribute(compiler: Compiler, node: ast.Attribute) -> Evaluate:
    """`value.name`: on a tensor, the allowlist's answer for `name` is worked out here."""
    name = node.attr
    if name in NAME_ATTRIBUTES:
        return _name_reader(compiler, node)
    value_of = compiler.expr(node.value)
    label = compiler.source.segment(node.value)
    # `w`, a name bound at the top level, read in place; anything else by its closure
    top_name = node.value.id if isinstance(node.value, ast.Name) else None
    if name == "grad":  # `w.grad`: read in every iteration of a training loop
        def read_grad(it: State) -> object:
            target = env[top_name] if top_name is not None and it.scope is None and \
                top_name in (env := it.env) else value_of(it)
            if isinstance(target, Tensor):
                return grad_of(it, target, label)
            return read_attribute(it, target, name, node)

        return read_grad
    if name in allow.TENSOR_ATTRIBUTES and name not in allow.TENSOR_METHODS:
        def read_value(it: State) -> object:
            target = value_of(it)
            if isinstance(target, Tensor):
                return tensor_value(it, target, name, node)
            return read_attribute(it, target, name, node)

        return read_value

    def read(it: State) -> object:
        target = value_of(it)
        if isinstance(target, Tensor):
            return tensor_attribute(it, target, name, node, label)
        return read_attribute(it, target, name, node)

    return read


def _name_reader(compiler: Compiler, node: ast.Attribute) -> Evaluate:
    """`self.__class__.__name__` (the name of the value's class), `f.__name__` (of a function,
    a class, a `type(x)`, a module) and `x.__module__` (where its class was defined): a
    string, read; nothing else of `__class__`."""
    of_class = isinstance(node.value, ast.Attribute) and node.value.attr == "__class__"
    owner = node.value.value if isinstance(node.value, ast.Attribute) and of_class \
        else node.value
    value_of = compiler.expr(owner)
    location = compiler.source.locate(node)
    wanted = node.attr

    def read(it: State) -> object:
        value = value_of(it)
        if wanted == "__module__":
            return module_name(value)
        if of_class:
            return class_name(value)
        named = value.name if isinstance(value, (UserClass, UserFunction, NamedTupleType)) \
            else value.kind_name if isinstance(value, TypeName) \
            else value.name if isinstance(value, Function) \
            else value.path if isinstance(value, Namespace) else None
        if named is None:
            raise not_allowed(f"'__name__' is not available on a {type(value).__name__}",
                              location, what="attribute '__name__'")
        return named

    return read


def class_name(value: object) -> str:
    """The name of the class of `value` as Python gives it (`Net` for the user's module)."""
    user_class = getattr(type(value), "gx_class", None)
    if isinstance(user_class, UserClass):
        return user_class.name
    if isinstance(value, UserFunction):
        return "function"
    return type(value).__name__


def module_name(value: object) -> str:
    """`x.__module__`: `__main__` for the code's own functions, classes and instances, else
    the module of the value's class (`torch.optim.lr_scheduler` for a StepLR)."""
    if isinstance(value, (UserClass, UserFunction, NamedTupleType)) or \
            isinstance(getattr(type(value), "gx_class", None), UserClass):
        return "__main__"
    if isinstance(value, Function):
        return str(getattr(value.fn, "__module__", None) or value.path.rsplit(".", 1)[0])
    if isinstance(value, TypeName):
        return value.module_name
    return type(value).__module__


def read_attribute(it: State, target: object, name: str, node: ast.Attribute | None) -> object:
    label = it.segment(node.value) if node is not None else "<value>"
    if isinstance(target, Namespace):
        return namespace_member(it, target, name, node)
    if isinstance(target, Tensor):
        return tensor_attribute(it, target, name, node, label)
    if isinstance(target, CTX_TYPE) and (name in allow.CTX_METHODS or name in
                                         allow.CTX_ATTRIBUTES or name in vars(target)):
        if name in allow.CTX_METHODS:
            return Method(target, name, label)
        return checked_result(getattr(target, name))
    if is_node(target):
        if name == "next_functions":
            found = getattr(target, name)
            held_nodes.hold(child for child, _ in found)  # walked by the code
            return found
        if name in {"name", "register_hook", "register_prehook"}:
            return Method(target, name, label)
        if name == "apply" and isinstance(target, torch.autograd.function.BackwardCFunction):
            # a custom Function's node: `apply` runs the code's own backward, re-entered
            return Method(target, name, label)
        if name.startswith(allow.SAVED_PREFIX) and hasattr(target, name):
            return checked_result(getattr(target, name))
        if name == "metadata_names":
            return sorted(n for n in dir(target) if n.startswith(allow.SAVED_PREFIX))
        if name in {"variable", "requires_grad"} and hasattr(target, name):
            # AccumulateGrad's leaf tensor; whether the node needs a grad. (Not `metadata`:
            # under anomaly mode it holds the forward's traceback, the interpreter's own.)
            return checked_result(getattr(target, name))
    elif isinstance(target, torch.nn.Module):
        found = _module_attribute(target, name, label)
        if found is not _MISSING:
            return found
    elif isinstance(target, InterpretedObject):
        found = _object_attribute(target, name)
        if found is not _MISSING:
            return found
        raise CodeAttributeError(f"'{type(target).gx_class.name}' object has no attribute "
                                 f"'{name}'")
    elif isinstance(target, SuperProxy):
        found = _super_attribute(target, name, label)
        if found is not _MISSING:
            return found
    elif isinstance(target, Function) and name == "from_pretrained" and \
            target.path in {"torch.nn.Embedding", "torch.nn.EmbeddingBag"}:
        return Function(f"{target.path}.{name}", getattr(target.fn, name))
    elif isinstance(target, PyplotObject) and name in allow.AXES_METHODS:
        return Method(target, name, label)
    elif isinstance(target, DATA_TYPES) and name in allow.DATA_ATTRIBUTES and \
            hasattr(target, name):
        return checked_result(getattr(target, name))
    elif isinstance(target, UserClass):
        if target.kind == "function" and name == "apply":
            return Method(target, "apply", label)
        if name in target.methods:
            return target.methods[name]
        if name in target.attributes:
            return target.attributes[name]
    elif isinstance(target, torch.optim.Optimizer):
        if name in allow.OPTIMIZER_METHODS:
            return Method(target, name, label)
        if name in allow.OPTIMIZER_ATTRIBUTES:
            return getattr(target, name)
    elif isinstance(target, numpy_subset.NUMPY_VALUES):
        kind = numpy_subset.member(target, name)
        if kind == "method":
            return Method(target, name, label)
        if kind == "value":
            return numpy_subset.checked(getattr(target, name))
    elif isinstance(target, SCHEDULER_TYPES):
        if name in allow.SCHEDULER_METHODS:
            return Method(target, name, label)
        if name in allow.SCHEDULER_ATTRIBUTES:
            return getattr(target, name)
    elif isinstance(target, Placeholder):
        raise target.refusal()
    elif _has_method(target, name):
        return Method(target, name, label)
    elif _has_plain_attribute(target, name):
        return getattr(target, name)
    kind = "None" if target is None else type(target).__name__
    if target is None:
        raise CodeAttributeError(f"'{label}' is None, so it has no attribute '{name}'")
    location = it.location(node) if node is not None else None
    raise not_allowed(f"attribute '{name}' is not available on a {kind}", location,
                      _suggest(name, target), what=f"attribute '{name}' on {kind}")


def tensor_attribute(it: State, target: Tensor, name: str, node: ast.Attribute | None,
                     label: str) -> object:
    """`x.name` on a tensor: a method (as a Method value), an allowlisted attribute, or
    refused (a misspelling as such, with the closest name)."""
    if name in allow.TENSOR_METHODS:
        return Method(target, name, label)
    if name not in allow.TENSOR_ATTRIBUTES:
        location = it.location(node) if node is not None else None
        typo = typos.misspelled("tensor", name, allow.TENSOR_METHODS |
                                allow.TENSOR_ATTRIBUTES, location)
        if typo is not None:
            raise typo
        raise not_allowed(f"attribute '{name}' is not available on a Tensor", location,
                          _suggest(name, target), what=f"attribute '{name}' on Tensor")
    if name == "grad":
        return grad_of(it, target, label)
    return tensor_value(it, target, name, node)


def grad_of(it: State, target: Tensor, label: str) -> object:
    """`x.grad`. A non-leaf that does not retain its grad reads None: noted (non_leaf_grad)."""
    value = target.grad
    if not (target.is_leaf or target.retains_grad):
        context = it.context
        assert context is not None
        it.hooks.read_non_leaf_grad(context, target, label)
    return value


def tensor_value(it: State, target: Tensor, name: str, node: ast.Attribute | None) -> object:
    """An allowlisted attribute of a tensor other than `grad` (`x.shape`, `x.data`, `x.T`):
    a tensor it gives is reported like an operation's result."""
    value = getattr(target, name)
    if name == "grad_fn" and value is not None:
        held_nodes.hold([value])  # touched by the code: let go of alone (held_nodes.py)
    if isinstance(value, Tensor) and node is not None:
        it.note_new_tensor(value, node)
        if not value.requires_grad:  # `.data`: a detached view
            it.hooks.made_without_grad(name, [target], value)
    return value


def _object_attribute(target: InterpretedObject, name: str) -> object:
    """An attribute of an instance of the user's plain class or dataset: its own, else a
    method (bound) or a class attribute."""
    if not name.startswith("_") and name in target.__dict__:
        return target.__dict__[name]
    user_class = type(target).gx_class
    if name in user_class.methods:
        return BoundMethod(target, user_class.methods[name])
    if name in user_class.attributes:
        return user_class.attributes[name]
    return _MISSING


def _super_attribute(target: SuperProxy, name: str, label: str) -> object:
    """`super().name`: the method of the user's base class (bound to the instance), or the
    torch base's `__init__`."""
    owner = target.owner
    base = owner.base if owner is not None else None
    if base is not None and name in base.methods:
        return BoundMethod(target.instance, base.methods[name])
    if name == "__init__":
        return Method(target, name, label)
    if isinstance(target.instance, torch.nn.Module):
        if name == "forward":
            raise NotImplementedError(f'Module [{type(target.instance).__name__}] is missing '
                                      'the required "forward" function')
        if name in allow.MODULE_METHODS:  # nn.Module's own (`super().parameters()`)
            return Method(target.instance, name, label)
    return _MISSING


def _module_attribute(target: torch.nn.Module, name: str, label: str) -> object:
    user_class = getattr(type(target), "gx_class", None)
    if isinstance(user_class, UserClass) and name in allow.MODULE_TABLES:
        # d2l's MySequential fills self._modules: a view that takes modules only
        if name == "_modules":
            return ModuleTable(target._modules, torch.nn.Module, name)
        return ModuleTable(target._parameters, torch.nn.Parameter, name)
    if isinstance(user_class, UserClass):
        if name in user_class.methods:
            method = user_class.methods[name]
            return method if method.static else BoundMethod(target, method)
        if name in user_class.attributes:
            return user_class.attributes[name]
    for table in ("_parameters", "_buffers", "_modules"):
        entries = target.__dict__.get(table, {})
        if name in entries:
            return entries[name]
    if (not name.startswith("_") or own_private(target, name)) and name in target.__dict__:
        return checked_result(target.__dict__[name])
    if name in allow.MODULE_METHODS or (isinstance(target, torch.nn.ParameterDict) and
                                        name in allow.PARAMETER_DICT_METHODS):
        return Method(target, name, label)
    if name in allow.MODULE_ATTRIBUTES and hasattr(target, name):
        return checked_result(getattr(target, name))
    return _MISSING


def namespace_member(it: State, namespace: Namespace, name: str, node: ast.AST | None
                     ) -> object:
    key = (namespace.path, name)
    found = _MEMBERS.get(key)
    if found is None:  # each allowed member resolves to the same value every time
        found = _MEMBERS[key] = _resolve_member(it, namespace, name, node)
    return found


def _resolve_member(it: State, namespace: Namespace, name: str, node: ast.AST | None
                    ) -> object:
    path = f"{namespace.path}.{name}"
    if path in allow.TORCH_NAMESPACES:
        return Namespace(path)
    if path in allow.BASE_CLASSES:
        return BaseClass(path)
    if path in allow.CONSTANT_PATHS:
        return resolve(path)
    if path == "matplotlib.pyplot.rcParams":
        return RC_PARAMS
    if path in allow.TORCH_PATHS:
        if namespace.path in {"d2l", "matplotlib.pyplot"}:  # run by the interpreter itself
            return Function(path, _no_function)
        member = resolve(path)
        if isinstance(member, torch.dtype):
            return member
        return Function(path, member)
    reason = allow.why_dangerous(name)
    message = f"'{path}' is not allowed"
    message += f": {reason}" if reason else " (it is not on the allowlist)"
    known = [p.rsplit(".", 1)[-1] for p in allow.TORCH_PATHS | allow.CONSTANT_PATHS
             if p.startswith(namespace.path + ".") and p.count(".") == path.count(".")]
    typo = typos.misspelled(namespace.path, name, known,
                            it.location(node) if node is not None else None)
    if typo is not None:
        raise typo
    close = difflib.get_close_matches(name, known, n=1)
    raise not_allowed(message, it.location(node) if node is not None else None,
                      f"did you mean '{namespace.path}.{close[0]}'?" if close else None,
                      what=path)


def set_attribute(it: State, target_node: ast.Attribute, owner: object, value: object) -> None:
    name = target_node.attr
    if isinstance(owner, Tensor) and name in {"grad", "requires_grad", "data"}:
        setattr(owner, name, value)
        if name == "requires_grad" and value and owner.is_leaf:
            it.note_new_tensor(owner, target_node.value)
        return
    if isinstance(owner, torch.nn.Module) and _settable(owner, name):
        guards.check_submodules(owner, [value], it.limits, it.location(target_node))
        setattr(owner, name, checked_result(value))
        return
    if isinstance(owner, CTX_TYPE) and _settable(owner, name):
        setattr(owner, name, checked_result(value))
        return
    if isinstance(owner, InterpretedObject) and not name.startswith("_") and \
            name not in type(owner).gx_class.methods:
        owner.__dict__[name] = checked_result(value)
        return
    kind = type(owner).__name__
    raise not_allowed(f"assigning attribute '{name}' of a {kind} is not allowed",
                      it.location(target_node),
                      "tensors accept .grad, .requires_grad and .data; your own modules "
                      "and a Function's ctx accept new attributes",
                      what=f"attribute assignment '{name}'")


def subscript(compiler: Compiler, node: ast.Subscript) -> Evaluate:
    """`value[index]`."""
    value_of, index_of = compiler.expr(node.value), compiler.expr(node.slice)
    return lambda it: get_item(it, value_of(it), index_of(it), node)


# What may be indexed besides tensors (a layer container gives its layers).
INDEXABLE: tuple[type, ...] = (list, tuple, torch.Size, str, dict, range, torch.nn.Sequential,
                               torch.nn.ModuleList, torch.nn.ParameterList, torch.nn.ModuleDict,
                               collections.deque, InterpretedObject, ModuleTable,
                               torch.utils.data.Dataset, torch.nn.ParameterDict)
# torch.utils.data's own datasets and loaders: a few plain attributes (allow.DATA_ATTRIBUTES).
DATA_TYPES: tuple[type, ...] = (torch.utils.data.Dataset, torch.utils.data.DataLoader)


def get_item(it: State, value: object, index: object, node: ast.expr) -> object:
    if isinstance(value, Tensor):
        guards.check_index(value, index, it.limits, it.location(node))
        if isinstance(node, ast.Subscript):
            it.operation = OperationContext("index", it.operands([value], [node.value]))
        result = _item(value, index)
        it.note_new_tensor(result, node)
        return result
    if isinstance(value, INDEXABLE):
        if type(index) is tuple and isinstance(value, dict):
            guards.check_keys([index], it.location(node))
        return _item(value, index)
    if isinstance(value, np.ndarray):
        numpy_subset.check_index(value, index, it.limits, it.location(node))
        return numpy_subset.checked(_item(value, index))
    if isinstance(value, numpy_subset.INDEX_TRICKS):
        return numpy_subset.joined_items(it, value, index, it.location(node))
    if isinstance(value, Placeholder):
        raise value.refusal()
    raise CodeTypeError(f"'{type(value).__name__}' object is not subscriptable")


def set_item(it: State, node: ast.Subscript, owner: object, index: object,
             value: object) -> None:
    if isinstance(owner, Tensor):
        guards.check_index(owner, index, it.limits, it.location(node))
        it.operation = OperationContext("index", it.operands([owner], [node.value]))
        _set_item(owner, index, value)
        return
    if isinstance(owner, (list, dict, collections.deque, ModuleTable, RcParams)):
        if type(index) is tuple and isinstance(owner, dict):
            guards.check_keys([index], it.location(node))
        _set_item(owner, index, value)
        return
    if isinstance(owner, np.ndarray):
        numpy_subset.check_index(owner, index, it.limits, it.location(node))
        _set_item(owner, index, numpy_subset.checked(value))
        return
    if isinstance(owner, Placeholder):
        raise owner.refusal()
    raise CodeTypeError(f"'{type(owner).__name__}' object does not support item assignment")


# An item is read and written by Python's own rules (PyTorch's, for a tensor), whatever the
# index: they raise for what they do not take.
def _item(owner: Any, index: object) -> object:
    return owner[index]


def _set_item(owner: Any, index: object, value: object) -> None:
    owner[index] = value


def delete_item(owner: Any, index: object) -> None:
    """`del owner[index]` of a list or a dict (language/statements.py checks which)."""
    if type(index) is tuple and isinstance(owner, dict):
        guards.check_keys([index])  # located at the statement
    del owner[index]


def _has_method(target: object, name: str) -> bool:
    """Methods of hook handles, super(), strings, lists, dicts, deques, counters and torch's
    random generators."""
    return (isinstance(target, HANDLE_TYPES) and name in allow.HANDLE_METHODS) or \
        (isinstance(target, collections.deque) and name in allow.DEQUE_METHODS) or \
        (isinstance(target, collections.Counter) and name in allow.COUNTER_METHODS) or \
        (isinstance(target, torch.Generator) and name in allow.GENERATOR_METHODS) or \
        (isinstance(target, SuperProxy) and name == "__init__") or \
        (isinstance(target, ModuleTable) and name in {"keys", "values", "items", "get"}) or \
        (isinstance(target, str) and name in allow.STRING_METHODS) or \
        (isinstance(target, list) and name in allow.LIST_METHODS) or \
        (isinstance(target, dict) and name in allow.DICT_METHODS)


def _has_plain_attribute(target: object, name: str) -> bool:
    """Plain values read from devices, dtypes and torch.return_types (max/min with dim)."""
    return (isinstance(target, torch.device) and name in {"type", "index"}) or \
        (isinstance(target, tuple) and name in getattr(type(target), "_fields", ())) or \
        (isinstance(target, torch.dtype) and name in {"is_floating_point", "itemsize"}) or \
        (isinstance(target, tuple) and name in {"values", "indices"} and hasattr(target, name))


def _no_function(*args: object, **kwargs: object) -> object:
    raise NotImplementedError  # d2l functions are run by the interpreter itself


class _Missing:
    pass


_MISSING = _Missing()


# Every name nn.Module itself has: none of them is the user's own private name.
MODULE_INTERNALS = frozenset(dir(torch.nn.Module)) | frozenset(vars(torch.nn.Module()))


def own_private(target: object, name: str) -> bool:
    """`self._cache` on the user's own module: a single-underscore name that is not one of
    nn.Module's own."""
    return isinstance(getattr(type(target), "gx_class", None), UserClass) and \
        not name.startswith("__") and name not in MODULE_INTERNALS


def _settable(owner: object, name: str) -> bool:
    """A new attribute of the user's module or a ctx; never a method or internal name."""
    if name.startswith("_") and not own_private(owner, name):
        return False
    if isinstance(owner, torch.nn.Module):
        tables = [owner.__dict__.get(t, {}) for t in ("_parameters", "_buffers", "_modules")]
        if any(name in table for table in tables) or name in owner.__dict__:
            return True
        if name == "training":
            return True
    return not hasattr(type(owner), name)


def _suggest(name: str, target: object) -> str | None:
    """The closest allowed name, for a misspelled attribute."""
    if isinstance(target, Tensor):
        known = allow.TENSOR_METHODS | allow.TENSOR_ATTRIBUTES
    elif isinstance(target, torch.nn.Module):
        known = allow.MODULE_METHODS | allow.MODULE_ATTRIBUTES
    else:
        return None
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else None
