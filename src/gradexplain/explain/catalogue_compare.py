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
        "Call": "Call",
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
    },
    "zh": {
        "accumulation": "在 {a} 中，{tensor}.grad 已经保存着之前调用留下的 {before}，这次调用又在"
                        "其上加了 {added}；每次调用前清零（{b}）则只留下这次调用算出的值。",
        "accumulation_paths": "在 {acc} 中，{tensor}.grad 已经保存着之前调用留下的 {before}，"
                              "这次调用又在其上加了 {added}；在 {clean} 中，这次调用前 "
                              "{tensor}.grad 为空或已清零，所以只有这次调用算出的 {added}。"
                              "差异来自梯度累加，而不是计算公式不同。",
        "freed_graph": "{side} 在这里因 freed_graph 停止：第 {by} 次调用（{statement}）没有使用 "
                       "retain_graph=True，释放了计算图；{other} 继续运行，得到 {value}。",
        "call_error": "{side} 在这里因 {kind} 停止；{other} 得到 {value}。",
        "missing_call": "{side} 没有第 {call} 次调用（它更早就停止了）；{other} 得到 {value}。",
        "missing_tensor": "只有 {side} 在第 {call} 次调用时有 {tensor} 的梯度。",
        "scale": "B 等于 A × {k}：两者的梯度相差一个常数因子，就像一个用求和、另一个用平均"
                 "的归约（例如 mean 会除以 N{n}）。",
        "numerics": "两个设备使用不同的内核和求和顺序：最大差值为 {max_abs}"
                    "（相对差值 {max_rel}）。",
        "shape": "两者梯度的形状不同：{a_shape} 与 {b_shape}。",
        "differ": "两者的梯度不同：最大差值为 {max_abs}（相对差值 {max_rel}）。",
        "as written": "按原样",
        "zero_grad": "每次调用前清零梯度",
        "retain_graph": "retain_graph=True",
        "title": "对比",
        "mode.zero_grad": "按原样 与 每次调用前把梯度清零",
        "mode.retain_graph": "按原样 与 每次调用都使用 retain_graph=True",
        "mode.device": "同一场景在两个设备上运行",
        "mode.paths": "两个场景，按调用和张量对应",
        "Call": "调用",
        "tensor": "张量",
        "difference": "差值",
        "max abs": "最大绝对差",
        "max rel": "最大相对差",
        "why": "原因",
        "same": "相同",
        "differs": "不同",
        "stopped": "已停止",
        "absent": "不存在",
        "no calls": "两个变体都没有调用反向传播。",
        "result.same": "没有差异",
        "result.diff": "{n} 处差异",
        "error_at": "{side}，第 {call} 次调用：错误[{kind}]{where}",
        "line": "，第 {line} 行",
        "views.same": "A（{a}）与 B（{b}）相同：",
    },
}
