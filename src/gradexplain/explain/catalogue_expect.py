"""How an `expect:` check reads, en and zh: `str.format` templates keyed like the engine's
results (engine/expect.py). Values in the facts are short text already (numbers, lists,
kinds), the same in every language.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        # what is checked ({what} below)
        "what.grad_end": "{name}.grad at the end",
        "what.grad_call": "{name}.grad after call {call}",
        "what.value": "{name}",
        # where an error was expected ({where} below)
        "where.step": " at step {step}",
        "where.call": " in call {call}",
        "where.join": "",
        "where": "{parts}",
        "got": "{kind}",
        "got_where": "{kind}{where}",
        # results
        "equal": "{what} = {expected}",
        "is_none": "{what} is None",
        "expected_got": "{what}: expected {expected}, got {got}",
        "non_leaf": "{what}: expected {expected}, got None: {name} is not a leaf, so "
        "backward() does not keep its gradient (see the non_leaf_grad note)",
        "shape": "{what}: expected shape {expected}, got {got}",
        "no_tensor": "{name}.grad: there is no tensor named '{name}'",
        "no_name": "{name}: there is no such name",
        "no_call": "{what}: there was no call {call}",
        "call_failed": "{what}: call {call} failed ({kind})",
        "not_in_ledger": "{what}: '{name}' is not in call {call}'s ledger",
        "too_large": "{what}: too large to compare from the ledger; run with --full",
        "error_ok": "stops with {kind}{where}",
        "error_none": "error {kind}{where}: expected, but the run finished without an error",
        "error_other": "error {kind}{where}: expected, got {got}",
        "note_ok": "note {kind} appears",
        "note_missing": "note {kind} was expected but did not appear",
        "prints_ok": "printed {count} expected line(s)",
        "prints_missing": "print output {text} was expected but not printed (in order)",
    },
    "zh": {
        "what.grad_end": "最终的 {name}.grad",
        "what.grad_call": "第 {call} 次调用后的 {name}.grad",
        "what.value": "{name}",
        "where.step": "第 {step} 步",
        "where.call": "第 {call} 次调用",
        "where.join": "、",
        "where": "在{parts}时",
        "got": "[{kind}]",
        "got_where": "[{kind}]（{where}）",
        "equal": "{what} = {expected}",
        "is_none": "{what} 为 None",
        "expected_got": "{what}：预期 {expected}，实际为 {got}",
        "non_leaf": "{what}：预期 {expected}，实际为 None：{name} 不是叶子节点，backward() "
        "不会保存它的梯度（见说明：非叶子节点的梯度（non_leaf_grad））",
        "shape": "{what}：预期形状 {expected}，实际为 {got}",
        "no_tensor": "{name}.grad：没有名为 '{name}' 的张量",
        "no_name": "{name}：没有这个名字",
        "no_call": "{what}：没有第 {call} 次调用",
        "call_failed": "{what}：第 {call} 次调用出错 [{kind}]",
        "not_in_ledger": "{what}：第 {call} 次调用的账目里没有 '{name}'",
        "too_large": "{what}：张量太大，无法从账目中比较；请加 --full 再运行",
        "error_ok": "如预期{where}因错误 [{kind}] 停止",
        "error_none": "预期{where}出现错误 [{kind}]，但运行没有出错就结束了",
        "error_other": "预期{where}出现错误 [{kind}]，实际出现的却是 {got}",
        "note_ok": "出现了说明：{kind}",
        "note_missing": "预期会出现说明：{kind}，但它没有出现",
        "prints_ok": "按顺序打印出了预期的 {count} 行",
        "prints_missing": "预期打印 {text}，但没有（按顺序）打印出来",
    },
}
