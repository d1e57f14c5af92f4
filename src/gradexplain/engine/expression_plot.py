"""`gradexplain plot EXPR`, the torch side: an expression of x and its gradient over a range.

x = torch.linspace(a, b, steps, requires_grad=True); y = EXPR (the statement language,
checked and interpreted like any scenario's code); y.backward(torch.ones_like(y)). The
result is plain data (record.ExpressionPlot) for the renderers to draw.
"""

from __future__ import annotations

import math

import torch

from gradexplain.engine.recorder import Recorder
from gradexplain.errors import GradexplainError, invalid
from gradexplain.language.budget import Budget
from gradexplain.language.checker import parse_expression
from gradexplain.language.evaluator import Interpreter
from gradexplain.limits import Limits, check
from gradexplain.record import ExpressionPlot
from gradexplain.scenario.model import Code


def compute(expression: str, start: float, stop: float, steps: int,
            limits: Limits | None = None, budget: Budget | None = None) -> ExpressionPlot:
    """Evaluate `expression` on x over [start, stop] and backpropagate ones through it
    (under `budget`, a worker's)."""
    limits = limits or Limits()
    if steps < 2:
        raise invalid(f"--steps must be at least 2 (got {steps})")
    if not (math.isfinite(start) and math.isfinite(stop)) or start >= stop:
        raise invalid(f"--range needs two finite numbers, the first below the second "
                      f"(got {start} {stop})")
    check("max_elements", steps, limits)
    program = parse_expression(Code(expression, None, 1), limits)
    recorder = Recorder()
    interpreter = Interpreter(limits, recorder, budget)
    x = torch.linspace(start, stop, steps, requires_grad=True)
    interpreter.env["x"] = x
    recorder.assigned("x", x)
    y = interpreter.evaluate(program)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        shape = list(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise invalid(f"the expression must give one value per x: a tensor of shape "
                      f"[{steps}], like x (got {shape})",
                      hint="use elementwise operations of x, e.g. `torch.tanh(x) * x`")
    if not y.requires_grad:
        raise invalid("the expression does not depend on x, so it has no gradient to plot",
                      hint="use x in the expression, e.g. `x ** 2`")
    try:
        torch.autograd.backward(y, torch.ones_like(y))
    except RuntimeError as exc:
        raise GradexplainError("invalid_scenario", f"backward failed: {exc}") from exc
    grad = x.grad if x.grad is not None else torch.zeros_like(x)
    return ExpressionPlot(expression, [float(v) for v in x.detach().tolist()],
                    [float(v) for v in y.detach().double().tolist()],
                    [float(v) for v in grad.double().tolist()])
