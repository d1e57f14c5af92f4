"""The user's classes: `class Net(nn.Module)`, `class Exp(torch.autograd.Function)`,
`class Data(Dataset)`, plain classes, and classes that extend the user's own.

Each becomes a real Python class built here (never by user code), whose methods re-enter
the interpreter: a module's `forward`, a Function's static `forward` / `backward` /
`setup_context`, and the special methods the checker lets a class define (`__getitem__`,
`__len__`, `__call__`, `__iter__`, `__next__`, `__repr__`, `__str__`), so that PyTorch (a
DataLoader reading a dataset) and Python (len(), indexing) reach the user's code only
through the interpreter. User code only holds the `UserClass` wrapper and the instances.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import torch

from gradexplain.errors import GradexplainError, SourceLocation, not_allowed
from gradexplain.language.classify import CodeTypeError
from gradexplain.language.compiler import Compiler, Evaluate, Run, State
from gradexplain.language.functions import (
    MakeFunction,
    call_user,
    function_maker,
    torch_callable,
)
from gradexplain.language.reports import reporter
from gradexplain.language.values import BaseClass, InterpretedObject, UserClass, UserFunction

KINDS = {"torch.nn.Module": "module", "torch.autograd.Function": "function",
         "torch.utils.data.Dataset": "dataset"}
# The special methods a class may define, each added to its real class as a wrapper that
# re-enters the interpreter (`__init__` is run by `instantiate`). A module's `__call__` is
# nn.Module's own (it runs forward and the module's hooks).
SPECIAL = ("__getitem__", "__len__", "__call__", "__iter__", "__next__", "__repr__", "__str__")


class InterpretedDataset(InterpretedObject, torch.utils.data.Dataset):  # type: ignore[type-arg]
    """The base of every user dataset class: a torch Dataset whose items the user's
    `__getitem__` gives (through the interpreter)."""


class InterpretedModule(torch.nn.Module):
    """The base of every user module class: `forward` runs the user's forward."""

    gx_class: UserClass
    gx_interpreter: State

    def forward(self, *args: object, **kwargs: object) -> object:
        forward = type(self).gx_class.methods.get("forward")
        if forward is None:
            raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                      '"forward" function')
        bound = list(args) if forward.static else [self, *args]  # @staticmethod forward
        return call_user(type(self).gx_interpreter, forward, bound, kwargs)


def define_class(compiler: Compiler, stmt: ast.ClassDef) -> Run:
    """`class Name(base): ...`: its methods made and its plain assignments evaluated in
    order (not as statements: they are not counted), then the class bound."""
    # `class Point:` and `class Point(object):` are plain classes
    plain = not stmt.bases or (isinstance(stmt.bases[0], ast.Name) and
                               stmt.bases[0].id == "object")
    base_of = None if plain else compiler.expr(stmt.bases[0])
    base_location = compiler.source.locate(stmt.bases[0] if stmt.bases else stmt)
    members: list[tuple[str, MakeFunction | None, Evaluate | None, list[str]]] = []
    for item in stmt.body:
        if isinstance(item, ast.FunctionDef):
            members.append((item.name, function_maker(compiler, item), None, []))
        elif isinstance(item, ast.Assign):
            names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            members.append(("", None, compiler.expr(item.value), names))
    name = stmt.name

    def define(it: State) -> None:
        base = None if base_of is None else base_of(it)
        parent = base if isinstance(base, UserClass) else None
        if base_of is None:
            kind = "plain"
        elif isinstance(base, BaseClass):
            kind = KINDS[base.path]
        elif parent is not None and parent.kind != "function":
            kind = parent.kind
        else:
            raise not_allowed("a class must be a plain class, or extend nn.Module, "
                              "torch.autograd.Function, Dataset or a class of your own "
                              "(not a torch.autograd.Function)", base_location)
        own: dict[str, UserFunction] = {}
        attributes: dict[str, object] = dict(parent.attributes) if parent else {}
        for method_name, make, value_of, targets in members:
            if make is not None:
                own[method_name] = make(it)
            elif value_of is not None:
                value = value_of(it)
                for target in targets:
                    attributes[target] = value
        if kind == "module" and "__call__" in own:
            raise not_allowed("a module's __call__ is nn.Module's own (it runs forward and "
                              "the module's hooks): define forward instead", base_location)
        methods = {**(parent.methods if parent else {}), **own}
        user_class = UserClass(name, kind, methods, attributes, base=parent)
        for function in own.values():
            function.owner = user_class
        # `__module__`: type(net) prints as PyTorch's would for the code's class, __main__.Net
        members_of_real: dict[str, object] = {"gx_class": user_class, "gx_interpreter": it,
                                              "__module__": "__main__"}
        members_of_real.update({special: _reentering(special) for special in SPECIAL
                                if special in own})
        if kind == "function":
            user_class.real = _function_class(it, user_class)
        else:
            root = {"module": InterpretedModule, "dataset": InterpretedDataset,
                    "plain": InterpretedObject}[kind]
            real_base = parent.real if parent is not None and parent.real is not None \
                else root
            user_class.real = type(name, (real_base,), members_of_real)
        it.bind(name, user_class)

    return define


def _reentering(special: str) -> Callable[..., object]:
    """The real class's `special` method: the user's, run by the interpreter (the instance's
    class's own or inherited one). Python's protocols end on an exception: `__next__` raising
    StopIteration ends an iteration, `__getitem__` raising IndexError ends the stepping
    through a class without `__iter__` (a Dataset in a `for`); those two leave as Python's
    own exceptions, so that the protocol sees them."""

    def run(self: object, *args: object) -> object:
        real = type(self)
        user_class: UserClass = real.gx_class  # type: ignore[attr-defined]
        interpreter: State = real.gx_interpreter  # type: ignore[attr-defined]
        try:
            return call_user(interpreter, user_class.methods[special], [self, *args], {})
        except GradexplainError as error:
            cause = error.__cause__
            if special == "__next__" and isinstance(cause, StopIteration):
                raise StopIteration from None
            if special == "__getitem__" and isinstance(cause, IndexError):
                raise cause from None
            raise

    run.__name__ = special
    return run


def _function_class(it: State, user_class: UserClass) -> type:
    """A torch.autograd.Function subclass whose static methods re-enter the interpreter."""
    methods = user_class.methods
    if "forward" not in methods or "backward" not in methods:
        missing = "forward" if "forward" not in methods else "backward"
        raise NotImplementedError(f"a torch.autograd.Function needs a static {missing}")

    def reenter(name: str) -> staticmethod[..., object]:
        function = methods[name]

        def run(*args: object) -> object:
            # ctx.save_for_backward accepts None (an absent bias) and gives it back.
            saved = [list(t.shape) if isinstance(t, torch.Tensor) else None
                     for t in getattr(args[0], "saved_tensors", ())] if \
                name == "backward" and args else None
            result = call_user(it, function, list(args), {})
            if saved is not None and it.context is not None:
                returned = result if isinstance(result, tuple) else (result,)
                it.hooks.event(it.context, "custom_function", {
                    "function": user_class.name, "saved": saved,
                    "returned": [list(r.shape) if isinstance(r, torch.Tensor) else None
                                 for r in returned]})
            return result

        return staticmethod(run)

    names = ("forward", "backward", "setup_context")
    members = {name: reenter(name) for name in names if name in methods}
    return type(user_class.name, (torch.autograd.Function,), members)


def instantiate(it: State, user_class: UserClass, args: list[object],
                kwargs: dict[str, object], location: SourceLocation | None) -> object:
    """`Net(...)`: a new instance of the user's class, its `__init__` run."""
    if user_class.kind == "function":
        raise not_allowed(f"a torch.autograd.Function is used through "
                          f"{user_class.name}.apply(...), not by calling the class", location)
    if user_class.kind != "module":
        return _new_object(it, user_class, args, kwargs, location)
    real = user_class.real
    assert real is not None and issubclass(real, torch.nn.Module)
    instance = real.__new__(real)
    init = user_class.methods.get("__init__")
    if init is None:
        torch.nn.Module.__init__(instance)
    else:
        call_user(it, init, [instance, *args], kwargs, location)
        if "_parameters" not in instance.__dict__:
            raise RuntimeError(f"{user_class.name}.__init__ must call "
                               "super().__init__() first")
    return instance


def _new_object(it: State, user_class: UserClass, args: list[object],
                kwargs: dict[str, object], location: SourceLocation | None) -> object:
    """An instance of a plain class or a dataset: attributes in its dict, `__init__` run."""
    real = user_class.real
    assert real is not None and issubclass(real, InterpretedObject)
    instance = real.__new__(real)
    init = user_class.methods.get("__init__")
    if init is not None:
        call_user(it, init, [instance, *args], kwargs, location)
    elif args or kwargs:
        raise CodeTypeError(f"{user_class.name}() takes no arguments")
    return instance


def apply_function(it: State, user_class: UserClass, args: list[object],
                   kwargs: dict[str, object], node: ast.expr | None) -> object:
    """`Exp.apply(x)`: PyTorch runs our forward (and later backward) wrappers; the result is
    reported like an operation's (without operand nodes)."""
    args = [torch_callable(it, a) for a in args]
    real = user_class.real
    assert real is not None and issubclass(real, torch.autograd.Function)
    apply: Callable[..., object] = real.apply
    result = apply(*args, **kwargs)
    if node is not None:
        program = it.program
        assert program is not None
        reporter(program.source, node, user_class.name, [])(it, args, result)
    return result
