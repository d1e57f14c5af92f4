"""Deeper views of one backward call: Jacobians, numeric checks, gradient flow, the graph tree.

The recorder asks `DeeperViews.start` for a `CallViews` before each call and lets it wrap the
real PyTorch call (`CallViews.perform`); everything found goes into `CallRecord.views`
as plain, typed data (record.CallViews: jacobian, numeric, flow and tree).

- Jacobians are taken BEFORE the call, while the graph is alive, one output element at a
  time with torch.autograd.grad(retain_graph=True); every .grad it could touch is restored.
- The numeric check (engine/numeric) re-evaluates the short form's expression in float64
  with perturbed copies of the leaves, on a silent interpreter.
- Gradient flow comes from pre-hooks on the graph's nodes during the call (removed after);
  the tree (engine/graphtree) reads each node's saved tensors before and after the call.
- --why NAME (engine/derivation) writes the chain rule out before the call, from the graph's
  saved tensors, and checks it against what the call gave NAME's element.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch
from torch.autograd.graph import Node
from torch.utils.hooks import RemovableHandle

from gradexplain.engine.derivation import DERIVED_CALLS, Watch, watch
from gradexplain.engine.graphtree import (
    SavedTensors,
    TreeContext,
    graph_tree,
    node_names,
    tensor_names,
)
from gradexplain.engine.graphwalk import walk
from gradexplain.engine.numeric import Forward, Silent, grad_vectors, numeric_check
from gradexplain.engine.numeric_replay import NumericReplay
from gradexplain.engine.values import grad_added, to_value
from gradexplain.language.budget import Budget
from gradexplain.language.checker import Program
from gradexplain.language.evaluator import BackwardRequest, Interpreter
from gradexplain.limits import Limits
from gradexplain.options import ViewOptions
from gradexplain.record import CallRecord, FlowEntry, JacobianEntry, NumericEntry, WhyEntry

Tracked = Sequence[tuple[str, torch.Tensor, object]]  # the recorder's live(): label, tensor, entry
Grads = Sequence[torch.Tensor | None]  # the gradients a node's pre-hook is given
T = TypeVar("T")


@dataclass
class DeeperViews:
    """Owned by the recorder; `names` gives the interpreter's env (name -> value)."""

    options: ViewOptions
    names: Callable[[], dict[str, object]] = dict
    forward: Forward | None = None  # the short form's expression, when there is one
    expression: str | None = None
    full: bool = False
    replay: NumericReplay | None = None  # the numeric check for code (no expression)
    derived: dict[tuple[Any, ...], int] = field(default_factory=dict)  # --why: per statement

    def start(self, request: BackwardRequest, tracked: Tracked) -> CallViews:
        return CallViews(self, request, tracked)

    def short_form(self, program: Program, text: str, limits: Limits, budget: Budget) -> None:
        """Enable the numeric check: the expression, re-evaluated on a silent interpreter
        (under the run's budget)."""
        self.expression = text

        def forward(env: dict[str, torch.Tensor]) -> Any:
            interpreter = Interpreter(limits, Silent(), budget)
            interpreter.env.update(self.names())
            interpreter.env.update(env)
            return interpreter.evaluate(program)

        self.forward = forward


@dataclass
class CallViews:
    owner: DeeperViews
    request: BackwardRequest
    tracked: Tracked
    _jacobians: list[tuple[dict[str, Any], torch.Tensor]] = field(default_factory=list)
    _targets: list[tuple[str, torch.Tensor]] = field(default_factory=list)
    _before: dict[str, torch.Tensor | None] = field(default_factory=dict)
    _flow: list[FlowEntry] = field(default_factory=list)
    _shapes: dict[int, list[int]] = field(default_factory=dict)
    _nodes: list[Node] = field(default_factory=list)
    _meta: bool = False

    def perform(self, call: CallRecord, action: Callable[[], T]) -> T:
        """Run the call (`action`), with the views taken before, during and after it."""
        options = self.owner.options
        outputs = [t for t, _ in self.request.outputs]
        self._targets = self._target_leaves(outputs)
        limit = options.jacobian_limit
        small = [(label, t) for label, t in self._targets if t.numel() <= limit]
        self._before = {label: t.grad.detach().clone() if t.grad is not None else None
                        for label, t in small}
        # Meta tensors have shapes but no values: no Jacobian or numeric check to compute.
        self._meta = any(t.is_meta for t in outputs) or any(t.is_meta for _, t in small)
        if options.jacobian and not self._meta and all(o.numel() <= limit for o in outputs):
            with _restored_grads(self.tracked):
                self._jacobians = self._jacobian(outputs, small)
        tree = self._tree_context(outputs) if options.graph else None
        watches = self._why(outputs) if options.why else []
        try:
            with self._hooks(tree) if tree is not None else _nothing():
                result = action()
        except (RuntimeError, ValueError, TypeError):
            for watch in watches:
                watch.finish(None)  # lets go of its hook; a failed call changes no .grad
            if tree is not None:  # the tree shows why, e.g. saved tensors already freed
                self._finish_tree(call, tree)
            raise
        self._finish(call, small, result, tree)
        if watches:
            results = list(zip([t for t, _ in self.request.inputs or []], result,
                               strict=False)) if isinstance(result, tuple) else None
            call.views.why = [watch.finish(results) for watch in watches]
        return result

    def _why(self, outputs: list[torch.Tensor]) -> list[Watch]:
        """--why: each target derived for this call (a statement's first calls only)."""
        context = self.request.context
        key = (context.step, context.line, context.statement)
        count = self.owner.derived[key] = self.owner.derived.get(key, 0) + 1
        asked = self.owner.options.why
        if count > DERIVED_CALLS:  # said once, under the first call not derived
            return [Watch(WhyEntry(target=target, status="later_call",
                                   facts={"calls": DERIVED_CALLS}))
                    for target in asked] if count == DERIVED_CALLS + 1 else []
        graph = walk(outputs)
        tracked = [(label, t) for label, t, _ in self.tracked]
        found: list[Watch] = []
        for target in asked:
            try:
                made = watch(target, self.request.outputs, self.request.gradients,
                             self.owner.names(), tracked, self.request.inputs, graph)
            except RuntimeError:  # saved tensors already freed or changed: the call will say
                continue
            if made is not None:
                found.append(made)
        return found

    # targets --------------------------------------------------------------------------------

    def _target_leaves(self, outputs: list[torch.Tensor]) -> list[tuple[str, torch.Tensor]]:
        if self.request.inputs is not None:
            return [(label, t) for t, label in self.request.inputs if _floating(t)]
        graph = walk(outputs)
        return [(label, t) for label, t, _ in self.tracked
                if id(t) in graph.leaf_ids and t.is_leaf and t.requires_grad and _floating(t)]

    def _vectors(self, outputs: list[torch.Tensor]) -> list[torch.Tensor]:
        return grad_vectors(self.request, outputs)

    # Jacobians ------------------------------------------------------------------------------

    def _jacobian(self, outputs: list[torch.Tensor],
                  leaves: list[tuple[str, torch.Tensor]],
                  ) -> list[tuple[dict[str, Any], torch.Tensor]]:
        """(entry, v^T J) per output and leaf; `_finish` completes each entry."""
        if not leaves:
            return []
        entries: list[tuple[dict[str, Any], torch.Tensor]] = []
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
                entries.append(({"output": out_label, "leaf": leaf_label,
                                 "jacobian": jac.cpu().tolist(), "v": flat_v.cpu().tolist(),
                                 "vjp": vjp.cpu().tolist()}, vjp))
        return entries

    # gradient flow --------------------------------------------------------------------------

    def _tree_context(self, outputs: list[torch.Tensor]) -> TreeContext:
        """Names for the graph's nodes and leaves, and its saved tensors before the call."""
        self._nodes = walk(outputs).nodes
        env = self.owner.names()
        names = node_names(env.items(), self.request.outputs)
        leaves = {id(t): label for label, t, _ in self.tracked}
        return TreeContext(names, leaves, self._shapes,
                           SavedTensors.before(self._nodes, names,
                                               tensor_names(leaves, env.items())))

    @contextmanager
    def _hooks(self, tree: TreeContext) -> Iterator[None]:
        named, leaf_labels = tree.names, tree.leaves
        handles: list[RemovableHandle] = []
        full = self.owner.full

        def hook_for(node: Node) -> Callable[[Grads], None]:
            def hook(grad_outputs: Grads) -> None:
                first = grad_outputs[0] if grad_outputs else None
                if isinstance(first, torch.Tensor):
                    self._shapes[id(node)] = list(first.shape)
                variable = getattr(node, "variable", None)
                name = named.get(id(node))
                if isinstance(variable, torch.Tensor):
                    name = leaf_labels.get(id(variable), name)
                if name is None or not isinstance(first, torch.Tensor):
                    return
                self._flow.append(FlowEntry(
                    tensor=name, node=type(node).__name__,
                    leaf=isinstance(variable, torch.Tensor), shape=list(first.shape),
                    grad=to_value(first.detach().clone(), full=full)))
            return hook

        try:
            for node in self._nodes:
                try:
                    handles.append(node.register_prehook(hook_for(node)))
                except (RuntimeError, AttributeError):
                    continue
            yield
        finally:
            for handle in handles:
                handle.remove()

    # after the call ---------------------------------------------------------------------------

    def _finish(self, call: CallRecord, small: list[tuple[str, torch.Tensor]],
                result: object, tree: TreeContext | None) -> None:
        if self._meta:
            self._finish_meta(call)
            if tree is not None:
                self._finish_tree(call, tree)
            return
        added = self._added(small, result)
        if self._jacobians:
            totals: dict[str, torch.Tensor] = {}
            for entry, vjp in self._jacobians:
                totals[entry["leaf"]] = totals.get(entry["leaf"], 0 * vjp) + vjp
            finished: list[JacobianEntry] = []
            for entry, _ in self._jacobians:
                got = added.get(entry["leaf"])
                finished.append(JacobianEntry(
                    output=entry["output"], leaf=entry["leaf"], jacobian=entry["jacobian"],
                    v=entry["v"], vjp=entry["vjp"],
                    grad_added=got.reshape(-1).cpu().tolist() if got is not None else None,
                    equal=got is not None and _close(totals[entry["leaf"]], got.reshape(-1))))
            call.views.jacobian = finished
        if self.owner.options.check_numeric and self.owner.forward is None and \
                self.owner.replay is not None:
            call.views.numeric = self.owner.replay.check(
                call.index, self.request, small, added,
                [(label, t.numel()) for label, t in self._targets
                 if t.numel() > self.owner.options.jacobian_limit],
                self.owner.options.jacobian_limit)
        elif self.owner.options.check_numeric:
            outputs = [t for t, _ in self.request.outputs]
            call.views.numeric = numeric_check(
                self.owner.forward, self.owner.expression, self.owner.names(), small, added,
                self._vectors(outputs)[0])
        if tree is not None:
            self._finish_tree(call, tree)

    def _finish_meta(self, call: CallRecord) -> None:
        """Say why there are no numbers, in place of them."""
        options = self.owner.options
        if options.jacobian:
            leaves = [label for label, _ in self._targets] or [""]
            call.views.jacobian = [JacobianEntry(
                output=output, leaf=leaf, jacobian=[], v=[], vjp=[], grad_added=None,
                equal=False, reason="meta")
                for _, output in self.request.outputs for leaf in leaves]
        if options.check_numeric:
            call.views.numeric = [NumericEntry(leaf=None, numeric=None, autograd=None,
                                               max_diff=None, agrees=None, reason="meta")]

    def _finish_tree(self, call: CallRecord, tree: TreeContext) -> None:
        if tree.saved is not None:
            tree.saved.check_after()
        call.views.flow = self._flow
        call.views.tree = graph_tree(self.request.outputs, tree)
        self._nodes = []  # the record must not keep the graph alive

    def _added(self, small: list[tuple[str, torch.Tensor]],
               result: object) -> dict[str, torch.Tensor]:
        added: dict[str, torch.Tensor] = {}
        if isinstance(result, tuple) and self.request.inputs is not None:
            for (tensor, label), grad in zip(self.request.inputs, result, strict=False):
                if isinstance(grad, torch.Tensor):
                    added[label] = grad.detach()
                elif any(lb == label for lb, _ in small):
                    added[label] = torch.zeros_like(tensor)
            return added
        for label, tensor in small:
            grad = grad_added(self._before.get(label), tensor.grad)
            added[label] = torch.zeros_like(tensor) if grad is None else grad
        return added


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
    """autograd.grad fills the .grad of tensors with retain_grad(): put every .grad back.
    A grad left alone is not touched: the recorder reads a grad at a new version as one the
    call wrote into, so a needless copy_ would make an unreached leaf look reached."""
    saved = [(t, t.grad, t.grad._version if t.grad is not None else 0,
              t.grad.detach().clone() if t.grad is not None else None)
             for _, t, _ in tracked]
    try:
        yield
    finally:
        for tensor, grad, version, copy in saved:
            if grad is None:
                if tensor.grad is not None:
                    tensor.grad = None
            elif tensor.grad is grad and grad._version == version:
                continue
            elif tensor.grad is grad and copy is not None:
                with torch.no_grad():
                    grad.copy_(copy)
            else:
                tensor.grad = copy


@contextmanager
def _nothing() -> Iterator[None]:
    yield
