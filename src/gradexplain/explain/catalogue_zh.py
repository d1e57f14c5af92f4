"""Simplified Chinese texts of the explanation catalogue. Pure data.

Same keys and fields as catalogue_en (a test checks it); code stays as it is in English.
Inline code and names are set off from Chinese text by a space on each side.
"""

from __future__ import annotations

from gradexplain.explain import catalogue_zh_labels

COMMON: dict[str, str] = {
    "the_output": "输出",
    "a_tensor": "某个张量",
    "the_tensor": "该张量",
    "the_name": "这个名字",
    "its_shape": "形状相同",
    "shape_phrase": "形状为 {shape} ",
    "numel_unknown": "元素个数",
    "list_sep": "、",
    "list_last": " 和 ",
    "clause_sep": "，",
    "clause_last": "，",
    "sentence_sep": "",
    "summary": "形状为 {shape} 的张量（最小值 {min}，最大值 {max}）",
    "summary_no_range": "形状为 {shape} 的张量",
    "hint": "提示：{hint}",
}

ERRORS: dict[str, dict[str, str]] = {
    "non_scalar_backward": {
        "title": "对非标量输出调用了 backward()",
        "explanation": "不带 `gradient` 参数调用 `backward()`，只适用于标量（只含一个元素）输出："
        "此时 PyTorch 把输出对自身的梯度取为 1，再沿计算图反向传播。{detail}"
        "输出有多个元素时，PyTorch 无法替你决定每个元素的梯度该取多大的权重。",
        "detail_shape": "{output} 的形状是 {shape}（共 {numel} 个元素）。",
        "detail_noshape": "{output} 不止一个元素。",
        "fix": "为每个元素传入一个权重，即与 {output} 形状相同的张量：`{ones_like_code}`"
        "（也可以用 `{weighted_code}`，其中 `w` 是{shape_phrase}的任意权重张量，"
        "每个元素的梯度都会乘上对应的权重）。\n"
        "或者先把它归约成标量：`{sum_code}` 得到的梯度与 `ones_like` 完全相同；"
        "`{mean_code}` 得到的梯度则都除以 {numel}。",
    },
    "freed_graph": {
        "title": "对已被释放的计算图再次反向传播",
        "explanation": "{freed_by}执行反向传播时没有加 `retain_graph=True`，"
        "所以结束后 autograd 释放了这张计算图为反向传播保存的张量（梯度公式要用到的中间结果）。"
        "对 {output} 再做反向传播又需要它们，但它们已经不在了。",
        "by_call_statement": "第 {call} 次调用（`{statement_code}`）",
        "by_call": "第 {call} 次调用",
        "by_unknown": "之前的某次 `backward()` 调用",
        "fix": "在前一次调用时保留计算图：`{retained_code}`"
        "（计算图会一直占用内存，直到不再被引用；第二次调用的梯度会累加到 `.grad` 上）。\n"
        "或者重建计算图：再次调用 `backward()` 之前，把得到 {output} 的前向传播重新做一遍。",
        "fix_yaml": "在简写形式中，设置 `retain_graph: true`。",
        "fix_loop": "在循环中，把前向传播放进循环体内：每次迭代都会构建一张新的计算图，"
        "根本不需要 `retain_graph`。",
    },
    "no_grad_fn": {
        "title": "对不需要梯度的张量调用了 backward()",
        "explanation": "{output} 不需要梯度（`requires_grad` 为 False），也没有 `grad_fn`："
        "autograd 没有为它记录计算图，`backward()` 无从回溯。{reason}",
        "reason_no_grad": "它是在 `with torch.no_grad():` 块中计算的，在那里 autograd "
        "不做任何记录{despite}。",
        "reason_detached": "它来自一个被分离的张量（`.detach()` 或 `.data`），"
        "已经与计算图断开{despite}。",
        "reason_no_requires_grad": "计算它所用的张量都不需要梯度{others}。",
        "despite": "，尽管 {leaves} 需要梯度",
        "others": "（需要梯度的 {leaves} 并没有参与计算它）",
        "reason_unknown": "通常是因为它在 `torch.no_grad()` 中计算、来自 `.detach()` 之后的张量，"
        "或者只由 `requires_grad=False` 的张量计算得到。",
        "fix": "{fix_reason}",
        "fix_no_grad": "在 `with torch.no_grad():` 块之外计算 {output}"
        "（`no_grad` 只用于不应被记录的更新操作），或者把它放进 `with torch.enable_grad():` 中。",
        "fix_detached": "需要让梯度流过的地方，直接使用张量本身，"
        "不要用它的 `.detach()` 或 `.data`。",
        "fix_no_requires_grad": "在计算 {output} 之前，让它所依赖的叶子节点需要梯度："
        "对该叶子节点调用 `.requires_grad_()`，或者创建时加上 `requires_grad=True`，"
        "例如 `{leaf_code}`。",
        "yaml_default": "（YAML 文件中 `tensors:` 下的张量默认就需要梯度。）",
        "fix_unknown": "确保它所依赖的某个叶子节点需要梯度（例如 `{leaf_code}`），"
        "并在 `torch.no_grad()` 之外、不经过 `.detach()` 来计算它。",
    },
    "grad_shape_mismatch": {
        "title": "梯度的形状与输出不一致",
        "explanation": "传给 `backward()` 的梯度为 {output} 的每个元素提供一个权重，"
        "所以形状必须与它相同。{detail}",
        "detail": "{output} 的形状是 {output_shape}，而传入的梯度形状是 {grad_shape}。",
        "detail_output": "{output} 的形状是 {output_shape}。",
        "detail_grad": "传入的梯度形状是 {grad_shape}。",
        "fix": "让梯度与 {output} 形状相同：`{ones_like_code}`，"
        "或者一个{shape_phrase}的权重张量。",
        "fix_yaml": "让 `grad_tensors:` 的形状与 {output} 相同（{shape_phrase}）："
        "写 `grad_tensors: ones_like`，或者每个元素一个权重，例如 `{example_code}`。",
    },
    "inplace_modified": {
        "title": "反向传播需要的张量被原地修改了",
        "explanation": "前向传播时，autograd 保存了 {tensor}，因为某个梯度公式要用到它的值。"
        "每个张量都有一个版本计数器，每次原地修改都会加一；{versions}，"
        "所以保存下来的值已不是前向传播时用的那个，反向传播拒绝使用它。",
        "versions": "它被保存时是第 {expected_version} 版，现在是第 {version} 版{by_op}",
        "versions_unknown": "它在被保存之后又被原地修改了{by_op}",
        "by_op": "（由 `{op_code}` 修改）",
        "output_of": "（它是 `{op_code}` 的输出）",
        "tensor_shape": "{tensor}（形状 {shape}）",
        "fix": "改用非原地的写法，它会创建新张量，不动被保存的那个："
        "用 `{out_of_place_code}` 代替 `{in_place_code}`。\n"
        "或者先复制一份：`{clone_code}`，再修改这个副本。",
    },
    "leaf_inplace": {
        "title": "对需要梯度的叶子节点做了原地修改",
        "explanation": "{tensor} 是需要梯度的叶子节点：计算图从它开始，它的梯度也存放在它上面。"
        "在 autograd 记录运算的过程中原地修改它{by_op}，会改掉已记录的运算所依赖的输入值，"
        "计算图就不再可靠，所以 PyTorch 禁止这样做。",
        "by_op": "（使用 `{op_code}`）",
        "fix": "如果这是一次参数更新（比如优化器的一步），就在 `torch.no_grad()` 下进行"
        "（优化器正是这样更新参数的；请用这种写法，而不是 `.data`）：\n"
        "    with torch.no_grad():\n"
        "        {in_place_code}\n"
        "如果想让新值进入计算图，就创建一个新张量：`{out_of_place_code}`"
        "（这个名字随后指向一个非叶子节点，梯度仍然会传到原来的叶子节点）。",
    },
    "non_float_requires_grad": {
        "title": "对非浮点张量设置了 requires_grad",
        "explanation": "只有浮点类型（或复数类型）的张量才能设置 `requires_grad=True`："
        "梯度描述的是连续的微小变化，整数和布尔值无法表示。{detail}",
        "detail": "{tensor} 的数据类型是 {dtype}。",
        "detail_nodtype": "{tensor} 不是浮点类型。",
        "fix": "把它变成浮点张量：书写数值时带上小数点，"
        "`torch.tensor([1., 2.], requires_grad=True)`，或者进行转换：`{convert_code}`。",
        "fix_yaml": "在 YAML 的 `tensors:` 条目中，加上 `dtype: float32`。",
    },
    "shape_mismatch": {
        "title": "形状不符合 {function} 的要求",
        "title_broadcast": "形状无法广播",
        "title_other": "形状不匹配",
        "explanation": "{rule}{here}{problem}",
        "fix": "{fix_specific}",
        "rule_mm": "`torch.mm` 只能做两个二维矩阵的乘法：(m×n) @ (n×p) -> (m×p)，"
        "内侧的维度 n 必须相等。",
        "rule_bmm": "`torch.bmm` 做两批矩阵的乘法，只接受三维张量，且批大小必须相同："
        "(b×m×n) @ (b×n×p) -> (b×m×p)。",
        "rule_mv": "`torch.mv` 把一个二维矩阵 (m×n) 与长度为 n 的一维向量相乘，"
        "得到长度为 m 的向量。",
        "rule_dot": "`torch.dot` 只接受两个长度相同的一维向量，返回一个数，即对应元素乘积之和。",
        "rule_matmul": "`torch.matmul`（`@`）可以乘向量（一维）、矩阵（二维）或批量矩阵："
        "第一个的最后一维必须等于第二个的倒数第二维（一维时就是它唯一的维度），"
        "前面的批维度按广播规则对齐。",
        "rule_broadcast": "逐元素运算（`+ - * /` 等）会进行广播：从最右边开始逐维比较形状，"
        "每一对大小必须相等，或者其中一个为 1（缺少的维度视为 1）。",
        "rule_view": "`view` 在不复制数据的前提下给出新形状：元素个数必须保持不变，"
        "并且内存布局（步长）必须允许；`reshape` 在必要时会复制数据。",
        "rule_cat": "`torch.cat` 沿某一维拼接张量：它们的维数必须相同，"
        "除拼接维度以外的各维大小也必须相同。",
        "rule_other": "这次运算中各张量的形状不匹配。",
        "here": "这里 {items}。",
        "here_same": "这里两个操作数都是 {name}，形状为 {shape}。",
        "here_view": "这里 {name} 的形状是 {shape}，新形状是 {new}。",
        "item_named": "{name} 的形状是 {shape}",
        "operand": "第 {n} 个操作数",
        "bad_ndim": "{name} 是 {ndim} 维的，但 `{function}` 需要{need}。",
        "need_2d": "二维矩阵",
        "need_3d": "三维张量",
        "need_matrix": "第一个参数是二维矩阵",
        "need_vector": "第二个参数是一维向量",
        "need_1d": "一维向量",
        "need_1d_or_more": "至少一维的张量",
        "inner_differ": "内侧维度不一致：前一个是 {left}，后一个是 {right}。",
        "batch_differ": "批大小不一致：前一个是 {left}，后一个是 {right}。",
        "length_differ": "长度不一致：前一个是 {left}，后一个是 {right}。",
        "broadcast_dim": "从右数第 {k} 维的大小分别是 {left} 和 {right}：不相等，也都不是 1。",
        "view_count": "{shape} 有 {numel} 个元素，而新形状 {new} 需要 {new_numel} 个。",
        "view_infer": "使用 -1 时，其余各维的乘积是 {known}，"
        "而 {numel} 个元素无法按每组 {known} 个分开。",
        "view_bad_size": "大小为 -1 的维最多只能有一个（由 PyTorch 推断），"
        "其他维的大小不能小于 -1。",
        "view_strides": "两个形状都是 {numel} 个元素，所以问题在内存布局：该张量不是连续的"
        "（例如经过 `.t()`、`.transpose()` 或 `.permute()` 之后）。",
        "cat_ndim": "它们的维数不同。",
        "cat_one_dim": "它们只在第 {dim} 维上不同，所以可以沿这一维拼接。",
        "cat_dims": "它们在第 {dims} 维上都不同；只有拼接的那一维可以不同。",
        "fix_transpose": "转置其中一个，让内侧维度相等：`{code}` 得到形状 {result}。",
        "fix_swap": "交换顺序也可以：`{code}` 得到形状 {result}。",
        "fix_keep_2d": "如果想保留二维结果，请用 `{code}`（形状 {result}）。",
        "fix_batched": "批量矩阵（三维）请用 `{bmm_code}`，或者用 `{matmul_code}`，"
        "它也接受一维和二维输入。",
        "fix_matmul": "改用 `{code}`，它接受一维、二维和批量输入。",
        "fix_mm_for_vector": "矩阵乘向量请用 `{code}`。",
        "fix_squeeze": "把向量变成一维：`{code}`。",
        "fix_dot_same_shape": "两个形状相同的张量，对应元素乘积之和可以写成 `{code}`。",
        "fix_dot_not_1d": "`dot` 需要一维输入：先展平，`{code}`。",
        "fix_batch_same": "让两者的批大小相同：`bmm` 把第一个的第 i 个矩阵"
        "与第二个的第 i 个矩阵相乘。",
        "fix_same_length": "让两个向量长度相同，例如对较长的那个做切片。",
        "fix_batch_equal": "让两者的批大小相同（例如用 `.expand(...)`），"
        "或者改用 `{matmul_code}`，它会广播大小为 1 的批维度。",
        "fix_unsqueeze": "添加大小为 1 的维度，让形状从右边对齐：`{code}` 的形状是 {result}，"
        "可以与 {other} 广播。",
        "fix_broadcast": "对其中一个做 `reshape`、转置或切片，使得从右边起每一对维度都相等或为 1"
        "（`.unsqueeze(dim)` 可以添加大小为 1 的维度）。",
        "fix_view_size": "选择乘积为 {numel} 的各维大小，例如 `{code}`，"
        "或者用 -1 让 PyTorch 推断其中一维：`{infer_code}`。",
        "fix_view_numel": "选择乘积为 {numel} 的各维大小；-1 可以让 PyTorch 推断其中一维，"
        "例如 `{infer_code}`。",
        "fix_view_strides": "改用 `{reshape_code}`（必要时会复制），或者 `{contiguous_code}`。",
        "fix_cat_dim": "沿这一维拼接：`{code}`。",
        "fix_cat": "让其余各维大小一致（切片、填充或 `reshape`），或者沿它们不同的那一维拼接。",
        "fix_generic": "在这一行之前打印每个操作数的 `.shape`，"
        "然后对其中一个做 `reshape`、转置或切片，使形状符合上面的规则。",
    },
    "device_mismatch": {
        "title": "张量位于不同的设备上",
        "explanation": "{function} 收到了位于不同设备上的张量{devices}。"
        "一次运算只在一个设备上执行，所以它的所有张量都必须在那个设备上。",
        "devices": "（{devices}）",
        "one_operation": "一次运算",
        "fix": "把另一个张量移到同一设备上：`{move_code}`"
        "（或者创建时就指定 `device=\"{target}\"`）。若想全部在 CPU 上运行，使用 `--device cpu`。",
    },
    "dtype_mismatch": {
        "title": "张量的数据类型不一致",
        "explanation": "{function} 收到了数据类型不同的张量{dtypes}，它要求类型一致，"
        "并不会自动转换。",
        "dtypes": "（{dtypes}）",
        "one_operation": "一次运算",
        "fix": "把另一个张量转换成 {target}：`{convert_code}`"
        "（`.float()` 得到 float32，`.double()` 得到 float64）。",
    },
    "unknown_name": {
        "title": "使用了未定义的名字",
        "explanation": "这里用到了 {name}，但在此之前没有给它赋过值。{known}",
        "known": "目前已定义的名字：{names}。",
        "fix": "先定义它：把它加到 `tensors:` 下，或者在前面的步骤中赋值（`{name_code} = ...`）。",
        "fix_py": "先定义它：在前面的某一行给它赋值（`{name_code} = ...`）。",
        "short_form": "在简写形式中，`expression:` 的结果名叫 {out}：`grad_tensors:` "
        "可以使用它以及 `tensors:` 下的张量。",
        "fix_short_form": "写成 `{code}`。",
        "title_attribute": "没有这个属性（是不是拼错了？）",
        "explanation_attribute": "{owner}没有属性 {name}：PyTorch 中没有这个名字，"
        "很可能是拼写错误。",
        "owner_tensor": "张量",
        "owner_torch": "`torch` ",
        "owner_F": "`F`（torch.nn.functional）",
        "owner_autograd": "`torch.autograd` ",
        "owner_nn": "`torch.nn` ",
        "owner_optim": "`torch.optim` ",
        "fix_suggestion": "你是不是想写 `{suggestion_code}`？",
    },
    "not_allowed": {
        "title": "被安全解释器拒绝",
        "explanation": "场景文件只能创建张量并对其运行 autograd；"
        "任何可能触及外部的东西（Python 内部机制、文件、其他模块、其他内置函数）"
        "都会在运行之前被拒绝。这里被拒绝的是：{what}。",
        "reason": "{what}（{reason}）",
        "fix": "删除它，或者只用场景允许的 torch 函数、张量方法和属性来写同样的计算。",
    },
    "limit_exceeded": {
        "title": "超出资源限制",
        "explanation": "gradexplain 会限制场景可以使用的资源，以免来路不明的文件耗尽机器资源。"
        "{what}的上限是 {maximum}，而这个场景将达到 {value}。",
        "explanation_message": "gradexplain 会限制场景可以使用的资源，"
        "以免来路不明的文件耗尽机器资源：{message}",
        "what_unknown": "资源用量",
        "fix": "把它改小（更少的元素、迭代或语句）；如果确实需要，可以提高上限：`{flag_code}`。",
        "fix_noflag": "把它改小（更少的元素、迭代或语句）。",
    },
    "invalid_scenario": {
        "title": "场景文件无法使用",
        "explanation": "场景文件无法读取、解析或校验，因此什么都没有运行：{message}",
        "fix": "按上面指出的位置修改文件，然后重新运行。",
    },
    "device_unavailable": {
        "title": "设备不可用",
        "explanation": "场景要求使用设备 `{device_code}`，但这台机器上没有。{available}",
        "explanation_nodevice": "所要求的设备在这台机器上不存在。{available}",
        "available": "可用的设备：{devices}。",
        "fix": "用 `--device cpu` 在 CPU 上运行（或在文件中写 `device: cpu`）。",
        "fix_other": "也可以使用可用的设备：{options}。",
    },
    "torch_error": {
        "title": "PyTorch 报错",
        "explanation": "PyTorch 报了一个 gradexplain 没有专门解释的错误。原始报错：{message}",
        "fix": "仔细阅读 PyTorch 的原始报错：它通常会指出是哪个运算出错，以及涉及的形状或数据类型；"
        "据此检查上面所示的语句。",
        "title_code": "代码中的错误",
        "explanation_code": "这一步的代码本身有错误（不是 PyTorch 报的错）：{message}",
        "fix_code": "按照上面的信息修改所示的语句。",
    },
}

NOTES: dict[str, dict[str, str]] = {
    "non_leaf_grad": {
        "text": "`{tensor_code}.grad` 是 None，因为 {tensor} 不是叶子节点：{made_by}。"
        "`backward()` 只把梯度存放在叶子节点上（需要梯度、且不是由其他张量计算得到的张量）"
        "{leaves}。如果还想保留 {tensor} 的梯度，请在 `backward()` 之前调用 `{retain_code}`。",
        "made_by": "它是由 {grad_fn} 产生的",
        "made_by_unknown": "它是由其他张量计算得到的",
        "leaves": "，这里的叶子节点是 {leaves}",
        "leaves_call": "，第 {call} 次调用中的叶子节点是 {leaves}",
        "unnamed_leaf": "{tensor} 背后那个没有名字的叶子节点",
        "code_leaf": "那个没有名字的叶子节点是由 `{code}` 创建的张量，"
        "{tensor} 只是它的视图或计算结果，"
        "所以梯度落在那个叶子节点上，而不是 {tensor} 上（有些教程在这里打印出了梯度，"
        "但 PyTorch 实际给出的是 None）。要读到这个梯度，先给叶子节点起个名字"
        "（`base = {code}`），再由 `base` 得到 {tensor}；之后 `base.grad` 里就是它。",
    },
    "accumulated": {
        "text": "{by_call}把梯度累加到了 `{tensor_code}.grad` 上，而不是替换它{equation}。"
        "在清零之前，`.grad` 会在多次 `backward()` 调用之间不断累加"
        "（用 `{zero_code}` 清零，训练时用 `optimizer.zero_grad()`）。",
        "by_call": "第 {call} 次调用",
        "by_unknown": "这次 `backward()` 调用",
        "equation": "：{before} + {added} = {after}",
        "again": "第 {calls} 次调用又在其上继续累加。",
        "text_also": "{by_call}也把梯度累加到了 `{tensor_code}.grad` 上{equation}"
        "（用 `{zero_code}` 清零）。",
        "text_unnamed": "{by_call}把梯度累加到了由 `{code}` 创建的那个没有名字的叶子节点的 `.grad` "
        "上，而不是替换它{equation}。在清零之前，`.grad` 会在多次 `backward()` 调用之间不断累加；"
        "要把它清零，先给这个叶子节点起个名字（`base = {code}`，再由 `base` 继续计算），"
        "然后调用 `base.grad.zero_()`。",
    },
    "broadcast_sum": {
        "text": "{tensor}{leaf_shape}{in_op}被广播{to_shape}，所以它的每个元素都在 {positions}"
        "上被使用；它的梯度是所有这些位置贡献之和。{dims}{flow}{reduce}",
        "dims": "广播时{changes}：每个元素都要在{over}上求和。",
        "added_one": "新增了第 {dims} 维",
        "added_many": "新增了第 {dims} 维",
        "stretched": "把第 {dim} 维从 1 扩展到 {size}",
        "over_all": " {shape} 的全部 {positions} 个位置",
        "over": " {positions} 个位置",
        "flow": "在这次调用中，到达广播结果的梯度是 {arrived}；在这些位置上求和后，"
        "传给 {operand} 的是 {summed}。",
        "flow_mul": "在这次调用中，到达广播结果的梯度是 {arrived}；乘以 `{op_code}` 的另一个"
        "操作数后，这些位置上的梯度是 {contribution}，求和后传给 {operand} 的是 {summed}。",
        "flow_other": "在这次调用中，到达广播结果的梯度是 {arrived}；按链式法则经过 "
        "`{op_code}` 后，这些位置上的梯度是 {contribution}，求和后传给 {operand} 的是 {summed}。",
        "flow_sum_only": "在这次调用中，这些位置上的贡献求和为 {summed}，传给了 {operand}。",
        "reduce_mean": "{output} 是对 {numel} 个元素取的 `.mean()`，它会把每一份贡献都除以 "
        "{numel}：{grad}。",
        "reduce_sum": "{output} 是对 {numel} 个元素求的 `.sum()`；换成 `.mean()` 会把每一份"
        "贡献都除以 {numel}：{grad}。",
        "reduce_ones": "这次调用的 `grad_tensors` 在 {output} 的 {numel} 个元素上全是 1，"
        "效果与 `.sum()` 相同；换成 `.mean()` 会把每一份贡献都除以 {numel}：{grad}。",
        "grad_is": "这里 `{code}.grad` 是 {added}；若改用 {other_code}，它会是 {other}",
        "grad_adds": "这次调用给 `{code}.grad` 加上了 {added}；若改用 {other_code}，"
        "加上的会是 {other}",
        "reduce_unknown": "如果 {output} 用的是 `.mean()` 而不是 `.sum()`，每一份贡献都会再除以"
        "参与平均的元素个数。",
        "leaf_shape": "（形状 {shape}）",
        "via": "（经由 {via}）",
        "via_shape": "（经由 {via}，形状 {shape}）",
        "to_shape": "成 {shape}",
        "in_op": "在 `{op_code}` 中",
        "positions": "{positions} 个位置",
        "positions_unknown": "多个位置",
        "output_unknown": "输出",
    },
    "graph_rebuilt": {
        "text": "{where}{each}都重新计算了前向传播，"
        "所以每次 `backward()` 都经过一张新的计算图：不需要 `retain_graph=True`。"
        "{grads}",
        "accumulate": "不过除非清零（{zero_code}，或在简写形式中设置 `zero_grad: true`），"
        "{leaves} 的梯度仍会在迭代之间累加。",
        "accumulate_code": "不过除非清零（{zero_code}），{leaves} 的梯度仍会在迭代之间累加。",
        "zero_optimizer": "在每次迭代中调用 `{optimizer}.zero_grad()`",
        "accumulate_unknown_code": "不过除非清零（对每个参数调用 `.grad.zero_()`，或调用 "
        "`optimizer.zero_grad()`），梯度仍会在迭代之间累加。",
        "accumulate_unknown": "不过除非清零（对每个参数调用 `.grad.zero_()`，或在简写形式中设置 "
        "`zero_grad: true`），梯度仍会在迭代之间累加。",
        "zeroed": "{leaves} 的梯度在之后每次调用前都已清零，所以每次调用得到的梯度只属于该次迭代。",
        "recreated": "{leaves} 在每次迭代中都被重新创建：每个新张量的 `.grad` 都从 None 开始，"
        "所以梯度不会在迭代之间累加，`{code}.grad` 只是最后一次迭代的梯度。",
        "recreated_many": "{leaves} 在每次迭代中都被重新创建：每个新张量的 `.grad` 都从 None "
        "开始，所以梯度不会在迭代之间累加。",
        "zero_code_sep": "、",
        "each": " {iterations} 次迭代每次",
        "each_unknown": "每次迭代",
        "where_repeat": "`repeat` 的",
        "where_loop": "`for` 循环的",
    },
    "no_gradient": {
        "text": "{tensor} 需要梯度，但 {output} 的计算没有用到它，所以{by_call}没有给它加上任何"
        "梯度：它的 `.grad` 保持原样（从未设置过则为 None）。",
        "by_call": "第 {call} 次调用",
        "by_unknown": "这次 `backward()` 调用",
        "text_many": "{tensors} 需要梯度，但 {output} 的计算没有用到它们，所以{by_call}没有给"
        "它们加上任何梯度：它们的 `.grad` 保持原样（从未设置过则为 None）。",
    },
    "non_finite_grad": {
        "text": "{subject}中出现了 {value}{at}{by_op}。{origin}{cause}{advice}",
        "at_one": "（位置 {positions}）",
        "at_some": "（位置 {positions}，共 {count} 个，总共 {numel} 个元素）",
        "at_first": "（位置 {positions} 等，共 {count} 个，总共 {numel} 个元素）",
        "at_all": "（全部 {numel} 个元素）",
        "advice": "让输入远离出问题的点：对它做 `clamp`，或者加上一个很小的 `eps`，"
        "例如 `{fix_code}`。",
        "advice_nan": "先查出 nan 从哪里来，或者在这个运算之前把它替换掉，例如 `{fix_code}`。",
        "advice_grad_tensors": "检查传给这次调用的梯度：它必须是有限值。",
        "origin_operation": "它最早出现在 `{node}`，即{op}的反向传播：传入的梯度都是有限值，"
        "它却{grad_for}产生了 {produced}{input}。",
        "op": " `{op_name}` ",
        "op_made": "生成 `{made}` 的 `{op_name}` ",
        "grad_for": "为 `{tensor}` ",
        "input": "；它的输入 `{input}` 在位置 {position} 上的值是 {value}",
        "input_scalar": "；它的输入 `{input}` 的值是 {value}",
        "input_unnamed": "；它的某个输入在位置 {position} 上的值是 {value}",
        "input_unnamed_scalar": "；它的某个输入的值是 {value}",
        "origin_grad_tensors": "它并非来自某个运算：传给这次调用的梯度（`grad_tensors`）"
        "本身就含有 {produced}。",
        "origin_not_found": "没有哪一个运算是从有限的传入梯度中产生它的：它可能来自把一个张量"
        "多处使用的梯度相加时发生的溢出。",
        "origin_not_traced": "没有追踪它最早出现的位置：计算图有 {nodes} 个节点，超过了 "
        "gradexplain 用钩子监视的上限 {limit}。",
        "origin_not_traced_loop": "没有追踪它最早出现的位置：这次调用是同一语句多次调用中的一次，"
        "这类调用只在输出为 inf 或 nan 时才追踪（`--calls all` 会追踪每一次调用）。",
        "subject": "{tensor} 的梯度",
        "subject_call": "第 {call} 次调用之后，{tensor} 的梯度",
        "by_op": "，由 `{op_code}` 产生",
        "value_unknown": "inf 或 nan",
        "cause_sqrt": "sqrt 的导数是 1/(2·sqrt(x))，在 x = 0 处为 inf。",
        "cause_log": "log 的导数是 1/x，在 x = 0 处为 inf。",
        "cause_div": "除以零（或极小的数）会得到 inf。",
        "cause_pow": "分数次幂或负数次幂在 0 处的导数是无穷大。",
        "cause_mul": "a·b 对 a 的导数是 b：另一个因子里的 inf 会得到 inf，而 0 × inf 得到 nan。",
        "cause_nan": "输入中的 nan 会让由它算出的每个梯度都变成 nan。",
    },
}

LABELS: dict[str, str] = catalogue_zh_labels.LABELS

LIMITS: dict[str, str] = {
    "max_elements": "单个张量的元素个数",
    "max_file_bytes": "场景文件的字节数",
    "max_statement_chars": "单条语句的字符数",
    "max_depth": "嵌套深度",
    "max_statements": "场景中的语句数",
    "max_loop_iterations": "单个循环的迭代次数",
    "max_executed": "一次运行中执行的语句数",
    "max_number_bits": "普通整数的位数",
    "max_memory": "运行占用的内存字节数",
    "max_seconds": "运行时间（秒）",
    "max_call_depth": "函数调用的嵌套深度",
    "max_output_chars": "一段输出文本的字符数",
}
