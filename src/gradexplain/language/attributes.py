"""Attributes and items: every read and write is looked up in the allowlist for its type.

Tensors, autograd nodes, namespaces, the user's modules and classes, PyTorch's layers,
optimizers, hook handles and a custom Function's `ctx` each have their own list; a name that
is on none of them is refused (a misspelling gets the closest name as a hint).
"""

from __future__ import annotations

import ast
import difflib
from typing import Any

import torch
from torch.utils.hooks import RemovableHandle

from gradexplain.errors import not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards, typos
from gradexplain.language.classify import CodeAttributeError, CodeTypeError, OperationContext
from gradexplain.language.core import Core
from gradexplain.language.objects import BaseClass, BoundMethod, SuperProxy, UserClass
from gradexplain.language.values import Function, Method, Namespace, _checked_result, _resolve

CTX_TYPE = torch.autograd.function.FunctionCtx
_MEMBERS: dict[tuple[str, str], Any] = {}  # (namespace, name) -> the allowed member's value
# Attributes of PyTorch's handle for node hooks (a different class from tensor hooks').
HANDLE_TYPES: tuple[type, ...] = (RemovableHandle,)


class Attributes(Core):
    """Attribute and item access for `Interpreter`."""

    def read_attribute(self, target: Any, name: str, node: ast.Attribute | None) -> Any:
        label = self._segment(node.value) if node is not None else "<value>"
        if isinstance(target, Namespace):
            return self._namespace_member(target, name, node)
        if isinstance(target, torch.Tensor):
            return self._tensor_attribute(target, name, node, label)
        if isinstance(target, CTX_TYPE) and (name in allow.CTX_METHODS or name in
                                             allow.CTX_ATTRIBUTES or name in vars(target)):
            if name in allow.CTX_METHODS:
                return Method(target, name, label)
            return _checked_result(getattr(target, name))
        if display._is_node(target):
            if name == "next_functions":
                return target.next_functions
            if name in {"name", "register_hook", "register_prehook"}:
                return Method(target, name, label)
            if name.startswith(allow.SAVED_PREFIX) and hasattr(target, name):
                return _checked_result(getattr(target, name))
            if name == "metadata_names":
                return sorted(n for n in dir(target) if n.startswith(allow.SAVED_PREFIX))
        elif isinstance(target, torch.nn.Module):
            found = self._module_attribute(target, name, label)
            if found is not _MISSING:
                return found
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
        elif _has_method(target, name):
            return Method(target, name, label)
        elif _has_plain_attribute(target, name):
            return getattr(target, name)
        kind = "None" if target is None else type(target).__name__
        if target is None:
            raise CodeAttributeError(f"'{label}' is None, so it has no attribute '{name}'")
        location = self._location(node) if node is not None else None
        raise not_allowed(f"attribute '{name}' is not available on a {kind}", location,
                          _suggest(name, target), what=f"attribute '{name}' on {kind}")

    def _tensor_attribute(self, target: torch.Tensor, name: str, node: ast.Attribute | None,
                          label: str) -> Any:
        if name in allow.TENSOR_METHODS:
            return Method(target, name, label)
        if name not in allow.TENSOR_ATTRIBUTES:
            location = self._location(node) if node is not None else None
            typo = typos.misspelled("tensor", name, allow.TENSOR_METHODS |
                                    allow.TENSOR_ATTRIBUTES, location)
            if typo is not None:
                raise typo
            raise not_allowed(f"attribute '{name}' is not available on a Tensor", location,
                              _suggest(name, target), what=f"attribute '{name}' on Tensor")
        value = getattr(target, name)
        if name == "grad":
            if not (target.is_leaf or target.retains_grad):  # `.grad` is None: noted
                assert self._context is not None
                self.hooks.read_non_leaf_grad(self._context, target, label)
        elif isinstance(value, torch.Tensor) and node is not None:
            self._note_new_tensor(value, node)
            if not value.requires_grad:  # `.data`: a detached view
                self.hooks.made_without_grad(name, [target], value)
        return value

    def _module_attribute(self, target: torch.nn.Module, name: str, label: str) -> Any:
        user_class = getattr(type(target), "gx_class", None)
        if isinstance(user_class, UserClass):
            if name in user_class.methods:
                return BoundMethod(target, user_class.methods[name])
            if name in user_class.attributes:
                return user_class.attributes[name]
        for table in ("_parameters", "_buffers", "_modules"):
            entries = target.__dict__.get(table, {})
            if name in entries:
                return entries[name]
        if not name.startswith("_") and name in target.__dict__:
            return _checked_result(target.__dict__[name])
        if name in allow.MODULE_METHODS:
            return Method(target, name, label)
        if name in allow.MODULE_ATTRIBUTES and hasattr(target, name):
            return _checked_result(getattr(target, name))
        return _MISSING

    def _namespace_member(self, namespace: Namespace, name: str, node: ast.AST | None) -> Any:
        key = (namespace.path, name)
        found = _MEMBERS.get(key)
        if found is None:  # each allowed member resolves to the same value every time
            found = _MEMBERS[key] = self._resolve_member(namespace, name, node)
        return found

    def _resolve_member(self, namespace: Namespace, name: str, node: ast.AST | None) -> Any:
        path = f"{namespace.path}.{name}"
        if path in allow.TORCH_NAMESPACES:
            return Namespace(path)
        if path in allow.BASE_CLASSES:
            return BaseClass(path)
        if path in allow.CONSTANT_PATHS:
            return _resolve(path)
        if path in allow.TORCH_PATHS:
            if namespace.path == "d2l":
                return Function(path, _no_function)
            member = _resolve(path)
            if isinstance(member, torch.dtype):
                return member
            return Function(path, member)
        reason = allow.why_dangerous(name)
        message = f"'{path}' is not allowed"
        message += f": {reason}" if reason else " (it is not on the allowlist)"
        known = [p.rsplit(".", 1)[-1] for p in allow.TORCH_PATHS | allow.CONSTANT_PATHS
                 if p.startswith(namespace.path + ".") and p.count(".") == path.count(".")]
        typo = typos.misspelled(namespace.path, name, known,
                                self._location(node) if node is not None else None)
        if typo is not None:
            raise typo
        close = difflib.get_close_matches(name, known, n=1)
        raise not_allowed(message, self._location(node) if node is not None else None,
                          f"did you mean '{namespace.path}.{close[0]}'?" if close else None,
                          what=path)

    def set_attribute(self, target_node: ast.Attribute, owner: Any, value: Any) -> None:
        name = target_node.attr
        if isinstance(owner, torch.Tensor) and name in {"grad", "requires_grad", "data"}:
            setattr(owner, name, value)
            if name == "requires_grad" and value and owner.is_leaf:
                self._note_new_tensor(owner, target_node.value)
            return
        if isinstance(owner, torch.nn.Module) and _settable(owner, name):
            owner.__setattr__(name, _checked_result(value))
            return
        if isinstance(owner, CTX_TYPE) and _settable(owner, name):
            setattr(owner, name, _checked_result(value))
            return
        kind = type(owner).__name__
        raise not_allowed(f"assigning attribute '{name}' of a {kind} is not allowed",
                          self._location(target_node),
                          "tensors accept .grad, .requires_grad and .data; your own modules "
                          "and a Function's ctx accept new attributes",
                          what=f"attribute assignment '{name}'")

    def get_item(self, value: Any, index: Any, node: ast.expr) -> Any:
        if isinstance(value, torch.Tensor):
            guards.check_index(value, index, self.limits, self._location(node))
            if isinstance(node, ast.Subscript):
                self._operation = OperationContext("index",
                                                   self._operands([value], [node.value]))
            result = value[index]
            self._note_new_tensor(result, node)
            return result
        if isinstance(value, (list, tuple, torch.Size, str, dict, range, torch.nn.Sequential,
                              torch.nn.ModuleList, torch.nn.ParameterList,
                              torch.nn.ModuleDict)):
            return value[index]
        raise CodeTypeError(f"'{type(value).__name__}' object is not subscriptable")

    def set_item(self, node: ast.Subscript, owner: Any, index: Any, value: Any) -> None:
        if isinstance(owner, torch.Tensor):
            guards.check_index(owner, index, self.limits, self._location(node))
            self._operation = OperationContext("index", self._operands([owner], [node.value]))
            owner[index] = value
            return
        if isinstance(owner, (list, dict)):
            owner[index] = value
            return
        raise CodeTypeError(f"'{type(owner).__name__}' object does not support item assignment")


def _has_method(target: Any, name: str) -> bool:
    """Methods of hook handles, super(), strings, lists and dicts."""
    return (isinstance(target, HANDLE_TYPES) and name in allow.HANDLE_METHODS) or \
        (isinstance(target, SuperProxy) and name == "__init__") or \
        (isinstance(target, str) and name in allow.STRING_METHODS) or \
        (isinstance(target, list) and name in allow.LIST_METHODS) or \
        (isinstance(target, dict) and name in allow.DICT_METHODS)


def _has_plain_attribute(target: Any, name: str) -> bool:
    """Plain values read from devices, dtypes and torch.return_types (max/min with dim)."""
    return (isinstance(target, torch.device) and name in {"type", "index"}) or \
        (isinstance(target, torch.dtype) and name in {"is_floating_point", "itemsize"}) or \
        (isinstance(target, tuple) and name in {"values", "indices"} and hasattr(target, name))


def _no_function(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError  # d2l functions are run by the interpreter itself


class _Missing:
    pass


_MISSING = _Missing()


def _settable(owner: Any, name: str) -> bool:
    """A new attribute of the user's module or a ctx; never a method or internal name."""
    if name.startswith("_"):
        return False
    if isinstance(owner, torch.nn.Module):
        tables = [owner.__dict__.get(t, {}) for t in ("_parameters", "_buffers", "_modules")]
        if any(name in table for table in tables) or name in owner.__dict__:
            return True
        if name == "training":
            return True
    return not hasattr(type(owner), name)


def _suggest(name: str, target: Any) -> str | None:
    """The closest allowed name, for a misspelled attribute."""
    if isinstance(target, torch.Tensor):
        known = allow.TENSOR_METHODS | allow.TENSOR_ATTRIBUTES
    elif isinstance(target, torch.nn.Module):
        known = allow.MODULE_METHODS | allow.MODULE_ATTRIBUTES
    else:
        return None
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"did you mean '{close[0]}'?" if close else None
