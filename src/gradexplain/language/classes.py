"""The user's classes: `class Net(nn.Module)` and `class Exp(torch.autograd.Function)`.

Each becomes a real Python class built here (never by user code), whose methods re-enter
the interpreter: a module's `forward`, a Function's static `forward` / `backward` /
`setup_context`. User code only holds the `UserClass` wrapper and the instances.
"""

from __future__ import annotations

import ast
from typing import Any

import torch

from gradexplain.errors import not_allowed
from gradexplain.language.core import Core
from gradexplain.language.objects import BaseClass, UserClass, UserFunction

KINDS = {"torch.nn.Module": "module", "torch.autograd.Function": "function"}


class InterpretedModule(torch.nn.Module):
    """The base of every user module class: `forward` runs the user's forward."""

    gx_class: UserClass
    gx_interpreter: Any

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        forward = type(self).gx_class.methods.get("forward")
        if forward is None:
            raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                      '"forward" function')
        return type(self).gx_interpreter.call_user(forward, [self, *args], kwargs)


class Classes(Core):
    """Class statements, instances and `Function.apply`."""

    def define_class(self, stmt: ast.ClassDef) -> None:
        base = self._expr(stmt.bases[0])
        if not isinstance(base, BaseClass):
            raise not_allowed("a class must extend nn.Module or torch.autograd.Function",
                              self._location(stmt.bases[0]))
        kind = KINDS[base.path]
        methods: dict[str, UserFunction] = {}
        attributes: dict[str, Any] = {}
        for item in stmt.body:
            if isinstance(item, ast.FunctionDef):
                methods[item.name] = self.make_function(item)
            elif isinstance(item, ast.Assign):
                value = self._expr(item.value)
                for target in item.targets:
                    assert isinstance(target, ast.Name)
                    attributes[target.id] = value
        user_class = UserClass(stmt.name, kind, methods, attributes)
        if kind == "module":
            user_class.real = type(stmt.name, (InterpretedModule,),
                                   {"gx_class": user_class, "gx_interpreter": self})
        else:
            user_class.real = self._function_class(user_class)
        self.bind(stmt.name, user_class)

    def _function_class(self, user_class: UserClass) -> Any:
        """A torch.autograd.Function subclass whose static methods re-enter the interpreter."""
        interpreter = self
        methods = user_class.methods
        if "forward" not in methods or "backward" not in methods:
            missing = "forward" if "forward" not in methods else "backward"
            raise NotImplementedError(f"a torch.autograd.Function needs a static {missing}")

        def reenter(name: str) -> Any:
            function = methods[name]

            def run(*args: Any) -> Any:
                # ctx.save_for_backward accepts None (an absent bias) and gives it back.
                saved = [list(t.shape) if isinstance(t, torch.Tensor) else None
                         for t in args[0].saved_tensors] if \
                    name == "backward" and args else None
                result = interpreter.call_user(function, list(args), {})
                if saved is not None and interpreter._context is not None:
                    returned = result if isinstance(result, tuple) else (result,)
                    interpreter.hooks.event(interpreter._context, "custom_function", {
                        "function": user_class.name, "saved": saved,
                        "returned": [list(r.shape) if isinstance(r, torch.Tensor) else None
                                     for r in returned]})
                return result

            return staticmethod(run)

        names = ("forward", "backward", "setup_context")
        members: dict[str, Any] = {name: reenter(name) for name in names if name in methods}
        return type(user_class.name, (torch.autograd.Function,), members)

    def instantiate(self, user_class: UserClass, args: list[Any], kwargs: dict[str, Any],
                    node: ast.expr | None) -> Any:
        if user_class.kind == "function":
            raise not_allowed(f"a torch.autograd.Function is used through "
                              f"{user_class.name}.apply(...), not by calling the class",
                              self._location(node) if node is not None else None)
        instance = user_class.real.__new__(user_class.real)
        init = user_class.methods.get("__init__")
        if init is None:
            torch.nn.Module.__init__(instance)
        else:
            self.call_user(init, [instance, *args], kwargs, node)
            if "_parameters" not in instance.__dict__:
                raise RuntimeError(f"{user_class.name}.__init__ must call "
                                   "super().__init__() first")
        return instance

    def apply_function(self, user_class: UserClass, args: list[Any], kwargs: dict[str, Any],
                       node: ast.expr | None) -> Any:
        """`Exp.apply(x)`: PyTorch runs our forward (and later backward) wrappers."""
        args = [self.torch_callable(a) for a in args]
        result = user_class.real.apply(*args, **kwargs)
        if node is not None:
            self._after_tensor_op(node, user_class.name, args, [], result)
        return result
