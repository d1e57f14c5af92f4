"""The user's classes: `class Net(nn.Module)` and `class Exp(torch.autograd.Function)`.

Each becomes a real Python class built here (never by user code), whose methods re-enter
the interpreter: a module's `forward`, a Function's static `forward` / `backward` /
`setup_context`. User code only holds the `UserClass` wrapper and the instances.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language.compiler import Compiler, Evaluate, Run, State
from gradexplain.language.functions import (
    MakeFunction,
    call_user,
    function_maker,
    torch_callable,
)
from gradexplain.language.reports import reporter
from gradexplain.language.values import BaseClass, UserClass, UserFunction

KINDS = {"torch.nn.Module": "module", "torch.autograd.Function": "function"}


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
    base_of = compiler.expr(stmt.bases[0])
    base_location = compiler.source.locate(stmt.bases[0])
    members: list[tuple[str, MakeFunction | None, Evaluate | None, list[str]]] = []
    for item in stmt.body:
        if isinstance(item, ast.FunctionDef):
            members.append((item.name, function_maker(compiler, item), None, []))
        elif isinstance(item, ast.Assign):
            names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            members.append(("", None, compiler.expr(item.value), names))
    name = stmt.name

    def define(it: State) -> None:
        base = base_of(it)
        if not isinstance(base, BaseClass):
            raise not_allowed("a class must extend nn.Module or torch.autograd.Function",
                              base_location)
        kind = KINDS[base.path]
        methods: dict[str, UserFunction] = {}
        attributes: dict[str, object] = {}
        for method_name, make, value_of, targets in members:
            if make is not None:
                methods[method_name] = make(it)
            elif value_of is not None:
                value = value_of(it)
                for target in targets:
                    attributes[target] = value
        user_class = UserClass(name, kind, methods, attributes)
        if kind == "module":
            user_class.real = type(name, (InterpretedModule,),
                                   {"gx_class": user_class, "gx_interpreter": it,
                                    "__module__": "__main__"})  # type(net): __main__.Net
        else:
            user_class.real = _function_class(it, user_class)
        it.bind(name, user_class)

    return define


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
    """`Net(...)`: a new instance of the user's module class, its `__init__` run."""
    if user_class.kind == "function":
        raise not_allowed(f"a torch.autograd.Function is used through "
                          f"{user_class.name}.apply(...), not by calling the class", location)
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
