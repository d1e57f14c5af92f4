"""Note texts for what the widened statement language reports: hook calls, optimizer steps,
custom Functions, torch.autograd.functional results and legacy APIs. Pure data, en and zh,
`str.format` templates like catalogue_en's."""

from __future__ import annotations

NOTES_EN: dict[str, dict[str, str]] = {
    "hook_called": {
        "text": "The hook registered with `{kind}` on {tensor} ran during backward{times}: "
        "it received {before} and {returned}.",
        "returned_none": "returned None, so the gradient went on unchanged",
        "returned_value": "returned {after}, which replaced the gradient from there on",
        "times": " ({count} times)",
    },
    "optimizer_step": {
        "text": "`{optimizer}.step()` updated {count} parameter(s) in place from their .grad"
        "{example}{times}. `optimizer.zero_grad()` then sets the grads to None by default "
        "(set_to_none=True), so the next backward starts from nothing instead of adding up.",
        "example": ": {tensor} went from {before} to {after}",
        "times": " (this step ran {count} times; the values are those of its first run)",
    },
    "custom_function": {
        "text": "The backward of your torch.autograd.Function `{function}` ran{times}: it had "
        "saved {saved} with ctx.save_for_backward, and returned gradient(s) of shape "
        "{returned}, one per input of forward.",
        "nothing_saved": "nothing",
        "saved_shapes": "tensors of shape {shapes}",
        "times": " ({count} times)",
    },
    "autograd_functional": {
        "text": "`torch.autograd.functional.{function}` returned a result of shape "
        "{result} for input(s) of shape {inputs}. {rule}",
        "rule_jacobian": "A Jacobian's shape is the output's shape followed by the input's.",
        "rule_hessian": "A Hessian's shape is the input's shape twice: every second "
        "derivative of the scalar output.",
        "rule_product": "It returns (output, product): the product has the shape of "
        "the vector it was given.",
    },
    "legacy_api": {
        "text": "`{api}` is a legacy API. {advice}",
        "advice_variable": "Since PyTorch 0.4 `Variable(t)` simply returns the tensor t; "
        "write `t.requires_grad_()` or `torch.tensor(..., requires_grad=True)`.",
        "advice_tensor_type": "Write `torch.tensor(data, dtype=...)` (or torch.zeros/empty "
        "with dtype=) instead of the typed constructors.",
    },
    "module_hook": {
        "text": "The hook registered with `{kind}` on {module} ({layer}) ran{times}: it "
        "received {received} and {returned}.",
        "what_forward_pre": "the input",
        "what_forward": "the output",
        "what_backward": "the gradient with respect to the module's input",
        "what_backward_pre": "the gradient with respect to the module's output",
        "returned_none": "returned None, so {what} went on unchanged",
        "returned_value": "returned {value}, which replaced {what}",
        "shapes": "tensors of shape {shapes}",
        "times": " ({count} times)",
    },
    "data_loader_in_process": {
        "text": "`DataLoader(..., num_workers={workers})` read its batches in this process: "
        "gradexplain starts no worker processes. The batches and their order are PyTorch's "
        "(drawn from the same seed); only random numbers drawn inside __getitem__ differ, "
        "since PyTorch's workers each get a seed of their own.",
    },
    "figure_not_saved": {
        "text": "`savefig({file})` wrote nothing: code run by gradexplain never writes files. "
        "The figure is the run's plot (drawn above); `gradexplain plot FILE --output "
        "figure.png` writes it as a picture.",
    },
}

NOTES_ZH: dict[str, dict[str, str]] = {
    "hook_called": {
        "text": "在 {tensor} 上用 `{kind}` 注册的钩子在反向传播中运行了{times}：它收到 {before}，"
        "{returned}。",
        "returned_none": "返回 None，所以梯度原样继续传递",
        "returned_value": "返回 {after}，此后用它替换了梯度",
        "times": "（{count} 次）",
    },
    "optimizer_step": {
        "text": "`{optimizer}.step()` 根据 `.grad` 原地更新了 {count} 个参数{example}{times}。"
        "之后 `optimizer.zero_grad()` 默认把梯度设为 None（`set_to_none=True`），"
        "所以下一次 `backward()` 从零开始，而不是累加。",
        "example": "：{tensor} 从 {before} 变为 {after}",
        "times": "（这一步运行了 {count} 次；数值是第一次运行时的）",
    },
    "custom_function": {
        "text": "你定义的 `torch.autograd.Function` 子类 `{function}` 的 `backward` 运行了{times}："
        "它用 `ctx.save_for_backward` 保存了 {saved}，并返回了形状为 {returned} 的梯度，"
        "`forward` 的每个输入各对应一个。",
        "nothing_saved": "空",
        "saved_shapes": "形状为 {shapes} 的张量",
        "times": "（{count} 次）",
    },
    "autograd_functional": {
        "text": "`torch.autograd.functional.{function}` 对形状为 {inputs} 的输入返回了形状为 "
        "{result} 的结果。{rule}",
        "rule_jacobian": "雅可比矩阵的形状是输出的形状后接输入的形状。",
        "rule_hessian": "海森矩阵的形状是输入的形状重复两次：标量输出的每个二阶导数。",
        "rule_product": "它返回（输出，乘积）：乘积的形状与给定的向量相同。",
    },
    "legacy_api": {
        "text": "`{api}` 是旧式接口。{advice}",
        "advice_variable": "自 PyTorch 0.4 起 `Variable(t)` 直接返回张量 t；"
        "请写 `t.requires_grad_()` 或 `torch.tensor(..., requires_grad=True)`。",
        "advice_tensor_type": "请用 `torch.tensor(data, dtype=...)`（或带 `dtype=` 的 "
        "`torch.zeros`/`torch.empty`）代替这些带类型的构造函数。",
    },
    "module_hook": {
        "text": "在 {module}（{layer}）上用 `{kind}` 注册的钩子运行了{times}：它收到 {received}，"
        "{returned}。",
        "what_forward_pre": "输入",
        "what_forward": "输出",
        "what_backward": "关于模块输入的梯度",
        "what_backward_pre": "关于模块输出的梯度",
        "returned_none": "返回 None，所以{what}原样继续传递",
        "returned_value": "返回 {value}，用它替换了{what}",
        "shapes": "形状为 {shapes} 的张量",
        "times": "（{count} 次）",
    },
    "data_loader_in_process": {
        "text": "`DataLoader(..., num_workers={workers})` 在本进程中读取批次：gradexplain "
        "不启动工作进程。批次及其顺序与 PyTorch 的相同（来自同一个随机种子）；只有在 "
        "`__getitem__` 中抽取的随机数不同，因为 PyTorch 的每个工作进程有自己的种子。",
    },
    "figure_not_saved": {
        "text": "`savefig({file})` 没有写入任何文件：gradexplain 运行的代码从不写文件。"
        "这张图就是本次运行的图（见上方）；`gradexplain plot FILE --output figure.png` "
        "可以把它写成图片。",
    },
}
