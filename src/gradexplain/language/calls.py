"""Calls: the rule of `f(...)` for every kind of callee the language has (the one dispatch by
the callee's type, `call_value`), torch functions and methods, and layers.

A call in the code is compiled once (`call`): its arguments, its location and argument nodes
(a `CallSite`), and, for `x.name(...)` on a tensor, the method's facts from the allowlist.
A torch call is sized before it runs (guards.check_call) and reported after (reports.py).
Every argument that could be run as a callable (a user function, a builtin, a torch
function wrapper) is replaced by `torch_callable`'s re-entering wrapper before torch sees it.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
from collections.abc import Callable

import torch

from gradexplain.errors import SourceLocation, not_allowed
from gradexplain.language import allowlists as allow
from gradexplain.language import display, guards, layer_sizes, numpy_subset, python_modules
from gradexplain.language.attributes import namespace_member, read_attribute
from gradexplain.language.backward import AUTOGRAD_CALLS, autograd_call, backward_method
from gradexplain.language.builtins import call_builtin
from gradexplain.language.classes import apply_function, instantiate
from gradexplain.language.classify import CodeTypeError, OperationContext
from gradexplain.language.compiler import Compiler, Evaluate, State
from gradexplain.language.data import data_function
from gradexplain.language.functions import call_user, torch_callable
from gradexplain.language.pyplot import PyplotObject, object_method, pyplot_function
from gradexplain.language.reports import Report, no_report, reporter
from gradexplain.language.source import SourceMap
from gradexplain.language.special_calls import HOOK_METHODS, special_function, special_method
from gradexplain.language.values import (
    BaseClass,
    BoundMethod,
    Builtin,
    ExceptionType,
    Function,
    InterpretedObject,
    Method,
    NamedTupleType,
    Namespace,
    Placeholder,
    SuperProxy,
    UserClass,
    UserFunction,
    checked_result,
)
from gradexplain.limits import Limits, check

Tensor = torch.Tensor
Arguments = Callable[[State], tuple[list[object], dict[str, object]]]
# (interpreter, tensor, args, kwargs): a tensor method's rule, its facts bound
TensorCall = Callable[[State, Tensor, list[object], dict[str, object]], object]

# The modules besides torch whose functions are run (and sized) by their own rule.
LIBRARIES: dict[str, Callable[[State, Function, list[object], dict[str, object],
                               SourceLocation | None], object]] = {
    "numpy": numpy_subset.call, "random": python_modules.call, "time": python_modules.call,
    "copy": python_modules.call, "collections": python_modules.call,
}
# Functions whose call only notes something or returns a value nobody uses.
QUIET_RESULTS = {"torch.manual_seed"}
NEW_TENSOR_METHODS = {"new_ones": "ones", "new_zeros": "zeros", "new_empty": "empty",
                      "new_full": "full"}
# torch functions that are not tensor operations: their sizes are not checked on `meta`
# (that would run them twice, or consume a generator of parameters).
NOT_TENSOR_OPERATIONS = frozenset({
    "manual_seed", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled", "get_default_dtype", "device",
    "is_tensor", "is_floating_point", "numel", "set_default_device", "get_default_device",
    "from_numpy", "Generator", "set_printoptions",
})
# In-place methods that change their tensor's shape: the operation's shapes are taken before
# it runs (other operations read them only if they fail, when nothing has changed).
RESHAPING_IN_PLACE = frozenset({
    "unsqueeze_", "squeeze_", "t_", "transpose_", "swapdims_", "swapaxes_", "resize_",
    "resize_as_", "set_", "as_strided_",
})


class CallSite:
    """A call in the code, its facts worked out once: where it is, its argument nodes, the
    nodes of `x.name(a, b)`'s operands (x, a, b), and per torch function or operation name
    it calls, how that call is checked and reported."""

    __slots__ = ("arg_nodes", "functions", "location", "node", "operand_nodes", "reports",
                 "source")

    def __init__(self, source: SourceMap, node: ast.Call) -> None:
        self.source = source
        self.node = node
        self.location = source.locate(node)
        self.arg_nodes = list(node.args)
        func = node.func
        self.operand_nodes = [func.value, *node.args] if isinstance(func, ast.Attribute) \
            else []
        self.functions: dict[str, _FunctionFacts] = {}
        self.reports: dict[str, Report] = {}

    def report(self, name: str) -> Report:
        """The report of operation `name` made here on the call's arguments (a layer's)."""
        found = self.reports.get(name)
        if found is None:
            found = self.reports[name] = reporter(self.source, self.node, name, self.arg_nodes)
        return found


# compiling a call ---------------------------------------------------------------------------

def call(compiler: Compiler, node: ast.Call) -> Evaluate:
    """`f(...)`, `value.name(...)`: on a tensor, an allowlisted method's facts are worked out
    here; on a namespace, the member found the last time is reused."""
    site = CallSite(compiler.source, node)
    func = node.func
    arguments_of = arguments(compiler, node)
    if not isinstance(func, ast.Attribute):
        callee_of = compiler.expr(func)

        def call_named(it: State) -> object:
            callee = callee_of(it)
            args, kwargs = arguments_of(it)
            return call_value(it, callee, args, kwargs, site)

        return call_named
    if func.attr == "format" and isinstance(func.value, ast.Constant) and \
            isinstance(func.value.value, str):
        template = func.value.value  # the checker has checked its fields

        def format_text(it: State) -> object:
            args, kwargs = arguments_of(it)
            return display.format_text(template, args, kwargs, it.limits)

        return format_text
    target_of = compiler.expr(func.value)
    # `loss`, a name bound at the top level, read in place; anything else by its closure
    top_name = func.value.id if isinstance(func.value, ast.Name) else None
    no_arguments = not node.args and not node.keywords
    name = func.attr
    method = tensor_method(name, compiler.source.segment(func.value), site.operand_nodes,
                           site.location, reporter(compiler.source, node, name,
                                                   site.operand_nodes)) \
        if name in allow.TENSOR_METHODS else None
    member: list[object] = [None, None]  # the last namespace met here, and its member `name`

    def general(it: State, target: object) -> object:
        if type(target) is Namespace:  # `torch.no_grad()`: what read_attribute returns
            if target is member[0]:  # resolved once per namespace (attributes._MEMBERS)
                callee = member[1]
            else:
                callee = namespace_member(it, target, name, func)
                member[:] = [target, callee]
            if type(callee) is Function:
                if no_arguments:  # `torch.no_grad()`
                    return call_function(it, callee, [], {}, site)
                args, kwargs = arguments_of(it)
                return call_function(it, callee, args, kwargs, site)
        else:
            callee = read_attribute(it, target, name, func)
        args, kwargs = arguments_of(it)
        return call_value(it, callee, args, kwargs, site)

    if method is not None and no_arguments:
        tensor_call = method

        def call_without_arguments(it: State) -> object:
            target = env[top_name] if top_name is not None and it.scope is None and \
                top_name in (env := it.env) else target_of(it)
            if isinstance(target, Tensor):  # `loss.backward()`, `x.mean()`, `w.grad.zero_()`
                return tensor_call(it, target, [], {})
            return general(it, target)

        return call_without_arguments

    def call_method(it: State) -> object:
        target = env[top_name] if top_name is not None and it.scope is None and \
            top_name in (env := it.env) else target_of(it)
        if method is not None and isinstance(target, Tensor):
            args, kwargs = arguments_of(it)
            return method(it, target, args, kwargs)
        return general(it, target)

    return call_method


def arguments(compiler: Compiler, node: ast.Call) -> Arguments:
    """Positional values, then keyword values, in source order; `*args` steps through any
    iterable, `**kwargs` takes a dict of names."""
    if any(isinstance(a, ast.Starred) for a in node.args) or \
            any(k.arg is None for k in node.keywords):
        return _unpacked_arguments(compiler, node)
    positional = [compiler.expr(a) for a in node.args]
    keywords = [(k.arg, compiler.expr(k.value)) for k in node.keywords if k.arg is not None]
    if not keywords:
        if not positional:
            return lambda it: ([], {})
        if len(positional) == 1:
            only = positional[0]
            return lambda it: ([only(it)], {})
        return lambda it: ([p(it) for p in positional], {})
    return lambda it: ([p(it) for p in positional], {k: v(it) for k, v in keywords})


def _unpacked_arguments(compiler: Compiler, node: ast.Call) -> Arguments:
    positional = [(compiler.expr(a.value), a) if isinstance(a, ast.Starred)
                  else (compiler.expr(a), None) for a in node.args]
    keywords = [(k.arg, compiler.expr(k.value), compiler.source.locate(k.value))
                for k in node.keywords]

    def evaluate(it: State) -> tuple[list[object], dict[str, object]]:
        args: list[object] = []
        for value_of, starred in positional:
            if starred is None:
                args.append(value_of(it))
            else:
                args.extend(it.iterate(value_of(it), starred))
        kwargs: dict[str, object] = {}
        for key, value_of, location in keywords:
            value = value_of(it)
            if key is not None:
                kwargs[key] = value
                continue
            if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                raise CodeTypeError("argument after ** must be a mapping with string keys")
            if any(k.startswith("__") for k in value):
                raise not_allowed("dunder keyword arguments are not allowed", location)
            kwargs.update(value)
        return args, kwargs

    return evaluate


# calling a value ----------------------------------------------------------------------------

def call_value(it: State, callee: object, args: list[object], kwargs: dict[str, object],
               site: CallSite | None) -> object:
    """Call any value user code may call; `site` is None when torch calls back."""
    location = site.location if site is not None else None
    if isinstance(callee, Builtin):
        return call_builtin(it, callee.name, args, kwargs,
                            site.node if site is not None else None, location)
    if isinstance(callee, UserFunction):
        return call_user(it, callee, args, kwargs, location)
    if isinstance(callee, BoundMethod):
        return call_user(it, callee.function, [callee.instance, *args], kwargs, location)
    if isinstance(callee, Method):
        return _call_method(it, callee, args, kwargs, site)
    if isinstance(callee, Function):
        return call_function(it, callee, args, kwargs, site)
    if isinstance(callee, UserClass):
        return instantiate(it, callee, args, kwargs, location)
    if isinstance(callee, torch.nn.Module):
        return _call_module(it, callee, args, kwargs, site)
    if isinstance(callee, InterpretedObject):  # an instance of the user's class with __call__
        method = type(callee).gx_class.methods.get("__call__")
        if method is not None:
            return call_user(it, method, [callee, *args], kwargs, location)
    if isinstance(callee, ExceptionType):
        return getattr(builtins, callee.name)(*args)
    if isinstance(callee, NamedTupleType):
        return callee.real(*args, **kwargs)
    if isinstance(callee, Placeholder):
        raise callee.refusal()
    if isinstance(callee, BaseClass):
        raise not_allowed(f"{callee.path} can only be used as a base class: "
                          f"class Net({callee.path.split('.')[-2]}."
                          f"{callee.path.split('.')[-1]}):", location)
    shown = site.source.segment(site.node.func) if site is not None else \
        type(callee).__name__
    raise CodeTypeError(f"'{shown}' is not callable")


def wrapped(it: State, args: list[object], kwargs: dict[str, object]
            ) -> tuple[list[object], dict[str, object]]:
    """The arguments as torch receives them: anything interpreted, a re-entering wrapper."""
    if not args and not kwargs:
        return args, kwargs
    return ([torch_callable(it, a) for a in args],
            {k: torch_callable(it, v) for k, v in kwargs.items()})


_FACTS: dict[str, _FunctionFacts] = {}  # where torch calls back: no site, nothing reported


class _FunctionFacts:
    """How a torch function is called at one site: sized or as a layer, quiet, reported."""

    __slots__ = ("layer", "name", "ordinary", "quiet", "report", "sized")

    def __init__(self, callee: Function, site: CallSite | None) -> None:
        path = callee.path
        self.name = callee.name
        operation = _tensor_operation(path)
        self.ordinary = _ordinary(path)
        self.sized = operation and guards.call_is_sized(self.name)
        self.layer = not operation and path.startswith("torch.nn.")
        self.quiet = path in QUIET_RESULTS
        self.report = no_report if site is None else \
            reporter(site.source, site.node, self.name, site.arg_nodes)


def call_function(it: State, callee: Function, args: list[object], kwargs: dict[str, object],
                  site: CallSite | None) -> object:
    """`torch.f(...)`, `F.f(...)`, `nn.Linear(...)`: sized before it runs, reported after.
    The functions with something else to do (autograd's backward and grad, d2l, legacy APIs,
    torch.autograd.functional) are handled first."""
    known = site.functions if site is not None else _FACTS
    facts = known.get(callee.path)
    if facts is None:
        facts = known[callee.path] = _FunctionFacts(callee, site)
    if not facts.ordinary:
        path = callee.path
        if path.startswith("torch.utils.data."):
            return checked_result(data_function(
                it, callee, args, kwargs, site.location if site is not None else None))
        if path.startswith("matplotlib."):
            return pyplot_function(it, callee.name, args, kwargs)
        if path in AUTOGRAD_CALLS and site is not None:
            return autograd_call(it, path, args, kwargs, site.node)
        library = LIBRARIES.get(path.split(".", 1)[0])
        if library is not None:
            return library(it, callee, args, kwargs, site.location if site else None)
        special = special_function(it, callee, args, kwargs)
        if special is not NotImplemented:
            return special
    name = facts.name
    location = site.location if site is not None else None
    it.operation = (name, args, site.arg_nodes if site is not None else [])
    if facts.sized:
        guards.check_call(name, None, args, kwargs, it.limits, it.budget, location, callee.fn)
    elif facts.layer:
        guards.check_layer_weights(callee.fn, args, kwargs, it.limits, it.budget, location)
        guards.check_submodules(None, [*args, *kwargs.values()], it.limits, location)
    if args or kwargs:
        args, kwargs = wrapped(it, args, kwargs)
    result = callee.fn(*args, **kwargs)
    if facts.quiet:
        return None
    if not isinstance(result, Tensor):
        return checked_result(result)  # (reports hear only of tensors)
    facts.report(it, args, result)
    return result


def tensor_method(name: str, label: str, operand_nodes: list[ast.expr],
                  location: SourceLocation | None, report: Report) -> TensorCall:
    """`x.name(...)` on a tensor, for one allowlisted method name: sized before it runs,
    reported after; its facts (labels, nodes, location, size rule) bound here once."""
    created = NEW_TENSOR_METHODS.get(name)
    hook = name in HOOK_METHODS
    reshaping = name in RESHAPING_IN_PLACE
    retain = name == "retain_grad"
    typed = name == "type"
    sized = guards.call_is_sized(name)  # else check_call would find nothing to check
    check_call = guards.check_call

    if name == "backward":
        def backward(it: State, target: Tensor, args: list[object],
                     kwargs: dict[str, object]) -> object:
            return backward_method(it, target, label, args, kwargs)

        return backward

    def method(it: State, target: Tensor, args: list[object],
               kwargs: dict[str, object]) -> object:
        if created is not None:  # x.new_ones(size) makes a tensor like torch.ones(size)
            check_call(created, None, args, kwargs, it.limits, it.budget, location)
        if hook:
            special = special_method(it, Method(target, name, label), args, kwargs)
            if special is not NotImplemented:
                return special
        operands: list[object] = [target, *args]
        it.operation = OperationContext(name, it.operands(operands, operand_nodes)) \
            if reshaping else (name, operands, operand_nodes)
        if sized:
            check_call(name, target, args, kwargs, it.limits, it.budget, location, name)
        if typed and args and isinstance(args[0], Function) and \
                args[0].path in allow.LEGACY_PATHS:  # x.type(torch.LongTensor): its class
            args = [args[0].fn, *args[1:]]
        if args or kwargs:
            args, kwargs = wrapped(it, args, kwargs)
        result = getattr(target, name)(*args, **kwargs)
        if retain:
            it.hooks.retained(target, label)
        if not isinstance(result, Tensor):
            return checked_result(result)
        report(it, operands, result)
        return result

    return method


def _call_method(it: State, method: Method, args: list[object], kwargs: dict[str, object],
                 site: CallSite | None) -> object:
    """A method read as a value and called (`f = x.mean; f()`), or any method of a value
    that is not a tensor: a string's, a list's, an optimizer's, `super().__init__`."""
    target, name = method.target, method.name
    location = site.location if site is not None else None
    if isinstance(target, Tensor):
        operand_nodes = site.operand_nodes if site is not None else []
        report = no_report if site is None else \
            reporter(site.source, site.node, name, operand_nodes)
        return tensor_method(name, method.target_label, operand_nodes, location, report)(
            it, target, args, kwargs)
    if isinstance(target, SuperProxy):  # super().__init__() of a torch base or of object
        if isinstance(target.instance, torch.nn.Module):
            torch.nn.Module.__init__(target.instance)
        elif args or kwargs:
            raise CodeTypeError("object.__init__() takes exactly one argument (the instance "
                                "to initialize)")
        return None
    if isinstance(target, UserClass):  # Exp.apply(x)
        return apply_function(it, target, args, kwargs,
                              site.node if site is not None else None)
    if isinstance(target, str):
        if name == "format":
            return display.format_text(target, args, kwargs, it.limits)
        length = guards.string_method_length(target, name, args)
        if length is not None:
            guards.check_text(length, it.limits, location)
    if isinstance(target, torch.nn.Module) and name in guards.MODULE_ADDING:
        guards.check_submodules(target, [*args, *kwargs.values()], it.limits, location)
    if isinstance(target, dict) and args:  # get, pop, update hash their keys
        guards.check_keys(args[0] if isinstance(args[0], dict) else args[:1], location)
    if isinstance(target, numpy_subset.NUMPY_VALUES):
        return numpy_subset.call_method(it, target, name, args, kwargs, location)
    if isinstance(target, PyplotObject):
        return object_method(it, target, name, args, kwargs)
    if isinstance(target, torch.nn.ParameterDict) and name == "update" and args and \
            not all(isinstance(v, Tensor) for v in dict(args[0]).values()):  # type: ignore[call-overload]
        raise CodeTypeError("ParameterDict.update takes tensors (nn.Parameter) only")
    if isinstance(target, list) and name in {"extend", "append", "insert"}:
        added = len(args[0]) if name == "extend" and hasattr(args[0], "__len__") else 1
        check("max_elements", len(target) + added, it.limits, location)
    special = special_method(it, method, args, kwargs)
    if special is not NotImplemented:
        return special
    args, kwargs = wrapped(it, args, kwargs)
    return checked_result(getattr(target, name)(*args, **kwargs))


def _call_module(it: State, module: torch.nn.Module, args: list[object],
                 kwargs: dict[str, object], site: CallSite | None) -> object:
    """`layer(x)`: its weights (a lazy layer's) and output are sized before it runs, by the
    forward pre-hook the interpreter holds while it runs (size_layer_call), which sizes the
    layers a container or the code's own module calls too."""
    arg_nodes = site.arg_nodes if site is not None else []
    kind = type(module).__name__
    it.operation = OperationContext(kind, it.operands(args, arg_nodes))
    args, kwargs = wrapped(it, args, kwargs)
    result = module(*args, **kwargs)
    if site is not None:
        site.report(kind.lower())(it, args, result)
    return checked_result(result)




@functools.lru_cache(maxsize=1024)
def _ordinary(path: str) -> bool:
    """A function without something else to do (see `call_function`)."""
    return path not in AUTOGRAD_CALLS and \
        not path.startswith(("d2l.", "torch.autograd.functional.", "torch.utils.data.",
                             "matplotlib.")) and \
        path not in allow.LEGACY_PATHS and path.split(".", 1)[0] not in LIBRARIES and \
        path != "torch.set_printoptions"


@functools.lru_cache(maxsize=1024)
def _tensor_operation(path: str) -> bool:
    """torch.X and F.X build tensors; nn layers, optimizers, autograd and math do not."""
    parts = path.split(".")
    if parts[0] != "torch":
        return False
    if len(parts) == 2:
        return parts[1] not in NOT_TENSOR_OPERATIONS
    return path.startswith("torch.nn.functional.")


def size_layer_call(it: State) -> Callable[[torch.nn.Module, tuple[object, ...]], None]:
    """The forward pre-hook that sizes every layer call while `it` runs: a lazy layer's
    weights from its first input, then the call's output (language/layer_sizes.py), before
    the layer runs. (Located at the statement that runs.)"""
    limits, budget = it.limits, it.budget
    sizing = [False]  # a layer run on `meta` to size it calls this hook again: not sized

    def size_call(module: torch.nn.Module, args: tuple[object, ...]) -> None:
        first = args[0] if args else None
        if sizing[0]:
            return
        if isinstance(first, Tensor) and check_lazy_weights(module, first, limits, None):
            return  # its output is sized at its next call, once it has weights
        sizing[0] = True
        try:
            numel = layer_sizes.output_numel(module, args)
        finally:
            sizing[0] = False
        if numel is not None:
            guards.check_elements(numel, limits, budget, None,
                                  first.element_size() if isinstance(first, Tensor) else 0)

    return size_call


def check_lazy_weights(module: torch.nn.Module, first: Tensor, limits: Limits,
                       location: SourceLocation | None) -> bool:
    """A lazy layer (nn.LazyLinear) sizes its weight from its first input: in-features or
    in-channels times its own out size. Refuse a weight past the element limit before it is
    made. (Lazy batch norms hold one value per channel: never larger than the input.) True when
    the layer is still lazy (its weight has no shape yet)."""
    lazy = torch.nn.parameter.is_lazy
    if first.dim() == 0 or not any(lazy(p) for p in module.parameters(recurse=False)):
        return False
    if isinstance(module, torch.nn.Linear):
        check("max_elements", first.shape[-1] * module.out_features, limits, location)
    elif isinstance(module, torch.nn.modules.conv._ConvNd):
        batched = first.dim() == len(module.kernel_size) + 2
        channels = first.shape[1] if batched else first.shape[0]
        check("max_elements", channels * module.out_channels * math.prod(module.kernel_size),
              limits, location)
    return True
