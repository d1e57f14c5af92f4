"""--why (issue 26): every formula of the local-derivative table against PyTorch itself.

Hypothesis builds expressions around each node kind of the table (elementwise operations
before and after it, random values, shapes, grad_tensors weights and dtypes), and the
derivation of a random element of a leaf must equal what autograd gave it. The derivation
reads only the graph (saved tensors, the table's formulas); autograd is the oracle.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradexplain.engine.derivation import Derivation, names_of, watch
from gradexplain.engine.derivation_rules import RULES
from gradexplain.engine.graphwalk import walk


def _pos(t: torch.Tensor) -> torch.Tensor:  # a positive tensor of t's shape
    return t.abs() + 0.5


Example = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

# One expression per node kind of the table that makes that node (checked below).
EXAMPLES: dict[str, Example] = {
    "NegBackward0": lambda x, w: -x,
    "ExpBackward0": lambda x, w: x.exp(),
    "Exp2Backward0": lambda x, w: x.exp2(),
    "Expm1Backward0": lambda x, w: x.expm1(),
    "LogBackward0": lambda x, w: _pos(x).log(),
    "Log2Backward0": lambda x, w: _pos(x).log2(),
    "Log10Backward0": lambda x, w: _pos(x).log10(),
    "Log1PBackward0": lambda x, w: _pos(x).log1p(),
    "SinBackward0": lambda x, w: x.sin(),
    "CosBackward0": lambda x, w: x.cos(),
    "TanBackward0": lambda x, w: (x * 0.5).tan(),
    "TanhBackward0": lambda x, w: x.tanh(),
    "SigmoidBackward0": lambda x, w: x.sigmoid(),
    "ReluBackward0": lambda x, w: x.relu(),
    "SqrtBackward0": lambda x, w: _pos(x).sqrt(),
    "RsqrtBackward0": lambda x, w: _pos(x).rsqrt(),
    "AbsBackward0": lambda x, w: x.abs(),
    "ReciprocalBackward0": lambda x, w: _pos(x).reciprocal(),
    "AsinBackward0": lambda x, w: (x.tanh() * 0.9).asin(),
    "AcosBackward0": lambda x, w: (x.tanh() * 0.9).acos(),
    "AtanBackward0": lambda x, w: x.atan(),
    "SinhBackward0": lambda x, w: x.sinh(),
    "CoshBackward0": lambda x, w: x.cosh(),
    "ErfBackward0": lambda x, w: x.erf(),
    "PowBackward0": lambda x, w: x ** 3 + _pos(w) ** 0.5,
    "SoftplusBackward0": lambda x, w: F.softplus(x, beta=2.0),
    "GeluBackward0": lambda x, w: F.gelu(x),
    "SiluBackward0": lambda x, w: F.silu(x),
    "EluBackward0": lambda x, w: F.elu(x, alpha=0.7),
    "LeakyReluBackward0": lambda x, w: F.leaky_relu(x, 0.1),
    "HardtanhBackward0": lambda x, w: F.hardtanh(x * 2),
    "ClampBackward1": lambda x, w: x.clamp(-0.5, 0.5) + w.clamp(min=0.1),
    "ClampMinBackward0": lambda x, w: x.clamp_min(0.1),
    "ClampMaxBackward0": lambda x, w: x.clamp_max(0.1),
    "SignBackward0": lambda x, w: x.sign() + x,
    "FloorBackward0": lambda x, w: x.floor() + x,
    "CeilBackward0": lambda x, w: x.ceil() + x,
    "RoundBackward0": lambda x, w: x.round() + x,
    "TruncBackward0": lambda x, w: x.trunc() + x,
    "FracBackward0": lambda x, w: x.frac(),
    "AddBackward0": lambda x, w: torch.add(x, w, alpha=2) + 2,
    "SubBackward0": lambda x, w: torch.sub(x, w, alpha=3) - 1,
    "RsubBackward0": lambda x, w: torch.rsub(x, w, alpha=2),
    "RsubBackward1": lambda x, w: 2 - x,
    "MulBackward0": lambda x, w: x * w * 3,
    "DivBackward0": lambda x, w: x / _pos(w) / 3,
    "PowBackward1": lambda x, w: _pos(x) ** w,
    "PowBackward2": lambda x, w: 2 ** x,
    "MaximumBackward0": torch.maximum,
    "MinimumBackward0": torch.minimum,
    "WhereBackward0": lambda x, w: torch.where(x > 0, x, w),
    "Atan2Backward0": torch.atan2,
    "HypotBackward0": torch.hypot,
    "LerpBackward0": lambda x, w: torch.lerp(x, w, 0.3),
    "LerpBackward1": lambda x, w: torch.lerp(x, w, w.sigmoid()),
    "AddcmulBackward0": lambda x, w: torch.addcmul(x, x, w, value=2),
    "AddcdivBackward0": lambda x, w: torch.addcdiv(x, x, _pos(w), value=0.5),
    "MaskedFillBackward0": lambda x, w: x.masked_fill(w > 0, 0.0),
    "SumBackward0": lambda x, w: x.sum(),
    "SumBackward1": lambda x, w: x.sum(1) + x.sum(0, keepdim=True).sum(),
    "MeanBackward0": lambda x, w: x.mean(),
    "MeanBackward1": lambda x, w: x.mean(1),
    "ProdBackward0": lambda x, w: x.prod(),
    "ProdBackward1": lambda x, w: x.prod(1),
    "AmaxBackward0": lambda x, w: x.amax(1),
    "AminBackward0": lambda x, w: x.amin(0),
    "MaxBackward1": lambda x, w: x.max(),
    "MinBackward1": lambda x, w: x.min(),
    "MaxBackward0": lambda x, w: x.max(1)[0],
    "MinBackward0": lambda x, w: x.min(0)[0],
    "LinalgVectorNormBackward0": lambda x, w: x.norm() + torch.linalg.vector_norm(w, dim=1).sum(),
    "StdBackward0": lambda x, w: x.std() + w.std(1).sum(),
    "VarBackward0": lambda x, w: x.var(1, correction=0),
    "LogsumexpBackward0": lambda x, w: x.logsumexp(1),
    "SoftmaxBackward0": lambda x, w: x.softmax(1),
    "LogSoftmaxBackward0": lambda x, w: x.log_softmax(0),
    "CumsumBackward0": lambda x, w: x.cumsum(1),
    "CumprodBackward0": lambda x, w: x.cumprod(1),
    "MmBackward0": lambda x, w: torch.mm(x, w.t()),
    "MvBackward0": lambda x, w: torch.mv(x, w[0]),
    "DotBackward0": lambda x, w: torch.dot(x[0], w[1]),
    "BmmBackward0": lambda x, w: torch.bmm(x.unsqueeze(0), w.t().unsqueeze(0)),
    "AddmmBackward0": lambda x, w: torch.addmm(w[0, :2], x, w.t(), beta=0.5, alpha=2),
    "AddmvBackward0": lambda x, w: torch.addmv(w[:, 0], x, w[0], beta=2, alpha=0.5),
    "BaddbmmBackward0": lambda x, w: torch.baddbmm(w[:, :2].unsqueeze(0), x.unsqueeze(0),
                                                   w.t().unsqueeze(0), beta=0.5, alpha=3),
    "MseLossBackward0": lambda x, w: F.mse_loss(x, w) +
    F.mse_loss(x, w, reduction="none").sum(),
    "BinaryCrossEntropyBackward0": lambda x, w: F.binary_cross_entropy(
        x.sigmoid(), w.sigmoid().detach()),
    "BinaryCrossEntropyWithLogitsBackward0": lambda x, w: F.binary_cross_entropy_with_logits(
        x, w.sigmoid(), reduction="sum"),
    "SmoothL1LossBackward0": lambda x, w: F.smooth_l1_loss(x, w, beta=0.5),
    "HuberLossBackward0": lambda x, w: F.huber_loss(x, w, delta=0.7),
    "NllLossBackward0": lambda x, w: F.cross_entropy(x, torch.tensor([0, 2])) + F.nll_loss(
        w.log_softmax(1), torch.tensor([1, 0]), reduction="none").sum(),
    "ViewBackward0": lambda x, w: x.view(3, 2),
    "UnsafeViewBackward0": lambda x, w: x.t().reshape(6),
    "CloneBackward0": lambda x, w: x.clone(),
    "ToCopyBackward0": lambda x, w: x.to(torch.float32 if x.dtype == torch.float64
                                         else torch.float64),
    "SqueezeBackward0": lambda x, w: x.unsqueeze(0).squeeze(),
    "SqueezeBackward1": lambda x, w: x.unsqueeze(0).squeeze(0),
    "SqueezeBackward2": lambda x, w: x.unsqueeze(0).squeeze((0,)),
    "UnsqueezeBackward0": lambda x, w: x.unsqueeze(1),
    "TBackward0": lambda x, w: x.t(),
    "TransposeBackward0": lambda x, w: x.transpose(0, 1),
    "TransposeBackward1": lambda x, w: (x * 1).transpose_(0, 1),
    "PermuteBackward0": lambda x, w: x.permute(1, 0),
    "ExpandBackward0": lambda x, w: x[0].expand(2, 3),
    "SliceBackward0": lambda x, w: x[:, 1:],
    "SelectBackward0": lambda x, w: x[1],
    "IndexBackward0": lambda x, w: x[[0, 0, 1]],
    "FlipBackward0": lambda x, w: x.flip(0),
    "RepeatBackward0": lambda x, w: x.repeat(2, 1),
    "RollBackward0": lambda x, w: x.roll(1, 1),
    "SplitBackward0": lambda x, w: x.split(1)[1],
    "SplitWithSizesBackward0": lambda x, w: x.split([1, 2], 1)[1],
    "UnbindBackward0": lambda x, w: x.unbind(0)[1],
    "DiagonalBackward0": lambda x, w: x.diagonal(),
    "GatherBackward0": lambda x, w: x.gather(1, torch.tensor([[0, 2], [1, 1]])),
    "TrilBackward0": lambda x, w: x.tril(),
    "TriuBackward0": lambda x, w: x.triu(),
    "ConstantPadNdBackward0": lambda x, w: F.pad(x, (1, 1)),
    "MaskedSelectBackward0": lambda x, w: x.masked_select(w > 0),
    "TakeBackward0": lambda x, w: x.take(torch.tensor([0, 4, 4])),
    "CatBackward0": lambda x, w: torch.cat([x, w]),
    "StackBackward0": lambda x, w: torch.stack([x, w], 1),
}

# Shape-keeping operations put before and after the kind under test.
AROUND: list[Example] = [
    lambda h, w: h.sin(), lambda h, w: h * w, lambda h, w: h + w * 0.5,
    lambda h, w: h.tanh() * 2, lambda h, w: (h * 0.3).exp(), lambda h, w: h * h,
    lambda h, w: h / _pos(w), lambda h, w: h.sigmoid(),
]

VALUES = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False,
                   width=32).filter(lambda v: abs(v) > 1e-3)


def test_every_kind_of_the_table_has_an_example_that_makes_it() -> None:
    assert set(EXAMPLES) == set(RULES)
    assert len(RULES) >= 50
    x = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    w = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    for kind, example in EXAMPLES.items():
        made = {type(n).__name__ for n in walk([example(x, w)]).nodes}
        assert kind in made, (kind, sorted(made))


def derive(out: torch.Tensor, leaf: torch.Tensor, index: list[int],
           v: torch.Tensor | None, env: dict[str, torch.Tensor]) -> dict[str, object]:
    """Derive `leaf[index]` for `out.backward(v)`, run the call, return the entry."""
    asked = "leaf[" + ", ".join(str(i) for i in index) + "]"
    found = watch(asked, [(out, "out")], None if v is None else [v], env,
                  [("leaf", leaf)], None)
    assert found is not None
    out.backward(v)
    return dict(found.finish(None))


@pytest.mark.parametrize("kind", sorted(RULES))
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_derivation_equals_autograd_around_every_kind(kind: str, data: st.DataObject
                                                          ) -> None:
    dtype = data.draw(st.sampled_from([torch.float64, torch.float32]), label="dtype")
    x = torch.tensor(data.draw(st.lists(VALUES, min_size=6, max_size=6)), dtype=dtype
                     ).reshape(2, 3).requires_grad_()
    w = torch.tensor(data.draw(st.lists(VALUES, min_size=6, max_size=6)), dtype=dtype
                     ).reshape(2, 3).requires_grad_()
    before = data.draw(st.lists(st.sampled_from(range(len(AROUND))), max_size=2))
    after = data.draw(st.lists(st.sampled_from(range(len(AROUND))), max_size=2))
    h = x
    for i in before:
        h = AROUND[i](h, w)
    out = EXAMPLES[kind](h, w)
    for i in after:
        if out.shape == w.shape:
            out = AROUND[i](out, w)
    assume(out.is_floating_point() and bool(torch.isfinite(out).all()))
    v = None
    if out.numel() > 1 or data.draw(st.booleans(), label="weighted"):
        v = torch.tensor(data.draw(st.lists(VALUES, min_size=out.numel(),
                                            max_size=out.numel())),
                         dtype=out.dtype).reshape(out.shape)
    leaf = data.draw(st.sampled_from([x, w]), label="leaf")
    index = [data.draw(st.integers(0, 1)), data.draw(st.integers(0, 2))]
    asked = "leaf[" + ", ".join(str(i) for i in index) + "]"
    found = watch(asked, [(out, "out")], None if v is None else [v], {"w": w, "x": x},
                  [("leaf", leaf)], None)
    assume(found is not None)  # the call does not reach this leaf
    assert found is not None
    out.backward(v)
    assume(leaf.grad is not None and bool(torch.isfinite(leaf.grad).all()))
    entry = found.finish(None)
    assert entry["status"] == "derived", entry
    assert entry["agrees"], (kind, entry["total"], entry["autograd"])


def test_a_statement_formula_adds_up_to_its_value() -> None:
    """The text and the number of a step come from the same formula: the step's terms,
    evaluated, give the step's value (every kind, with grad_tensors weights)."""
    x = torch.tensor([[0.7, -1.3, 0.4], [1.1, 0.2, -0.6]], dtype=torch.float64,
                     requires_grad=True)
    w = torch.tensor([[0.3, 0.9, -1.2], [-0.4, 1.6, 0.8]], dtype=torch.float64,
                     requires_grad=True)
    checked = 0
    for kind, example in sorted(EXAMPLES.items()):
        out = example(x, w)
        v = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
        graph = walk([out])
        found = watch("x[1, 2]", [(out, "out")], [v], {"x": x, "w": w}, [("x", x)], None,
                      graph)
        if found is None or found.target is None:
            continue
        target = found.target
        found.finish(None)  # lets go of its hook, if any
        derivation = Derivation([(out, "out")], [v], target, names_of({"x": x, "w": w}))
        entry = derivation.run(graph)
        steps = {id(s): s for p in entry.get("paths", []) for s in p["steps"]}
        for key, terms in derivation._terms.items():  # the terms behind each written formula
            total = sum(t.value for t in terms)
            assert math.isclose(total, steps[key]["value"], rel_tol=1e-9, abs_tol=1e-12), \
                (kind, steps[key])
            checked += 1
    assert checked > 60
