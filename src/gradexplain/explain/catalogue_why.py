"""The words around `--why`'s derivations, en and zh (the formulas themselves are the same in
every language and come from the engine). Looked up with `label()`; `str.format` fields."""

from __future__ import annotations

LABELS_EN: dict[str, str] = {
    "why.heading.grad": "Why {what} gets {value} from this call (the chain rule, with your "
                        "numbers)",
    "why.heading.view": "Why the leaf behind {name} gets {value} at {index} from this call (the "
                        "chain rule, with your numbers)",
    "why.heading.arrived": "Why the gradient reaching {what} in this call is {value} (the "
                           "chain rule, with your numbers)",
    "why.heading.results": "Why torch.autograd.grad gives {value} for {what} (the chain "
                           "rule, with your numbers)",
    "why.leaf": "leaf",
    "why.view": "{name} is not a leaf: it is a view ({node}) of the leaf {leaf}, so "
                "{name}.grad stays None; {name}{index} is element {leaf_index} of that leaf, "
                "which gets the gradient.",
    "why.non_leaf": "{name} is not a leaf, so {name}.grad stays None (retain_grad() would "
                    "keep it); below is the gradient that reaches {name}{index} in this call.",
    "why.path": "path {n} of {count}: from {output}",
    "why.weight": "{output} has the weight {element} = {weight} (grad_tensors)",
    "why.path_weight": ", weight {element} = {weight} (grad_tensors)",
    "why.inner": "({count} paths through this statement, added up)",
    "why.from_autograd": "(no formula for {nodes} in the table: this number is what autograd's "
                         "own backward gives)",
    "why.too_many": "(more paths or operations inside this statement than are written out: "
                    "their sum)",
    "why.fold": "[{pattern}] × {count} (folded): their product is {value}",
    "why.fold_rest": "... {count} more steps: their product is {value}",
    "why.sum": "sum of the {count} paths: {text}",
    "why.rest": "... and {count} more paths, not written out, together {value}",
    "why.first": "{what} was None; this call sets it to {after}",
    "why.accumulates": "{what}: {before} + {added} = {after} (gradients accumulate)",
    "why.results": "torch.autograd.grad returns {value} for {what}",
    "why.arrived": "autograd passes {value} to {what}",
    "why.agrees": "the chain rule agrees with what autograd computed ({value})",
    "why.rounding": ", up to floating-point rounding",
    "why.disagrees": "The chain rule with the table's formulas gives {total}, but autograd "
                     "gave {autograd}: a hook changed the gradient on its way, the graph was "
                     "changed after it was built, or a formula does not hold here. So the "
                     "steps are not written out as an equation.",
    "why.unread": "autograd's number for this element could not be read, so the derivation "
                  "({total}) is not checked",
    "why.unknown": "--why {target}: no tensor named {name} when this call ran",
    "why.bad_index": "--why {target}: {name} has shape {shape}; give one index per dimension, "
                     "each inside it (e.g. {example})",
    "why.later_call": "--why {target}: not written out from this call on (the first {calls} "
                      "calls of each statement are)",
    "why.not_derivable.too_large": "--why {target}: not written out: the element reaches "
                                   "more than {limit} pairs of elements in this graph",
    "why.not_derivable.custom_backward": "--why {target}: not written out: a path goes "
                                         "through {node}, a torch.autograd.Function whose "
                                         "backward is your own code, which the derivation "
                                         "does not run",
    "why.not_derivable.autograd_failed": "--why {target}: not written out: {node} has no "
                                         "formula in the table, and autograd cannot give its "
                                         "local derivatives",
    "why.not_derivable.no_formula": "--why {target}: not written out: {node} has no formula "
                                    "for this input",
    "why.not_derivable.complex": "--why {target}: not written out: {node} works on complex "
                                 "numbers",
    "why.not_derivable.meta": "--why {target}: not written out: meta tensors have shapes but "
                              "no values",
}

LABELS_ZH: dict[str, str] = {
    "why.heading.grad": "为什么这次调用让 {what} 得到 {value}（链式法则，代入你的数值）",
    "why.heading.view": "为什么这次调用让 {name} 背后的叶子在 {index} 处得到 {value}（链式法则，"
                        "代入你的数值）",
    "why.heading.arrived": "为什么这次调用中到达 {what} 的梯度是 {value}（链式法则，代入你的"
                           "数值）",
    "why.heading.results": "为什么 torch.autograd.grad 对 {what} 给出 {value}（链式法则，代入"
                           "你的数值）",
    "why.leaf": "叶子",
    "why.view": "{name} 不是叶子节点：它是叶子 {leaf} 的视图（{node}），所以 {name}.grad 一直"
                "是 None；{name}{index} 就是那个叶子的元素 {leaf_index}，梯度加到那里。",
    "why.non_leaf": "{name} 不是叶子节点，所以 {name}.grad 一直是 None（调用 retain_grad() 才会"
                    "保留）；下面是这次调用中到达 {name}{index} 的梯度。",
    "why.path": "第 {n} 条路径（共 {count} 条）：从 {output} 出发",
    "why.weight": "{output} 的权重 {element} = {weight}（来自 grad_tensors）",
    "why.path_weight": "，权重 {element} = {weight}（来自 grad_tensors）",
    "why.inner": "（这条语句里有 {count} 条路径，相加）",
    "why.from_autograd": "（表中没有 {nodes} 的公式：这个数取自 autograd 自己的反向计算）",
    "why.too_many": "（这条语句内部的路径或运算太多，不逐一写出：这是它们的和）",
    "why.fold": "[{pattern}] × {count}（已折叠）：它们的乘积是 {value}",
    "why.fold_rest": "…… 另外 {count} 步：它们的乘积是 {value}",
    "why.sum": "{count} 条路径相加：{text}",
    "why.rest": "…… 另有 {count} 条路径未写出，合计 {value}",
    "why.first": "{what} 原来是 None；这次调用后是 {after}",
    "why.accumulates": "{what}：{before} + {added} = {after}（梯度累加）",
    "why.results": "torch.autograd.grad 对 {what} 返回 {value}",
    "why.arrived": "autograd 传到 {what} 的梯度是 {value}",
    "why.agrees": "链式法则的结果与 autograd 算出的一致（{value}）",
    "why.rounding": "，差别只在浮点舍入误差之内",
    "why.disagrees": "用表中公式按链式法则算出 {total}，但 autograd 得到 {autograd}：可能是钩子"
                     "在途中改了梯度、计算图建好后又被改动，或者某个公式在这里不成立。"
                     "所以这里不把各步写成等式。",
    "why.unread": "读不到 autograd 对这个元素算出的数，所以推导结果（{total}）未经核对",
    "why.unknown": "--why {target}：这次调用时没有名为 {name} 的张量",
    "why.bad_index": "--why {target}：{name} 的形状是 {shape}；每个维度给一个下标，且不能越界"
                     "（例如 {example}）",
    "why.later_call": "--why {target}：从这次调用起不再写出（每条语句只写出前 {calls} 次调用）",
    "why.not_derivable.too_large": "--why {target}：未写出：这个元素在这张图里牵涉的元素对超过 "
                                   "{limit} 个",
    "why.not_derivable.custom_backward": "--why {target}：未写出：有一条路径经过 {node}，它是"
                                         "一个 torch.autograd.Function，backward 是你自己的"
                                         "代码，推导不会运行它",
    "why.not_derivable.autograd_failed": "--why {target}：未写出：表中没有 {node} 的公式，"
                                         "autograd 也给不出它的局部导数",
    "why.not_derivable.no_formula": "--why {target}：未写出：{node} 对这个输入没有公式",
    "why.not_derivable.complex": "--why {target}：未写出：{node} 处理的是复数",
    "why.not_derivable.meta": "--why {target}：未写出：meta 张量只有形状、没有数值",
}
