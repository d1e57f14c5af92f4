"""Labels and phrases of folded loops (a statement's many backward calls and prints), en/zh.

Looked up with `label()` like every other label; templates use `str.format` fields.
"""

from __future__ import annotations

LABELS_EN: dict[str, str] = {
    "loops.ran": "`{statement}` (step {step}) ran {calls} times: calls {first}–{last}. "
                 "Shown in full: the first, the last and each call that differs in kind; "
                 "the other {folded} are summarized (`--calls all` shows every call).",
    "loops.ran_nostep": "`{statement}` ran {calls} times: calls {first}–{last}. "
                        "Shown in full: the first, the last and each call that differs in "
                        "kind; the other {folded} are summarized (`--calls all` shows every "
                        "call).",
    "loops.series": "series",
    "loops.calls": "calls",
    "loops.first": "first",
    "loops.last": "last",
    "loops.min": "min",
    "loops.max": "max",
    "loops.trend": "over the calls",
    "loops.value": "{label}",
    "loops.norm": "‖{label}.grad‖",
    "loops.non_finite": "{count} calls had inf or nan",
    "loops.differs": "differs from the calls before",
    "loops.omitted": "{count} more calls differed; `--calls all` shows them",
    "reason.error": "it failed",
    "reason.appeared": "{tensor} appeared",
    "reason.disappeared": "{tensor} disappeared",
    "reason.non_finite": "{tensor}.grad holds inf or nan",
    "reason.note": "a new note: {kind}",
    "reason.note_tensor": "a new note: {kind} ({tensor})",
    "reason.sep": "; ",
    "loops.more_prints": "… {count} more lines from this statement …",
    "loops.more_notes": "… and {count} more `{kind}` notes on folded calls",
}

LABELS_ZH: dict[str, str] = {
    "loops.ran": "`{statement}`（第 {step} 步）执行了 {calls} 次：第 {first}–{last} 次调用。"
                 "完整显示第一次、最后一次以及每次类型不同的调用；其余 {folded} 次汇总显示"
                 "（`--calls all` 显示全部调用）。",
    "loops.ran_nostep": "`{statement}` 执行了 {calls} 次：第 {first}–{last} 次调用。"
                        "完整显示第一次、最后一次以及每次类型不同的调用；其余 {folded} 次汇总"
                        "显示（`--calls all` 显示全部调用）。",
    "loops.series": "序列",
    "loops.calls": "调用次数",
    "loops.first": "首次",
    "loops.last": "末次",
    "loops.min": "最小",
    "loops.max": "最大",
    "loops.trend": "随调用变化",
    "loops.value": "{label}",
    "loops.norm": "‖{label}.grad‖",
    "loops.non_finite": "{count} 次调用出现 inf 或 nan",
    "loops.differs": "与之前的调用不同",
    "loops.omitted": "另有 {count} 次调用不同；`--calls all` 可显示",
    "reason.error": "调用失败",
    "reason.appeared": "出现了 {tensor}",
    "reason.disappeared": "{tensor} 消失了",
    "reason.non_finite": "{tensor}.grad 含 inf 或 nan",
    "reason.note": "新出现一条说明：{kind}",
    "reason.note_tensor": "新出现一条关于 {tensor} 的说明：{kind}",
    "reason.sep": "；",
    "loops.more_prints": "… 这条语句另有 {count} 行打印输出 …",
    "loops.more_notes": "… 汇总显示的调用另有 {count} 条说明：{kind}",
}
