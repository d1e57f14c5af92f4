"""Deeper views of one backward call: Jacobians, numeric checks, gradient flow, the graph tree.

The recorder asks `DeeperViews.start` for a `CallViews` before each call and lets it wrap the
real PyTorch call (`CallViews.perform`); everything found goes into `CallRecord.extras`
as plain data: "jacobian", "numeric", "flow" and "tree".

- Jacobians are taken BEFORE the call, while the graph is alive, one output element at a
  time with torch.autograd.grad(retain_graph=True); every .grad it could touch is restored.
- The numeric check re-evaluates the short form's expression in float64 with perturbed
  copies of the leaves, on a silent interpreter (the recorder sees nothing of it).
- Gradient flow comes from pre-hooks on the graph's nodes during the call (removed after).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.engine.graphwalk import walk
from gradexplain.engine.values import to_value
from gradexplain.language.checker import Program
from gradexplain.language.evaluator import BackwardRequest, Interpreter, StatementContext
from gradexplain.limits import Limits
from gradexplain.record import CallRecord

NON_SMOOTH = ("relu", "abs", "max", "min", "clamp", "clip", "sign", "round", "floor", "ceil",
              "hardtanh", "relu6", "leaky_relu", "amax", "amin", "maximum", "minimum")
EPS = 1e-6
TREE_DEPTH = 30
TREE_WIDTH = 8
FOLD_AT = 3  # repetitions of one pattern before a chain is folded
MAX_PERIOD = 8  # longest repeated pattern of node types that folds


@dataclass
class DeeperOptions:
    jacobian: bool = False
    jacobian_limit: int = 64  # elements in an output and in a leaf
    check_numeric: bool = False
    flow: bool = False  # gradient flow and the backward graph as a tree

    @property
    def any(self) -> bool:
        return self.jacobian or self.check_numeric or self.flow

    @classmethod
    def from_extras(cls, extras: dict[str, Any]) -> DeeperOptions:
        """From RunSettings.extras: "jacobian", "jacobian_limit", "check_numeric", "flow"."""
        return cls(jacobian=bool(extras.get("jacobian")),
                   jacobian_limit=int(extras.get("jacobian_limit") or 64),
                   check_numeric=bool(extras.get("check_numeric")),
                   flow=bool(extras.get("flow")))


Forward = Callable[[dict[str, torch.Tensor]], Any]  # names -> float64 tensors -> the output
Tracked = list[tuple[str, torch.Tensor, Any]]  # the recorder's live() list


@dataclass
class DeeperViews:
    """Owned by the recorder; `names` gives the interpreter's env (name -> value)."""

    options: DeeperOptions
    names: Callable[[], dict[str, Any]] = dict
    forward: Forward | None = None  # the short form's expression, when there is one
    expression: str | None = None
    full: bool = False

    def start(self, request: BackwardRequest, tracked: Tracked) -> CallViews:
        return CallViews(self, request, tracked)

    def short_form(self, program: Program, text: str, limits: Limits) -> None:
        """Enable the numeric check: the expression, re-evaluated on a silent interpreter."""
        self.expression = text

        def forward(env: dict[str, torch.Tensor]) -> Any:
            interpreter = Interpreter(limits, Silent())
            interpreter.env.update(self.names())
            interpreter.env.update(env)
            return interpreter.evaluate(program)

        self.forward = forward


@dataclass
class CallViews:
    owner: DeeperViews
    request: BackwardRequest
    tracked: Tracked
    extras: dict[str, Any] = field(default_factory=dict)
    _jacobians: list[dict[str, Any]] = field(default_factory=list)
    _targets: list[tuple[str, torch.Tensor]] = field(default_factory=list)
    _before: dict[str, torch.Tensor | None] = field(default_factory=dict)
    _flow: list[dict[str, Any]] = field(default_factory=list)
    _shapes: dict[int, list[int]] = field(default_factory=dict)

    def perform(self, call: CallRecord, action: Callable[[], Any]) -> Any:
        """Run the call (`action`), with the views taken before, during and after it."""
        options = self.owner.options
        outputs = [t for t, _ in self.request.outputs]
        self._targets = self._target_leaves(outputs)
        limit = options.jacobian_limit
        small = [(label, t) for label, t in self._targets if t.numel() <= limit]
        self._before = {label: t.grad.detach().clone() if t.grad is not None else None
                        for label, t in small}
        if options.jacobian and all(o.numel() <= limit for o in outputs):
            with _restored_grads(self.tracked):
                self._jacobians = self._jacobian(outputs, small)
        with self._hooks(outputs) if options.flow else _nothing():
            result = action()
        self._finish(call, small, result)
        return result

    # targets --------------------------------------------------------------------------------

    def _target_leaves(self, outputs: list[torch.Tensor]) -> list[tuple[str, torch.Tensor]]:
        if self.request.inputs is not None:
            return [(label, t) for t, label in self.request.inputs if _floating(t)]
        graph = walk(outputs)
        return [(label, t) for label, t, _ in self.tracked
                if id(t) in graph.leaf_ids and t.is_leaf and t.requires_grad and _floating(t)]

    def _vectors(self, outputs: list[torch.Tensor]) -> list[torch.Tensor]:
        gradients = self.request.gradients or [None] * len(outputs)
        result = []
        for output, gradient in zip(outputs, gradients, strict=False):
            if isinstance(gradient, torch.Tensor):
                result.append(gradient.detach().to(output.dtype).expand_as(output))
            elif isinstance(gradient, (int, float)):
                result.append(torch.full_like(output, float(gradient)))
            else:
                result.append(torch.ones_like(output))
        return result

    # Jacobians ------------------------------------------------------------------------------

    def _jacobian(self, outputs: list[torch.Tensor],
                  leaves: list[tuple[str, torch.Tensor]]) -> list[dict[str, Any]]:
        if not leaves:
            return []
        entries: list[dict[str, Any]] = []
        vectors = self._vectors(outputs)
        tensors = [t for _, t in leaves]
        for (output, out_label), v in zip(self.request.outputs, vectors, strict=False):
            if not (_floating(output) and output.requires_grad and output.grad_fn is not None):
                continue
            rows: list[list[torch.Tensor]] = [[] for _ in leaves]
            try:
                with torch.enable_grad():
                    flat = output.reshape(-1)
                    for i in range(flat.numel()):
                        grads = torch.autograd.grad(flat[i], tensors, retain_graph=True,
                                                    allow_unused=True)
                        for k, (g, t) in enumerate(zip(grads, tensors, strict=True)):
                            rows[k].append(torch.zeros(t.numel(), dtype=t.dtype,
                                                       device=t.device)
                                           if g is None else g.detach().reshape(-1))
            except RuntimeError:  # e.g. the graph was already freed: the call will say so
                return []
            flat_v = v.detach().reshape(-1)
            for k, (leaf_label, leaf) in enumerate(leaves):
                jac = torch.stack(rows[k]) if rows[k] else torch.zeros(
                    0, leaf.numel(), dtype=leaf.dtype, device=leaf.device)
                vjp = flat_v.to(jac.dtype) @ jac
                entries.append({"output": out_label, "leaf": leaf_label,
                                "jacobian": jac.cpu().tolist(), "v": flat_v.cpu().tolist(),
                                "vjp": vjp.cpu().tolist(), "_vjp": vjp})
        return entries

    # gradient flow --------------------------------------------------------------------------

    @contextmanager
    def _hooks(self, outputs: list[torch.Tensor]) -> Iterator[None]:
        graph = walk(outputs)
        named = self._node_names()
        leaf_labels = {id(t): label for label, t, _ in self.tracked}
        handles = []
        full = self.owner.full

        def hook_for(node: Any) -> Callable[[Any], None]:
            def hook(grad_outputs: Any) -> None:
                first = grad_outputs[0] if grad_outputs else None
                if isinstance(first, torch.Tensor):
                    self._shapes[id(node)] = list(first.shape)
                variable = getattr(node, "variable", None)
                name = named.get(id(node))
                if isinstance(variable, torch.Tensor):
                    name = leaf_labels.get(id(variable), name)
                if name is None or not isinstance(first, torch.Tensor):
                    return
                self._flow.append({"tensor": name, "node": type(node).__name__,
                                   "leaf": isinstance(variable, torch.Tensor),
                                   "shape": list(first.shape),
                                   "grad": to_value(first.detach().clone(), full=full)})
            return hook

        try:
            for node in graph.nodes:
                try:
                    handles.append(node.register_prehook(hook_for(node)))
                except (RuntimeError, AttributeError):
                    continue
            yield
        finally:
            for handle in handles:
                handle.remove()

    def _node_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for name, value in self.owner.names().items():
            if isinstance(value, torch.Tensor) and value.grad_fn is not None:
                names.setdefault(id(value.grad_fn), name)
        for tensor, label in self.request.outputs:
            if tensor.grad_fn is not None:
                names.setdefault(id(tensor.grad_fn), label)
        return names

    # after the call ---------------------------------------------------------------------------

    def _finish(self, call: CallRecord, small: list[tuple[str, torch.Tensor]],
                result: Any) -> None:
        added = self._added(small, result)
        if self._jacobians:
            totals: dict[str, torch.Tensor] = {}
            for entry in self._jacobians:
                vjp = entry["_vjp"]
                totals[entry["leaf"]] = totals.get(entry["leaf"], 0 * vjp) + vjp
            for entry in self._jacobians:
                vjp = entry.pop("_vjp")
                got = added.get(entry["leaf"])
                entry["grad_added"] = got.reshape(-1).cpu().tolist() if got is not None \
                    else None
                entry["equal"] = got is not None and _close(totals[entry["leaf"]],
                                                            got.reshape(-1))
            call.extras["jacobian"] = self._jacobians
        if self.owner.options.check_numeric:
            call.extras["numeric"] = self._numeric(small, added)
        if self.owner.options.flow:
            call.extras["flow"] = self._flow
            call.extras["tree"] = graph_tree(self.request.outputs, self._node_names(),
                                             {id(t): label for label, t, _ in self.tracked},
                                             self._shapes)

    def _added(self, small: list[tuple[str, torch.Tensor]],
               result: Any) -> dict[str, torch.Tensor]:
        added: dict[str, torch.Tensor] = {}
        if isinstance(result, tuple) and self.request.inputs is not None:
            for (tensor, label), grad in zip(self.request.inputs, result, strict=False):
                if isinstance(grad, torch.Tensor):
                    added[label] = grad.detach()
                elif any(lb == label for lb, _ in small):
                    added[label] = torch.zeros_like(tensor)
            return added
        for label, tensor in small:
            after, old = tensor.grad, self._before.get(label)
            if after is None:
                added[label] = torch.zeros_like(tensor)
            elif old is not None and old.shape == after.shape:
                added[label] = after.detach() - old
            else:
                added[label] = after.detach()
        return added

    # the numeric check ------------------------------------------------------------------------

    def _numeric(self, small: list[tuple[str, torch.Tensor]],
                 added: dict[str, torch.Tensor]) -> list[dict[str, Any]]:
        forward = self.owner.forward
        if forward is None:
            return [{"leaf": None, "numeric": None, "autograd": None, "max_diff": None,
                     "agrees": None, "note": "the numeric check needs the short form "
                     "(expression:); this scenario uses steps"}]
        env = self.owner.names()
        by_identity = {id(v): name for name, v in env.items() if isinstance(v, torch.Tensor)}
        outputs = [t for t, _ in self.request.outputs]
        v = self._vectors(outputs)[0].detach().to(torch.float64)
        base = {name: value.detach().to(torch.float64).clone()
                for name, value in env.items()
                if isinstance(value, torch.Tensor) and value.is_floating_point()}
        entries: list[dict[str, Any]] = []
        for label, leaf in small:
            name = by_identity.get(id(leaf))
            if name is None or name not in base:
                entries.append({"leaf": label, "numeric": None, "autograd": None,
                                "max_diff": None, "agrees": None,
                                "note": "this leaf has no name the expression can use"})
                continue
            numeric = _central_differences(forward, base, name, v)
            grad = added[label].detach().to(torch.float64).reshape(-1).cpu()
            diff = float((numeric - grad).abs().max()) if numeric.numel() else 0.0
            tolerance = 1e-3 * max(1.0, float(grad.abs().max()) if grad.numel() else 1.0)
            note = None
            if bool((leaf.detach() == 0).any()) and self._non_smooth():
                note = ("an element of this leaf is exactly 0, where relu/abs/max/clamp have "
                        "no derivative: finite differences average the two sides, autograd "
                        "picks one (PyTorch uses 0 for relu at 0)")
            entries.append({"leaf": label, "numeric": numeric.tolist(),
                            "autograd": grad.tolist(), "max_diff": diff,
                            "agrees": diff <= tolerance, "note": note})
        return entries

    def _non_smooth(self) -> bool:
        text = self.owner.expression or ""
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError:
            return any(word in text for word in NON_SMOOTH)
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else (
                node.id if isinstance(node, ast.Name) else None)
            if name in NON_SMOOTH:
                return True
        return False


def _central_differences(forward: Forward, base: dict[str, torch.Tensor], name: str,
                         v: torch.Tensor) -> torch.Tensor:
    leaf = base[name]
    flat = leaf.reshape(-1)
    result = torch.zeros(flat.numel(), dtype=torch.float64)
    with torch.no_grad():
        for j in range(flat.numel()):
            values = []
            for sign in (1.0, -1.0):
                moved = flat.clone()
                moved[j] += sign * EPS
                env = dict(base)
                env[name] = moved.reshape(leaf.shape)
                out = forward(env)
                values.append(float((v * out.detach().to(torch.float64)).sum()))
            result[j] = (values[0] - values[1]) / (2 * EPS)
    return result


# the backward graph as a tree -------------------------------------------------------------------

def graph_tree(outputs: list[tuple[torch.Tensor, str]], names: dict[int, str],
               leaves: dict[int, str], shapes: dict[int, list[int]]) -> dict[str, Any]:
    """{"lines": [...], "folded": [...]}: each output's graph, depth-first, deterministic."""
    lines: list[str] = []
    folded: list[str] = []
    seen: dict[int, str] = {}

    def describe(node: Any) -> str:
        kind = type(node).__name__
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            label = leaves.get(id(variable), "(unnamed leaf)")
            return f"{label} = {kind} {_shape(list(variable.shape))}"
        name = names.get(id(node))
        shape = shapes.get(id(node))
        text = f"{name} = {kind}" if name else kind
        return f"{text} {_shape(shape)}" if shape is not None else text

    def children(node: Any) -> list[Any]:
        return [child for child, _ in node.next_functions if child is not None]

    for output, label in outputs:
        if output.grad_fn is None:
            lines.append(f"{label}: a leaf, no backward graph")
            continue
        stack: list[tuple[Any, int, str]] = [(output.grad_fn, 0, "")]
        while stack:
            node, depth, prefix = stack.pop()
            indent = "  " * depth
            if id(node) in seen:
                lines.append(f"{indent}{prefix}{seen[id(node)]} (shared, shown above)")
                continue
            if depth >= TREE_DEPTH:
                hidden = len(walk([], [node]).nodes)
                lines.append(f"{indent}{prefix}... {hidden} more node(s) below")
                folded.append(f"depth limit {TREE_DEPTH}: {hidden} node(s) not shown")
                continue
            chain = _fold(node, names, leaves, seen)
            if chain is not None:
                pattern, count, last, side = chain
                text = " -> ".join(pattern)
                extra = f", each also into {', '.join(sorted(set(side)))}" if side else ""
                lines.append(f"{indent}{prefix}[{text}] x {count} (folded{extra})")
                folded.append(f"{count} repetitions of [{text}] folded into one line")
                node = last
                following = [c for c in children(node) if _spine(c)]
            else:
                seen[id(node)] = describe(node)
                lines.append(f"{indent}{prefix}{seen[id(node)]}")
                following = children(node)
            shown = following[:TREE_WIDTH]
            if len(following) > TREE_WIDTH:
                rest = len(following) - TREE_WIDTH
                lines.append(f"{indent}  ... {rest} more input(s) not shown")
                folded.append(f"width limit {TREE_WIDTH}: {rest} input(s) not shown")
            for child in reversed(shown):
                stack.append((child, depth + 1, "<- "))
    return {"lines": lines, "folded": folded}


def _spine(node: Any) -> bool:
    return not isinstance(getattr(node, "variable", None), torch.Tensor)


def _fold(node: Any, names: dict[int, str], leaves: dict[int, str],
          seen: dict[int, str]) -> tuple[list[str], int, Any, list[str]] | None:
    """A linear run of unnamed nodes repeating a pattern of types, at least FOLD_AT times."""

    def step(current: Any) -> Any:
        spine = [c for c, _ in current.next_functions if c is not None and _spine(c)]
        nxt = spine[0] if len(spine) == 1 else None
        if nxt is None or id(nxt) in seen or id(nxt) in names:
            return None
        return nxt

    if id(node) in names or id(node) in seen:
        return None
    run: list[Any] = [node]
    while len(run) < MAX_PERIOD * FOLD_AT:
        nxt = step(run[-1])
        if nxt is None:
            break
        run.append(nxt)
    types = [type(n).__name__ for n in run]
    for period in range(1, MAX_PERIOD + 1):
        if types[period * (FOLD_AT - 1):period * FOLD_AT] != types[:period] or \
                len(types) < period * FOLD_AT or \
                any(types[i] != types[i % period] for i in range(period * FOLD_AT)):
            continue
        pattern = types[:period]
        # extend the run while the pattern goes on, a whole pattern at a time
        run = run[:period * FOLD_AT]
        while True:
            extra: list[Any] = []
            current = run[-1]
            for kind in pattern:
                current = step(current)
                if current is None or type(current).__name__ != kind:
                    break
                extra.append(current)
            if len(extra) != period:
                break
            run += extra
        side: list[str] = []
        for n in run:
            seen[id(n)] = f"[{' -> '.join(pattern)}] (folded)"
            for c, _ in n.next_functions:
                variable = getattr(c, "variable", None) if c is not None else None
                if isinstance(variable, torch.Tensor):
                    side.append(leaves.get(id(variable), "(unnamed leaf)"))
        return pattern, len(run) // period, run[-1], side
    return None


def _shape(shape: list[int] | None) -> str:
    return "(" + ", ".join(str(s) for s in shape or []) + ")" if shape is not None else ""


def _floating(tensor: torch.Tensor) -> bool:
    return tensor.is_floating_point()


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape:
        return False
    loose = a.dtype in (torch.float16, torch.bfloat16)
    return bool(torch.allclose(a.to(torch.float64), b.to(torch.float64),
                               rtol=1e-2 if loose else 1e-5, atol=1e-2 if loose else 1e-6))


@contextmanager
def _restored_grads(tracked: Tracked) -> Iterator[None]:
    """autograd.grad fills the .grad of tensors with retain_grad(): put every .grad back."""
    saved = [(t, t.grad, t.grad.detach().clone() if t.grad is not None else None)
             for _, t, _ in tracked]
    try:
        yield
    finally:
        for tensor, grad, copy in saved:
            if grad is None:
                if tensor.grad is not None:
                    tensor.grad = None
            elif tensor.grad is grad and copy is not None:
                with torch.no_grad():
                    grad.copy_(copy)
            else:
                tensor.grad = copy


@contextmanager
def _nothing() -> Iterator[None]:
    yield


class Silent:
    """Hooks that hear nothing: the numeric check's interpreter must not reach the recorder."""

    def backward(self, request: BackwardRequest) -> Any:
        raise RuntimeError("no backward calls in the numeric check")

    def printed(self, context: StatementContext, text: str) -> None:
        return None

    def shown(self, context: StatementContext, expression: str, value: Any) -> None:
        return None

    def read_grad(self, context: StatementContext, tensor: torch.Tensor, label: str) -> None:
        return None

    def new_tensor(self, tensor: torch.Tensor, label: str) -> None:
        return None

    def assigned(self, name: str, value: Any) -> None:
        return None

    def retained(self, tensor: torch.Tensor, label: str) -> None:
        return None

    def broadcast(self, context: StatementContext, tensor: torch.Tensor, label: str,
                  result_shape: list[int], operation: str) -> None:
        return None
