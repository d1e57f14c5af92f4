"""Input errors (invalid_scenario, not_allowed, limit_exceeded, ...) in Simplified Chinese.

Keyed by the English text with its variable parts as `{placeholders}`, the way gettext keys
messages by their English text: the code that raises the error keeps writing plain
English, and this table gives the Chinese sentence. A placeholder stands for code, keys,
paths or numbers the user wrote, and goes into the Chinese text exactly as it was.
`{a_kind}` stands for a description of a value ("a list", "a string ('x')"), which
KIND_FRAGMENTS puts into Chinese. Messages joined by "; " are looked up part by part, and a
`key.path: ` prefix is kept as it is (explain/input_errors.py does the matching).
"""

from __future__ import annotations

from gradexplain.explain import catalogue_cli as _cli
from gradexplain.explain import catalogue_input_language as _language
from gradexplain.explain import catalogue_input_yaml as _yaml
from gradexplain.explain.catalogue_input_parsers import (
    PYTHON,
    SYSTEM,
    TARGETS,
    YAML,
    YAML_TOKENS,
)

__all__ = ["HINTS", "KIND_FRAGMENTS", "MESSAGES", "PYTHON", "REFUSED", "SYSTEM", "TARGETS",
           "WORDS", "YAML", "YAML_TOKENS"]

MESSAGES: dict[str, str] = {
    # --why's target (options.why_target)
    "not NAME or NAME[i, j] (e.g. x or 'x[0, 1]'): {text}":
        "不是 NAME 或 NAME[i, j] 的形式（例如 x 或 'x[0, 1]'）：{text}",
    "an element's index is whole numbers (e.g. x[0, 1]): {text}":
        "元素的下标是整数（例如 x[0, 1]）：{text}",
    # files
    "no such file: {path}": "找不到文件 {path}",
    "{path} is a directory, not a scenario file": "{path} 是一个目录，不是场景文件",
    "{path} is not a scenario file (its suffix is '{suffix}')":
        "{path} 不是场景文件（后缀是 '{suffix}'）",
    "unknown scenario kind {kind}": "未知的场景类型 {kind}",
    "the snippet is empty": "代码片段是空的",
    "cannot read {path}: {reason}": "无法读取 {path}：{reason}",
    "{path} is a system file ({real}), not a scenario": "{path} 是系统文件（{real}），不是场景",
    "{path} is not a regular file ({kind})": "{path} 不是普通文件（{kind}）",
    "{path} is a symbolic link that leads out of {folder}":
        "{path} 是指向 {folder} 之外的符号链接",
    "cannot save to {path}: {why}": "无法保存到 {path}：{why}",
    "it is outside the working directory": "它不在当前工作目录之内",
    "it is a symbolic link": "它是一个符号链接",
    "it already exists": "它已经存在",
    "it is not a regular file": "它不是普通文件",
    "cannot load {path}: it is a symbolic link": "无法加载 {path}：它是符号链接",
    "cannot load {path}: it is outside the working directory, and the statements are piped in":
        "无法加载 {path}：它不在当前工作目录中，而语句是通过管道输入的",
    "{path} did not load as a scenario, so :load shows none of its lines":
        "{path} 无法作为场景加载，所以 :load 不显示它的任何一行",
    "cannot use '{path}': {reason}": "无法使用 '{path}'：{reason}",
    "no such file, directory or bundled example: '{name}'":
        "没有名为 '{name}' 的文件、目录或内置示例",
    "run_file runs one scenario, and '{path}' holds {count}":
        "run_file 只运行一个场景，而 '{path}' 中有 {count} 个",
    "compare needs one scenario file per path, and '{path}' holds {count}":
        "`compare` 的每个路径只能对应一个场景文件，而 '{path}' 中有 {count} 个",
    "the file is not UTF-8 text (byte {byte} at offset {offset})":
        "文件不是 UTF-8 文本（偏移 {offset} 处的字节是 {byte}）",
    "the file contains a character YAML does not allow ({code})":
        "文件中有 YAML 不允许的字符（{code}）",
    "the code holds a lone surrogate ({code}), which Python source cannot hold":
        "代码中有一个单独的代理字符（{code}），Python 源代码不能包含它",
    # YAML
    "YAML error: {error}": "YAML 错误：{error}",
    "YAML syntax error: {problem}": "YAML 语法错误：{problem}",
    "YAML syntax error: {problem} ({context} at line {line})":
        "YAML 语法错误：{context}（从第 {line} 行开始），{problem}",
    "the file holds more than one YAML document (a second '---')":
        "文件里有不止一个 YAML 文档（出现了第二个 '---'）",
    "YAML aliases ({alias}) are not allowed": "不允许使用 YAML 别名（{alias}）",
    "YAML anchors ({anchor}) are not allowed": "不允许使用 YAML 锚点（{anchor}）",
    "YAML tags such as '{tag}' are not allowed": "不允许使用 '{tag}' 这样的 YAML 标签",
    "a key must be a plain name or number, not a {what}": "键只能是普通的名字或数字，不能是{what}",
    "YAML merge keys (<<) are not allowed": "不允许使用 YAML 合并键（<<）",
    "duplicate key {key} at lines {first} and {second}":
        "键 {key} 重复出现（第 {first} 行和第 {second} 行）",
    "the number {number} is too long": "数字 {number} 太长了",
    # the scenario's keys
    "the scenario is empty": "场景是空的",
    "a scenario must be a mapping of keys (name, tensors, steps, ...), got {a_kind}":
        "场景必须是由键组成的映射（`name`、`tensors`、`steps` 等），这里却是{a_kind}",
    "use either 'expression' or 'steps', not both":
        "'expression' 和 'steps' 只能二选一，不能同时使用",
    "the scenario has neither 'expression' nor 'steps'":
        "场景中既没有 'expression' 也没有 'steps'",
    "'{key}' belongs to the short form (with 'expression'); with 'steps', pass it to backward":
        "'{key}' 属于简写形式（配合 'expression' 使用）；使用 'steps' 时，请把它作为参数传给 "
        "backward",
    "unknown key {key} at line {line}": "第 {line} 行有未知的键 {key}",
    "unknown key {key} in {where} at line {line}": "{where} 中第 {line} 行有未知的键 {key}",
    "did you mean '{close}'?": "是不是想写 '{close}'？",
    "'{key}' must be true or false, got {value}":
        "'{key}' 必须是 `true` 或 `false`，这里却是 {value}",
    "'{key}' must be a string, got {value}": "'{key}' 必须是字符串，这里却是 {value}",
    "'{key}' must be an integer >= {minimum}, got {value}":
        "'{key}' 必须是不小于 {minimum} 的整数，这里却是 {value}",
    "'{key}' must be a mapping, got {a_kind}": "'{key}' 必须是映射，这里却是{a_kind}",
    "'{key}' must be code (a string), got {value}":
        "'{key}' 必须是代码（字符串），这里却是 {value}",
    "'{key}' is empty": "'{key}' 是空的",
    "'device' must be cpu, cuda, cuda:N, mps or auto, got {value}":
        "'device' 必须是 cpu、cuda、cuda:N、mps 或 auto，这里却是 {value}",
    "'dtype' must be one of {dtypes}, got {value}":
        "'dtype' 必须是 {dtypes} 之一，这里却是 {value}",
    "'seed' must be an integer from 0 to 2**64 - 1, got {value}":
        "'seed' 必须是 0 到 2**64 - 1 之间的整数，这里却是 {value}",
    "'tolerance' must be a number >= 0, got {value}":
        "'tolerance' 必须是不小于 0 的数，这里却是 {value}",
    "'steps' must be a list of statements or a block of text, got {a_kind}":
        "'steps' 必须是语句列表或一段文本，这里却是{a_kind}",
    "'grad_tensors' must be a number, a nested list, 'ones_like' or an expression, "
    "got {a_kind}":
        "'grad_tensors' 必须是数字、嵌套列表、'ones_like' 或表达式，这里却是{a_kind}",
    # tensors:
    "no source; give one of {sources}": "没有给出来源；请从 {sources} 中选一个",
    "has two sources ('{first}' and '{second}'); give exactly one":
        "给了两个来源（'{first}' 和 '{second}'）；只能给一个",
    "'full' needs 'fill' (the value to fill with)": "'full' 需要配合 'fill'（用来填充的值）",
    "'fill' only goes with 'full'": "'fill' 只能和 'full' 一起使用",
    "{key}.fill must be a number, got {value}": "{key}.fill 必须是数字，这里却是 {value}",
    "a shape must be a non-negative integer or a list of them, got {value}":
        "形状必须是一个非负整数或由非负整数组成的列表，这里却是 {value}",
    "give [end], [start, end] or [start, end, step], got {value}":
        "请写成 [end]、[start, end] 或 [start, end, step]，这里却是 {value}",
    "start, end and step must be finite numbers": "`start`、`end` 和 `step` 都必须是有限的数",
    "the step must not be 0": "`step` 不能为 0",
    "going from {start} to {end} needs a {sign} step":
        "从 {start} 到 {end} 需要{sign}的 `step`",
    "give [start, end, steps] with steps a whole number >= 0, got {value}":
        "请写成 [start, end, steps]，其中 `steps` 是不小于 0 的整数，这里却是 {value}",
    "unknown dtype {value}": "无法识别的 dtype {value}",
    "{what} is {a_kind}; tensor values must be numbers": "{what} 是{a_kind}；张量的值必须是数字",
    "{what} ({number}) is too large for an integer tensor":
        "{what}（{number}）太大，整数张量放不下",
    "ragged nested list: row {row} has {count}, row {other} has {other_count}":
        "嵌套列表长短不齐：第 {row} 行有 {count}，第 {other} 行有 {other_count}",
    "element {index} is {a_kind} but element {other} is {other_kind}":
        "元素 {index} 是{a_kind}，但元素 {other} 是{other_kind}",
    "tensor name '{name}' is a Python keyword": "张量名 '{name}' 是 Python 关键字",
    "tensor name '{name}' would hide the {module} module": "张量名 '{name}' 会遮住 {module} 模块",
    "tensor name '{name}' is a dunder name, reserved by Python":
        "张量名 '{name}' 是双下划线名字，由 Python 保留",
    "the expr did not produce a tensor": "`expr:` 没有得到张量",
    "the expression did not produce a tensor": "这个表达式没有得到张量",
    # expect:
    "{name} is not a tensor name": "{name} 不是张量的名字",
    "expect.error needs a 'kind'": "expect.error 需要写明 'kind'",
    "expect.error: unknown error kind '{kind}'": "expect.error：无法识别的错误类型 '{kind}'",
    "expect.error: '{kind}' cannot be expected: it means the scenario cannot be used at all, "
    "so it never runs (exit 2)":
        "expect.error：'{kind}' 不能作为预期的错误：它表示场景根本无法使用，"
        "所以场景不会运行（退出码 2）",
    "expect.notes: unknown note kind '{kind}'": "expect.notes：无法识别的说明类型 '{kind}'",
    "format field '{field}' is not allowed: only {{}}, {{0}} or {{name}} (attribute and index "
    "access inside the text could reach Python internals)":
        "不允许格式字段 '{field}'：只能用 {{}}、{{0}} 或 {{name}}（在文本里访问属性或下标可能触及 "
        "Python 内部机制）",
    "expect.error must be an error kind or a mapping {{kind, step, call}}, got {a_kind}":
        "expect.error 必须是一个错误类型，或者形如 {{kind, step, call}} 的映射，这里却是{a_kind}",
    "'plot.y' must be a list of series (NAME or NAME.grad), got {a_kind}":
        "'plot.y' 必须是曲线列表（NAME 或 NAME.grad），这里却是{a_kind}",
    "'{key}' must be a tensor name or NAME.grad, got {a_kind}":
        "'{key}' 必须是张量名或 NAME.grad，这里却是{a_kind}",
    "expect.calls: keys are backward call numbers (1, 2, ...), got {value}":
        "expect.calls：键应是 backward 调用的序号（1、2……），这里却是 {value}",
    # plot:
    "plot needs '{key}'": "`plot:` 需要 '{key}'",
    "'plot.y' is empty": "'plot.y' 是空的",
    "'plot.y' has {count} series; one plot draws at most {maximum}":
        "'plot.y' 有 {count} 条曲线；一张图最多画 {maximum} 条",
    "{value} is not a tensor name or NAME.grad (plot series are names, not code)":
        "{value} 不是张量名或 NAME.grad（`plot:` 的曲线写名字，不写代码）",
    "{value} cannot be a tensor name": "{value} 不能用作张量名",
    # the statement language
    "this {what} is not valid Python: {reason}": "这段{what}不是合法的 Python 写法：{reason}",
    "name '{name}' is not defined": "名字 '{name}' 还没有定义",
    "{owner} has no attribute `{name}`": "{owner} 没有属性 `{name}`",
    "did you mean `{name}`?": "是不是想写 `{name}`？",
    "attribute '{name}' is not allowed": "不允许使用属性 '{name}'",
    "assigning attribute '{name}' of a {what} is not allowed": "不允许给{what}的属性 '{name}' 赋值",
    "class name '{name}' is not allowed": "不允许使用类名 '{name}'",
    "parameter name '{name}' is not allowed": "不允许使用参数名 '{name}'",
    "name '{name}' is not allowed": "不允许使用名字 '{name}'",
    "attribute '{name}' is not allowed (it is not on the allowlist)":
        "不允许使用属性 '{name}'（它不在允许列表中）",
    "attribute '{name}' is not available on a {what}": "{what} 对象没有可用的属性 '{name}'",
    "'{path}' is not allowed": "不允许使用 '{path}'",
    "'{path}' is not allowed (it is not on the allowlist)":
        "不允许使用 '{path}'（它不在允许列表中）",
    "calling '{name}' is not allowed": "不允许调用 '{name}'",
    "the only builtins are print, len and range": "可用的内置函数只有 print、len 和 range",
    "name '{name}' is not allowed: private and dunder names reach Python internals":
        "不允许使用名字 '{name}'：私有名字和双下划线名字会触及 Python 内部机制",
    "'{name}' can only be used in a for loop": "'{name}' 只能在 for 循环中使用",
    "{path}() is only allowed as `with {path2}():`": "{path}() 只能写成 `with {path2}():`",
    "a value of type {type} cannot be used here": "这里不能使用 {type} 类型的值",
    "{node} is not allowed": "不允许使用 {node}",
    "a for loop variable must be a plain name": "for 循环变量必须是一个普通的名字",
    "for loops may only iterate over range(...)": "for 循环只能遍历 range(...)",
    "for ... else is not part of the language": "场景语言不支持 for ... else",
    "only `import torch` and `import torch.nn.functional as F` are accepted; other imports "
    "could load any code":
        "只接受 `import torch` 和 `import torch.nn.functional as F`；其他导入可能加载任意代码",
    "bytes literals are not allowed": "不允许使用字节串字面量（`b'...'`）",
    "string literals are only allowed inside print(...) and as a device= argument":
        "字符串字面量只能出现在 print(...) 中，或作为 device= 参数",
    "'...'.format(...) is only allowed inside print(...)":
        "'...'.format(...) 只能在 print(...) 中使用",
    "only a string literal's .format(...) is allowed": "只允许对字符串字面量调用 .format(...)",
    "{value} is not a device string": "{value} 不是设备字符串",
    "only `with torch.no_grad():` and `with torch.enable_grad():` blocks are allowed":
        "只允许 `with torch.no_grad():` 和 `with torch.enable_grad():` 代码块",
    "`with ... as name` is not needed here": "这里不需要 `with ... as name`",
    "range(...) is only allowed in `for i in range(...):`":
        "range(...) 只能用在 `for i in range(...):` 中",
    "`*args` unpacking is not allowed": "不允许 `*args` 解包",
    "`**kwargs` unpacking is not allowed": "不允许 `**kwargs` 解包",
    "keyword '{name}' is not allowed": "不允许使用关键字参数 '{name}'",
    "bad format string: {reason}": "格式字符串有误：{reason}",
    "format spec '{spec}' is not allowed: only simple numeric specs such as .4f":
        "不允许格式说明 '{spec}'：只能用 .4f 这样简单的数字格式",
    "format specs must be plain text such as .4f": "格式说明必须是 .4f 这样的纯文本",
    "augmented assignment only to a plain name": "增量赋值只能赋给普通的名字",
    "annotated assignments are not part of the language": "场景语言不支持带类型注解的赋值",
    "assigning to attribute '{name}' is not allowed": "不允许给属性 '{name}' 赋值",
    "item assignment (`x[i] = ...`) is not allowed": "不允许按下标赋值（`x[i] = ...`）",
    "only names can be assigned to": "只能给名字赋值",
    "{what} are not part of the statement language": "场景语言不支持{what}",
    "{what} are not allowed in scenario code": "场景代码中不允许使用{what}",
    "f-strings are only allowed inside print(...)": "f-string 只能在 print(...) 中使用",
    # limits and devices
    "limit exceeded: {what} would be {value}, the limit is {maximum}":
        "超出限制：{what}将达到 {value}，上限是 {maximum}",
    "limit exceeded: {what} reached {value}, over the limit of {maximum}":
        "超出限制：{what}达到了 {value}，超过了上限 {maximum}",
    "limit exceeded: showing the result took {seconds} seconds, over the limit of {maximum}":
        "超出限制：显示结果用了 {seconds} 秒，超过了 {maximum} 秒的限制",
    "device '{device}' is not available on this machine (it has: {available})":
        "这台机器上没有设备 '{device}'（可用的有：{available}）",
    # gradexplain plot
    "--steps must be at least 2 (got {steps})": "--steps 至少为 2（这里是 {steps}）",
    "--range needs two finite numbers, the first below the second (got {start} {stop})":
        "--range 需要两个有限的数，且第一个小于第二个（这里是 {start} {stop}）",
    "the expression must give one value per x: a tensor of shape [{steps}], like x "
    "(got {shape})":
        "表达式必须对每个 x 给出一个值：即与 x 一样、形状为 [{steps}] 的张量（这里是 {shape}）",
    "the expression does not depend on x, so it has no gradient to plot":
        "表达式不依赖 x，所以没有梯度可画",
    "backward failed: {reason}": "反向传播失败：{reason}",
    "{name} has no `plot:` section, so there is nothing to draw":
        "{name} 没有 `plot:` 部分，没有可画的内容",
    "{name} makes no backward call, so there is no trend to draw":
        "{name} 没有调用反向传播，没有可画的趋势",
    "{name} stopped on an error [{kind}] before its plot could be drawn: {message}":
        "{name} 在画图之前就因错误 [{kind}] 停止了：{message}",
    "cannot plot {series}: {reason}": "无法画出 {series}：{reason}",
    "{name} did not reach its d2l.plot(...) call, so there is nothing to draw":
        "{name} 没有运行到 d2l.plot(...) 调用，没有可画的内容",
    "type(...) takes one value here: making classes is not part of the language":
        "这里的 type(...) 只接受一个值：场景语言不支持用它创建类",
    # why a plot series cannot be drawn (engine/plotdata)
    "{name}.grad is None: {name2} does not require grad":
        "{name}.grad 是 None：{name2} 不需要梯度",
    "{name}.grad is None: {name2} is not a leaf, so backward does not keep its grad "
    "(call {name3}.retain_grad() before backward)":
        "{name}.grad 是 None：{name2} 不是叶子节点，backward 不会保留它的梯度"
        "（请在 backward 之前调用 {name3}.retain_grad()）",
    "{name}.grad is None: no backward call reached {name2}":
        "{name}.grad 是 None：没有哪次 backward 调用传到了 {name2}",
    "{series} has shape ({shape}); a plot needs 1-D tensors":
        "{series} 的形状是 ({shape})；画图需要一维张量",
    "{series} has shape ({shape}); a plot needs 1-D tensors (use .flatten() in the steps and "
    "name the result)":
        "{series} 的形状是 ({shape})；画图需要一维张量（请在各步骤中用 .flatten() 展平，"
        "并给结果起个名字）",
    "{series} has {count} values but x has {length}":
        "{series} 有 {count} 个值，而 x 有 {length} 个",
    "each series needs one value per x": "每条曲线都要对每个 x 给出一个值",
    "{series} has {count} values": "{series} 有 {count} 个值",
    "a plot draws at most {maximum}": "一张图最多画 {maximum} 个点",
    "{count} more series not drawn": "另有 {count} 条曲线没有画出",
    "a plot draws at most {maximum} series": "一张图最多画 {maximum} 条曲线",
    "{series} is complex ({dtype})": "{series} 是复数（{dtype}）",
    "a plot needs real numbers": "画图需要实数",
    "'{name}' is not a tensor (it is {type})": "'{name}' 不是张量（它是 {type}）",
    "no tensor named '{name}' at the end of the run":
        "运行结束时没有名为 '{name}' 的张量",
    "the tensors are: {names}": "现有的张量有：{names}",
}

HINTS: dict[str, str] = {
    "scenarios are ordinary .yaml, .yml or .py files": "场景是普通的 .yaml、.yml 或 .py 文件",
    "scenarios are ordinary files; a pipe or device cannot be one":
        "场景是普通文件；管道或设备不能作为场景",
    "name the file it points to directly if you mean to run it":
        "如果确实要运行它，请直接写出它指向的文件",
    "load the file it points to by its own name": "请直接用它指向的文件本身的名字来加载",
    "rerun with --allow-load to let piped statements load files from anywhere":
        "如需让管道输入的语句加载任意位置的文件，请加上 --allow-load 重新运行",
    "if it is your scenario, `gradexplain run {path}` shows what is wrong with it":
        "如果这是你的场景，`gradexplain run {path}` 会显示它哪里有问题",
    "check the path": "检查路径",
    "--calls draws the loss and grad norms of a training loop":
        "--calls 画出训练循环的损失和梯度范数",
    "check the path; scenarios are .yaml, .yml or .py files":
        "检查路径；场景文件是 .yaml、.yml 或 .py 文件",
    "pass the .yaml/.yml/.py files in it, or the directory to `run`":
        "传入其中的 .yaml/.yml/.py 文件，或者把整个目录交给 `run`",
    "name YAML scenarios .yaml or .yml and Python snippets .py":
        "YAML 场景以 .yaml 或 .yml 结尾，Python 代码片段以 .py 结尾",
    "scenarios are YAML (.yaml, .yml) or Python snippets (.py)":
        "场景是 YAML 文件（.yaml、.yml）或 Python 代码片段（.py）",
    "write statements, e.g. `x = torch.ones(2, requires_grad=True)`":
        "写几条语句，例如 `x = torch.ones(2, requires_grad=True)`",
    "check the path and its permissions": "检查路径及其权限",
    "check the file exists and is readable": "检查文件是否存在、是否可读",
    "did you mean the bundled example '{name}'? (gradexplain run {name2})":
        "是不是想运行内置示例 '{name}'？（gradexplain run {name2}）",
    "run `gradexplain run` with no path to list the bundled examples":
        "不带路径运行 `gradexplain run` 可以列出所有内置示例",
    "name a single .yaml, .yml or .py file": "只写一个 .yaml、.yml 或 .py 文件",
    "save the scenario as UTF-8 text; binary files cannot be scenarios":
        "把场景保存为 UTF-8 文本；二进制文件不能作为场景",
    "remove control characters; a scenario is plain text": "删除控制字符；场景是纯文本",
    "inside a string, write it as an escape (\"\\ud800\"); save code as UTF-8 text":
        "在字符串里请写成转义形式（\"\\ud800\"）；代码请保存为 UTF-8 文本",
    "check the file is a YAML mapping of scenario keys": "检查文件是否是由场景键组成的 YAML 映射",
    "indent YAML with spaces, not tabs": "YAML 要用空格缩进，不能用 Tab",
    "a value that contains ': ' must be in quotes, e.g. - 'print(\"a: b\")'":
        "含有 ': ' 的值必须加引号，例如 - 'print(\"a: b\")'",
    "check indentation and quoting near here; text with ':', '#' or quotes needs quotes":
        "检查这附近的缩进和引号；含有 ':'、'#' 或引号的文本需要加引号",
    "a scenario is one document; put each in its own file":
        "一个场景就是一个文档；每个场景单独放一个文件",
    "write the value out again; aliases can make a small file huge":
        "把值重新写一遍；别名会让一个小文件膨胀得很大",
    "write the value out where it is needed; anchors and aliases can make a small file "
    "expand to a huge one":
        "在需要的地方把值写出来；锚点和别名会让一个小文件膨胀得很大",
    "remove the tag": "删除标签",
    "scenario values are plain numbers, strings, lists and mappings":
        "场景中的值只能是普通的数字、字符串、列表和映射",
    "write `name: value` pairs": "写成 `name: value` 这样的键值对",
    "write the keys out in full": "把键完整地写出来",
    "give each key once; YAML would silently keep only the last":
        "每个键只写一次；否则 YAML 会悄悄地只保留最后一个",
    "write it with fewer digits": "少写几位数字",
    "a scenario needs at least `expression:` or `steps:`":
        "场景至少需要 `expression:` 或 `steps:`",
    "write `key: value` lines, e.g. `steps: |`": "写成 `key: value` 形式的行，例如 `steps: |`",
    "'expression' is the short form (one output, then backward); 'steps' runs statements":
        "'expression' 是简写形式（一个输出，然后 backward）；'steps' 用来运行语句",
    "add `expression: (x * 2).sum()` (short form) or `steps:` with statements":
        "加上 `expression: (x * 2).sum()`（简写形式），或者加上写有语句的 `steps:`",
    "e.g. {example}": "例如 {example}",
    "the keys {what} are: {keys}": "{what}可用的键有：{keys}",
    "YAML reads yes/no/on/off as true/false": "YAML 会把 yes/no/on/off 读成 true/false",
    "put the text in quotes": "给文本加上引号",
    "put the text in quotes, or give one per language: `description: {{en: ..., zh: ...}}`":
        "给文本加上引号，或者按语言分别给出：`description: {{en: ..., zh: ...}}`",
    "YAML read the ': ' in it as a key and value; put the statement in quotes, "
    "e.g. - 'print(\"a: b\")'":
        "YAML 把其中的 ': ' 当成了键和值；请给语句加上引号，例如 - 'print(\"a: b\")'",
    "write the code here": "在这里写代码",
    "'auto' picks the first available of cuda, mps, cpu":
        "'auto' 会按 cuda、mps、cpu 的顺序选第一个可用的设备",
    "the scenario dtype is for floating tensors; give one tensor an integer dtype with "
    "tensors.NAME.dtype":
        "场景的 dtype 只用于浮点张量；要让某个张量用整数类型，请写 tensors.NAME.dtype",
    "write `steps: |` and the statements indented below it":
        "写 `steps: |`，再在下面缩进写出各条语句",
    "give at least one statement": "至少写一条语句",
    "one statement per item, e.g. `- y = x * 2`": "每项一条语句，例如 `- y = x * 2`",
    "keep either {first} or {second}": "只保留 {first} 或 {second} 之一",
    "use letters, digits and _, not starting with a digit, e.g. x or w_1":
        "使用字母、数字和 _，不要以数字开头，例如 x 或 w_1",
    "choose another name, e.g. '{name}'": "换一个名字，例如 '{name}'",
    "choose another name; torch and F are always available to the steps":
        "换一个名字；torch 和 F 在各步骤中总是可用的",
    "choose a plain name such as x": "换一个普通的名字，例如 x",
    "remove the quotes": "去掉引号",
    "write numbers, e.g. 1.5 or [[1, 2], [3, 4]]; for code use {{expr: ...}}":
        "写数字，例如 1.5 或 [[1, 2], [3, 4]]；要写代码请用 {{expr: ...}}",
    "write it as a float, e.g. 1e30": "写成浮点数，例如 1e30",
    "every row must have the same length": "每一行的长度必须相同",
    "every row must have the same shape": "每一行的形状必须相同",
    "use the names from tensors: or the steps": "使用 tensors: 或各步骤中的名字",
    "fix the input instead; expectable kinds: {kinds}": "请改正输入；可以预期的错误类型有：{kinds}",
    "expectable kinds: {kinds}": "可以预期的错误类型有：{kinds}",
    "note kinds: {kinds}": "说明类型有：{kinds}",
    "dtypes: {dtypes}": "可用的 dtype：{dtypes}",
    "split them over several scenarios": "把它们分到几个场景里",
    "give at least one series, e.g. [x.grad]": "至少给出一条曲线，例如 [x.grad]",
    "compute anything else in the steps and name it": "其他的量请在各步骤中算出来并起个名字",
    "check brackets, quotes and indentation; one statement per line":
        "检查括号、引号和缩进；每行一条语句",
    "write `for i in range(n):`": "写成 `for i in range(n):`",
    "torch and F are always available; remove the import": "torch 和 F 总是可用的；删除这条导入",
    "tensor code needs no strings; write device='cpu' for devices":
        "张量代码不需要字符串；设备请写成 device='cpu'",
    "see the statement language in the README for what scenario code may use":
        "场景代码能用哪些写法，见 README 中对场景语言的说明",
    "use 'cpu', 'cuda', 'cuda:0' or 'mps'": "请用 'cpu'、'cuda'、'cuda:0' 或 'mps'",
    "write `with torch.no_grad():`": "写成 `with torch.no_grad():`",
    "compute the value as an argument: '{{}}'.format(x.grad)":
        "把值作为参数算出来：'{{}}'.format(x.grad)",
    "write `name = name + value` or `name += value`":
        "写成 `name = name + value` 或 `name += value`",
    "drop the annotation: `x = ...`": "去掉类型注解：`x = ...`",
    "attributes such as .grad or .data are read-only here; use x.grad.zero_() to clear a "
    "gradient":
        ".grad、.data 这样的属性在这里是只读的；要清除梯度，请用 x.grad.zero_()",
    "build a new tensor, e.g. with torch.where(mask, value, x)":
        "构造一个新张量，例如用 `torch.where(mask, value, x)`",
    "write `name = ...`": "写成 `name = ...`",
    "scenarios use assignments, expressions, print, `for ... in range(...)` and "
    "`with torch.no_grad():`":
        "场景只使用赋值、表达式、print、`for ... in range(...)` 和 `with torch.no_grad():`",
    "did you mean '{name}'?": "是不是想写 '{name}'？",
    "check the spelling: `{name}`": "检查拼写：`{name}`",
    "write a tensor's name, or NAME.grad for its gradient, e.g. x.grad":
        "写张量的名字，或者用 NAME.grad 表示它的梯度，例如 x.grad",
    "assign it first, or declare it under tensors:": "先给它赋值，或者在 tensors: 下声明它",
    "if this is intended, raise it with {flag} (for example {flag2} {value})":
        "如果确实需要，可以用 {flag} 调高上限（例如 {flag2} {value}）",
    "the output is too large to show in time: print or show less (a slice, a shape, a sum), "
    "leave out --full, or raise --max-seconds":
        "输出太大，无法在限定时间内显示：少打印或少显示一些（取切片、形状或总和），去掉 --full，"
        "或者调高 --max-seconds",
    "run with --device cpu, or --device auto to pick the best one available":
        "用 --device cpu 运行，或者用 --device auto 自动挑选最合适的可用设备",
    "use elementwise operations of x, e.g. `torch.tanh(x) * x`":
        "对 x 使用逐元素运算，例如 `torch.tanh(x) * x`",
    "use x in the expression, e.g. `x ** 2`": "在表达式中用上 x，例如 `x ** 2`",
    "add one, e.g. `plot: {{x: x, y: [x.grad], title: grad of x}}`; or plot an expression of "
    "x: gradexplain plot \"torch.relu(x)\"":
        "加上一个，例如 `plot: {{x: x, y: [x.grad], title: grad of x}}`；"
        "或者画一个关于 x 的表达式：gradexplain plot \"torch.relu(x)\"",
    "see it explained: gradexplain run {name}": "查看对它的解释：gradexplain run {name}",
    "add a `plot:` section, or call d2l.plot(x, y) in the code":
        "加上 `plot:` 部分，或者在代码中调用 d2l.plot(x, y)",
    "plot: series must be 1-D tensors of the run, as long as x (or their .grad); name what "
    "you want to draw in the steps":
        "plot: 中的曲线必须是运行中得到的一维张量（或它们的 .grad），长度与 x 相同；"
        "要画的量请在各步骤中起好名字",
}

# What `{a_kind}` placeholders hold, in Chinese (the value in brackets stays as written).
KIND_FRAGMENTS: dict[str, str] = {
    "a string ({value})": "字符串 {value}",
    "a boolean ({value})": "布尔值 {value}",
    "a number ({value})": "数字 {value}",
    "a mapping": "映射",
    "a list": "列表",
    "null": "空值 `null`",
    "mapping": "映射",
    "list": "列表",
    "sequence": "序列",
}

# Words that fill other placeholders ("what" in "this {what} is not valid Python").
WORDS: dict[str, str] = {
    "statement": "语句",
    "code": "代码",
    "expression": "表达式",
    "positive": "正",
    "negative": "负",
    "tensor": "张量",
    "tensor method": "张量方法",
    "number": "数字",
    "string": "字符串",
    "of a scenario": "场景",
    "of description": "`description:` ",
    "of a tensor": "张量",
    "of expect": "`expect:` ",
    "of plot": "`plot:` ",
}
WORDS.update({
    # statements and expressions the language leaves out ("{what} are not part of ...")
    "while loops (use `for i in range(n):`)": "while 循环（请用 `for i in range(n):`）",
    "if statements": "if 语句",
    "function definitions": "函数定义",
    "class definitions": "类定义",
    "try statements": "try 语句",
    "lambda (it defines code that runs later)": "lambda（它定义的代码会在之后才运行）",
    "comprehensions (they run hidden loops)": "推导式（其中暗含循环）",
    "generator expressions (they run hidden loops)": "生成器表达式（其中暗含循环）",
    "the walrus operator `:=`": "海象运算符 `:=`",
    "`*` unpacking": "`*` 解包",
    "dict literals": "字典字面量",
    "set literals": "集合字面量",
    # resource limits ("limit exceeded: {what} would be ...")
    "elements in one tensor": "单个张量的元素个数",
    "bytes in a scenario file": "场景文件的字节数",
    "characters in one statement": "单条语句的字符数",
    "nesting depth": "嵌套深度",
    "statements in a scenario": "场景中的语句条数",
    "iterations of one loop": "单个循环的迭代次数",
    "statements executed in one run": "一次运行中执行的语句条数",
    "bits in a plain number": "普通整数的位数",
})

# What the safe interpreter refused, as the explanation names it.
REFUSED: dict[str, str] = {
    "attribute '{name}' on {what}": "{what} 对象的属性 '{name}'",
    "attribute '{name}'": "属性 '{name}'",
    "name '{name}'": "名字 '{name}'",
    "builtin '{name}'": "内置函数 '{name}'",
    "import": "导入语句",
    "format field": "格式字段",
}

MESSAGES.update(_language.MESSAGES)
HINTS.update(_language.HINTS)
WORDS.update(_language.WORDS)
REFUSED.update(_language.REFUSED)
MESSAGES.update(_yaml.MESSAGES)
HINTS.update(_yaml.HINTS)
MESSAGES.update(_cli.MESSAGES)
