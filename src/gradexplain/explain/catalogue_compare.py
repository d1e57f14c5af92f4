"""What `gradexplain compare` says, en and zh (`str.format` templates). Pure data.

The reason keys ("accumulation", "scale", ...) are the `why` kinds of
gradexplain.analysis.compare; {a} and {b} are the variants' names.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "accumulation": "In {a}, {tensor}.grad already held {before} from earlier calls, and "
                        "this call added {added} on top of it; zeroing before each call "
                        "({b}) leaves only what this call computed.",
        "accumulation_paths": "In {acc}, {tensor}.grad already held {before} from earlier "
                              "calls and this call added {added} on top of it; in {clean} "
                              "{tensor}.grad was empty or zeroed before this call, so it holds "
                              "only the {added} this call computed. The difference is "
                              "accumulation, not a different formula.",
        "freed_graph": "{side} stopped here with freed_graph: call {by} ({statement}) freed "
                       "the graph without retain_graph=True; {other} went on and got {value}.",
        "call_error": "{side} stopped here with {kind}; {other} got {value}.",
        "missing_call": "{side} has no call {call} (it stopped earlier); {other} got {value}.",
        "missing_call_ended": "{side} has no call {call}: it ran to its end after {calls} "
                              "call(s); {other} got {value}.",
        "missing_tensor": "Only {side} has a grad for {tensor} at call {call}.",
        "scale": "B is A × {k}: the grads differ by a constant factor, as when one "
                 "reduction is a sum and the other a mean (e.g. mean divides by N{n}).",
        "numerics": "The devices compute with different kernels and summation orders: the "
                    "largest difference is {max_abs} (relative {max_rel}).",
        "shape": "The grads have different shapes: {a_shape} vs {b_shape}.",
        "differ": "The grads differ: the largest difference is {max_abs} "
                  "(relative {max_rel}).",
        # labels
        "as written": "as written",
        "zero_grad": "zero_grad before each call",
        "retain_graph": "retain_graph=True",
        "title": "Compare",
        "mode.zero_grad": "as written vs. with every grad zeroed before each call",
        "mode.retain_graph": "as written vs. with retain_graph=True on every call",
        "mode.device": "the same scenario on two devices",
        "mode.paths": "two scenarios, matched by call and tensor",
        "Call": "Call {n}",
        "tensor": "tensor",
        "difference": "difference",
        "max abs": "max abs",
        "max rel": "max rel",
        "why": "Why",
        "same": "same",
        "differs": "differs",
        "stopped": "stopped",
        "absent": "absent",
        "no calls": "Neither variant made a backward call.",
        "result.same": "no differences",
        "result.diff": "{n} difference(s)",
        "error_at": "{side}, call {call}: error[{kind}]{where}",
        "line": " at line {line}",
        "views.same": "the same in A ({a}) and B ({b}):",
        "side": "{side}: {name}",
        "titled": "{title}: {name}",
    },
    "zh": {
        "accumulation": "{a} 中，{tensor}.grad 里已经有之前调用留下的 {before}，这次调用又在"
                        "上面加了 {added}，这就是梯度累加；{b} 在每次调用前先清零，"
                        "只留下这次调用算出的值。",
        "accumulation_paths": "{acc} 中，{tensor}.grad 里已经有之前调用留下的 {before}，"
                              "这次调用又在上面加了 {added}；{clean} 中，这次调用之前 "
                              "{tensor}.grad 为空或已清零，所以只有这次调用算出的 {added}。"
                              "差异来自梯度累加，而不是计算公式不同。",
        "freed_graph": "{side} 在这里因错误 [freed_graph] 停止：第 {by} 次调用（`{statement}`）"
                       "没有加 `retain_graph=True`，调用结束后计算图就被释放了；{other} 则继续"
                       "运行，得到 {value}。",
        "call_error": "{side} 在这里因错误 [{kind}] 停止；{other} 得到 {value}。",
        "missing_call": "{side} 没有第 {call} 次调用（它在此之前就停止了）；{other} 得到 {value}。",
        "missing_call_ended": "{side} 没有第 {call} 次调用：它只做了 {calls} 次调用就运行完毕了；"
                              "{other} 得到 {value}。",
        "missing_tensor": "第 {call} 次调用时，只有 {side} 有 {tensor} 的梯度。",
        "scale": "B 是 A 的 {k} 倍：两者的梯度只差一个常数因子。一个用求和归约、另一个用平均"
                 "归约时就会这样（`mean` 会除以 N{n}）。",
        "numerics": "两个设备的计算内核和求和顺序不同：最大差值为 {max_abs}"
                    "（相对差值 {max_rel}）。",
        "shape": "两者梯度的形状不同：A 为 {a_shape}，B 为 {b_shape}。",
        "differ": "两者的梯度不同：最大差值为 {max_abs}（相对差值 {max_rel}）。",
        # labels
        "as written": "原样运行",
        "zero_grad": "每次调用前清零梯度",
        "retain_graph": "每次调用都加 retain_graph=True",
        "title": "对比",
        "mode.zero_grad": "比较两种做法：原样运行，以及每次调用前先把梯度清零",
        "mode.retain_graph": "比较两种做法：原样运行，以及每次调用都加上 retain_graph=True",
        "mode.device": "同一个场景分别在两个设备上运行",
        "mode.paths": "两个场景，按调用次序和张量一一对应",
        "Call": "第 {n} 次调用",
        "tensor": "张量",
        "difference": "比较结果",
        "max abs": "最大绝对差",
        "max rel": "最大相对差",
        "why": "原因",
        "same": "相同",
        "differs": "不同",
        "stopped": "已停止",
        "absent": "无",
        "no calls": "A 和 B 都没有调用 `backward()`。",
        "result.same": "没有不同之处",
        "result.diff": "共 {n} 处不同",
        "error_at": "{side}，第 {call} 次调用：错误[{kind}]{where}",
        "line": "，第 {line} 行",
        "views.same": "A（{a}）与 B（{b}）相同的部分：",
        "side": "{side}：{name}",
        "titled": "{title}：{name}",
    },
}
