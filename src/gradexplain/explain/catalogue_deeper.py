"""Labels and phrases of the deeper views (--graph, --jacobian, --check-numeric), en and zh.

Kept apart from the error/note catalogues: these are short UI texts, looked up with
`label()` like every other label. Templates use `str.format` fields named in each key.
"""

from __future__ import annotations

LABELS_EN: dict[str, str] = {
    # headings and columns
    "Backward graph": "Backward graph",
    "Gradient flow (chain rule, output to leaves)":
        "Gradient flow (chain rule, output to leaves)",
    "Jacobians": "Jacobians",
    "Numeric check (central differences, float64)":
        "Numeric check (central differences, float64)",
    "node": "node",
    "gradient arriving": "gradient arriving",
    "(leaf)": " (leaf)",
    "numeric": "numeric",
    "autograd": "autograd",
    "max diff": "max diff",
    "agrees": "agrees",
    "disagrees": "disagrees",
    "jacobian.size": "({size}, flattened)",
    "grad added": "grad added",
    "v^T J equals the grad added": "v^T J equals the grad added",
    "v^T J differs from the grad added": "v^T J differs from the grad added",
    # the tree
    "tree.unnamed_leaf": "(unnamed leaf)",
    "tree.shared": "{text} (shared, shown above)",
    "tree.folded_ref": "[{pattern}] (folded)",
    "tree.fold": "[{pattern}] x {count} (folded{side})",
    "tree.fold_side": ", each also into {names}",
    "tree.more_below": "... {hidden} more node(s) below",
    "tree.more_inputs": "... {hidden} more input(s) not shown",
    "tree.no_graph": "{name}: a leaf, no backward graph",
    "tree.saved": "saved {slots}",
    "tree.freed": "freed",
    "tree.kept": "kept",
    "tree.state": ": {state}",
    "tree.already_freed": "already freed",
    "tree.note_already_freed": "already freed: an earlier backward call without "
                               "retain_graph=True released what these nodes saved, so a "
                               "backward through them fails (freed_graph)",
    "tree.note_more_below": "depth limit {limit}: {hidden} node(s) not shown",
    "tree.note_fold": "{count} repetitions of [{pattern}] folded into one line",
    "tree.note_more_inputs": "width limit {limit}: {hidden} input(s) not shown",
    "tree.note_freed": "freed: this call released the tensors those nodes saved for backward "
                       "(no retain_graph=True), so another backward through them fails",
    "tree.note_kept": "kept: retain_graph=True kept the saved tensors, so the graph can be "
                      "used again",
    # the numeric check's notes
    "numeric.needs_short_form": "not checked here: the numeric check re-runs a whole file "
                                "(`gradexplain run FILE --check-numeric`)",
    "numeric.unnamed_leaf": "this leaf has no name the expression can use",
    "numeric.meta": "meta tensors have shapes but no values: the numeric check needs real "
                    "numbers; run on cpu (without device=\"meta\")",
    "jacobian.meta": "meta tensors have shapes but no values: the Jacobian needs real "
                     "numbers; run on cpu (without device=\"meta\")",
    "numeric.non_smooth_at_zero": "an element of this leaf is exactly 0, where "
                                  "relu/abs/max/clamp have no derivative: finite differences "
                                  "average the two sides, autograd picks one (PyTorch uses 0 "
                                  "for relu at 0)",
    "numeric.non_smooth_tie": "this leaf has tied values where max/min choose, and there "
                              "max/min have no derivative: finite differences average the "
                              "two sides; PyTorch splits the gradient evenly among tied "
                              "elements for max()/amax/maximum (so the two may agree) and "
                              "gives it all to the returned index for max(dim)",
    "numeric.non_smooth_kink": "the expression uses a function with a kink (relu, abs, "
                               "clamp...) and one of its inputs sits exactly on it: finite "
                               "differences average the two sides, autograd picks one",
    "numeric.disagrees": "autograd and finite differences disagree",
    "numeric.element": "; at {at} = {value}: numeric {numeric}, autograd {autograd}",
    "numeric.later_call": "not checked from here on: the numeric check re-runs the code "
                          "for each call it checks, so it checks only the first {calls} "
                          "calls this statement makes",
    "numeric.rerun_failed": "not checked: re-running the code up to this call failed: "
                            "{error}",
    "numeric.not_reproduced": "not checked: running the code again (same seed, in float64) "
                              "did not reach this call with the same output, so the output is "
                              "not a fixed function of the leaves here (values drawn at "
                              "random differently, or a path that depends on the values)",
    "numeric.leaf_not_found": "not checked: this leaf could not be found again when the code "
                              "was re-run",
    "numeric.not_float64": "not checked: this part of the computation does not run in float64 "
                           "(integer or complex), so finite differences would not be accurate",
    "numeric.rerun_budget": "not checked: the check has already re-run the code {reruns} "
                            "times, its limit for one scenario (each element of a leaf costs "
                            "two re-runs)",
    "numeric.leaf_changed": "not checked: after this leaf takes the value it has at this "
                            "call, the code changes it in a way the check cannot follow "
                            "(e.g. through .data), so moving one element does not move only "
                            "that element",
    "numeric.too_large": "not checked: the leaf has {numel} elements, more than the limit of "
                         "{limit} (raise it with --jacobian-limit)",
}

LABELS_ZH: dict[str, str] = {
    "Backward graph": "反向计算图",
    "Gradient flow (chain rule, output to leaves)": "梯度流（链式法则，从输出到叶子节点）",
    "Jacobians": "雅可比矩阵",
    "Numeric check (central differences, float64)": "数值检验（中心差分，float64）",
    "node": "节点",
    "gradient arriving": "到达的梯度",
    "(leaf)": "（叶子节点）",
    "numeric": "数值结果",
    "autograd": "autograd 结果",
    "max diff": "最大差值",
    "agrees": "一致",
    "disagrees": "不一致",
    "jacobian.size": "（{size}，展平）",
    "grad added": "本次加上的梯度",
    "v^T J equals the grad added": "v^T J 等于本次加上的梯度",
    "v^T J differs from the grad added": "v^T J 与本次加上的梯度不同",
    "tree.unnamed_leaf": "（没有名字的叶子节点）",
    "tree.shared": "{text}（共享，见上方）",
    "tree.folded_ref": "[{pattern}]（已折叠）",
    "tree.fold": "[{pattern}] × {count}（已折叠{side}）",
    "tree.fold_side": "，每一环还流入 {names}",
    "tree.more_below": "…… 下面还有 {hidden} 个节点",
    "tree.more_inputs": "…… 还有 {hidden} 个输入未显示",
    "tree.no_graph": "{name}：是叶子节点，没有反向计算图",
    "tree.saved": "保存的张量 {slots}",
    "tree.freed": "已释放",
    "tree.kept": "仍保留",
    "tree.state": "：{state}",
    "tree.already_freed": "已被之前的调用释放",
    "tree.note_already_freed": "已被之前的调用释放：之前一次没有加 `retain_graph=True` 的 "
                               "`backward()` 已经释放了这些节点保存的张量，所以再经过它们做反向"
                               "传播会报错 [freed_graph]",
    "tree.note_more_below": "深度上限 {limit}：{hidden} 个节点未显示",
    "tree.note_fold": "重复 {count} 次的 [{pattern}] 折叠成了一行",
    "tree.note_more_inputs": "宽度上限 {limit}：{hidden} 个输入未显示",
    "tree.note_freed": "已释放：这次调用没有加 `retain_graph=True`，释放了这些节点为反向传播保存"
                       "的张量，再经过它们做一次反向传播会报错",
    "tree.note_kept": "仍保留：`retain_graph=True` 保留了这些张量，这张计算图还能再用",
    "numeric.needs_short_form": "这里不做检验：数值检验要重新运行整个文件（`gradexplain run FILE "
                                "--check-numeric`）",
    "numeric.unnamed_leaf": "这个叶子节点没有名字，表达式无法引用它",
    "numeric.meta": "`meta` 设备上的张量只有形状、没有数值：数值检验需要真实的数；请在 `cpu` 上"
                    "运行（去掉 `device=\"meta\"`）",
    "jacobian.meta": "`meta` 设备上的张量只有形状、没有数值：雅可比矩阵需要真实的数；请在 `cpu` "
                     "上运行（去掉 `device=\"meta\"`）",
    "numeric.non_smooth_tie": "这个叶子节点在 max/min 取值处有相等的元素，max/min 在那里不可导："
                              "有限差分取两侧的平均；对 max()/amax/maximum，PyTorch 把梯度平均"
                              "分给相等的元素（所以两者可能一致），对 max(dim) 则全部给返回的"
                              "那个下标",
    "numeric.non_smooth_kink": "表达式用到了有折点的函数（relu、abs、clamp 等），而它的某个输入"
                               "恰好落在折点上：有限差分取两侧的平均，autograd 取其中一侧",
    "numeric.non_smooth_at_zero": "这个叶子节点有元素恰好为 0，relu/abs/max/clamp 在那里不可导："
                                  "有限差分取两侧的平均，autograd 取其中一侧（PyTorch 规定 "
                                  "relu 在 0 处的导数为 0）",
    "numeric.disagrees": "autograd 与有限差分的结果不一致",
    "numeric.element": "；在 {at} = {value} 处：数值结果 {numeric}，autograd 结果 "
                       "{autograd}",
    "numeric.later_call": "从这里起不再检验：数值检验要为每次检验的调用重新运行代码，所以对这条"
                          "语句只检验它的前 {calls} 次调用",
    "numeric.rerun_failed": "未检验：重新运行代码到这次调用时出错：“{error}”",
    "numeric.not_reproduced": "未检验：重新运行代码（同一随机种子，float64）没有以相同的输出"
                              "到达这次调用，所以这里的输出不是叶子节点的确定函数（随机值抽得不同，"
                              "或执行路径取决于数值）",
    "numeric.leaf_not_found": "未检验：重新运行代码时找不到这个叶子节点",
    "numeric.not_float64": "未检验：这部分计算不是以 float64 进行的（整数或复数），有限差分不会"
                           "准确",
    "numeric.rerun_budget": "未检验：本次检验已经重新运行代码 {reruns} 次，达到一个场景的上限"
                            "（叶子节点的每个元素要重新运行两次）",
    "numeric.leaf_changed": "未检验：这个叶子节点取得这次调用时的值之后，代码又以检验无法跟踪的"
                            "方式改变了它（例如通过 `.data`），所以移动一个元素并不只移动那个元素",
    "numeric.too_large": "未检验：这个叶子节点有 {numel} 个元素，超过上限 {limit}（可用 "
                         "--jacobian-limit 调高）",
}
