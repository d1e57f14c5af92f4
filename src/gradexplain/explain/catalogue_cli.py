"""The command line's and the notebook magic's own words in Simplified Chinese: option
errors (Click's, argparse's, ours), `--help` (usage, headings, each option's help, each
command's description) and the notebook's `%gradexplain --help`.

Keyed by the English text, like catalogue_input: MESSAGES are templates matched by
explain/input_errors (merged into its table); HELP is keyed by an option's help text, or
by one paragraph of a command's description with its lines joined by single spaces;
WORDS are the short words Click and argparse put around them.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # Click's and Typer's parsing errors (the wording of Click 8.1 and of Typer's own copy)
    "No such option: {name}": "没有选项 {name}",
    "No such option: {name} (Possible options: {possibilities})":
        "没有选项 {name}（相近的选项：{possibilities}）",
    "No such option: {name} Did you mean {close}?": "没有选项 {name}；是不是想输入 {close}？",
    "No such option: {name} (Did you mean one of: {possibilities}?)":
        "没有选项 {name}（是不是想输入其中之一：{possibilities}？）",
    "No such option '{name}'.": "没有选项 '{name}'。",
    "No such option '{name}'. Did you mean {close}?": "没有选项 '{name}'；是不是想输入 {close}？",
    "No such command '{name}'.": "没有命令 '{name}'。",
    "No such command '{name}'. Did you mean '{close}'?":
        "没有命令 '{name}'；是不是想输入 '{close}'？",
    "Missing command.": "缺少命令。",
    "Missing argument '{name}'.": "缺少参数 '{name}'。",
    "Missing option '{name}'.": "缺少选项 '{name}'。",
    "Missing parameter: {name}": "缺少参数 {name}",
    "Got unexpected extra argument ({args})": "多了一个无法识别的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多了几个无法识别的参数（{args}）",
    "Got unexpected extra argument(s) ({args})": "多了无法识别的参数（{args}）",
    "Option '{name}' requires an argument.": "选项 '{name}' 后面需要一个值。",
    "Option '{name}' requires {count} arguments.": "选项 '{name}' 后面需要 {count} 个值。",
    "Option '{name}' does not take a value.": "选项 '{name}' 不接受值。",
    "Invalid value for {param}: {message}": "{param} 的值无效：{message}",
    "Invalid value for {param} (env var: {env}): {message}":
        "{param}（环境变量 {env}）的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "'{value}' is not one of {choices}.": "'{value}' 不是可选的值；可选：{choices}。",
    "'{value}' is not {choice}.": "'{value}' 不是可选的值；只能是 {choice}。",
    "'{value}' is not a valid int.": "'{value}' 不是有效的整数。",
    "'{value}' is not a valid integer.": "'{value}' 不是有效的整数。",
    "'{value}' is not a valid float.": "'{value}' 不是有效的数。",
    "'{value}' is not a valid int range.": "'{value}' 不是有效的整数。",
    "'{value}' is not a valid float range.": "'{value}' 不是有效的数。",
    "'{value}' is not a valid boolean.": "'{value}' 不是有效的布尔值。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 之内。",
    "Aborted!": "已中止！",
    # Python's argparse (the notebook magic's options)
    "unrecognized arguments: {args}": "无法识别的参数：{args}",
    "argument {name}: expected one argument": "参数 {name} 后面需要一个值",
    "argument {name}: expected {count} arguments": "参数 {name} 后面需要 {count} 个值",
    "argument {name}: invalid choice: '{value}' (choose from {choices})":
        "参数 {name}：'{value}' 不是可选的值（可选：{choices}）",
    "argument {name}: invalid int value: '{value}'": "参数 {name}：'{value}' 不是有效的整数",
    "argument {name}: ignored explicit argument '{value}'":
        "参数 {name} 不接受值（这里给了 '{value}'）",
    "the following arguments are required: {names}": "缺少必需的参数：{names}",
    "No closing quotation": "缺少结束的引号",
    "No escaped character": "反斜杠 \\ 后面缺少字符",
    # gradexplain's own checks of its options (shell/, notebook/)
    "unknown language '{value}'; use one of: {choices}":
        "无法识别的语言 '{value}'；可用的有：{choices}",
    "'{value}' is not a size (use e.g. 512M or 4G)":
        "'{value}' 不是有效的大小（请写成 512M 或 4G 这样的形式）",
    "{flag} must be at least {number}": "{flag} 至少为 {number}",
    "--export saves the table view; leave out --format json (or redirect stdout to save "
    "the JSON)":
        "--export 保存的是表格视图，请去掉 --format json（要保存 JSON，请把标准输出重定向到文件）",
    "choose exactly one variant to compare: --zero-grad, --retain-graph, --device A "
    "--device B, or a second PATH":
        "请只选一种对比方式：--zero-grad、--retain-graph、--device A --device B，或者再给一个场景",
    "choose exactly one variant to compare: --zero-grad, --retain-graph, --device A "
    "--device B, or a second PATH (got {chosen})":
        "请只选一种对比方式：--zero-grad、--retain-graph、--device A --device B，或者再给一个场景"
        "（这里给了：{chosen}）",
    "--device must be given exactly twice to compare devices (got {count})":
        "比较设备时 --device 必须正好给两次（这里给了 {count} 次）",
    "A and B must be finite, A < B, each within ±{bound}":
        "A 和 B 必须是有限的数，A < B，且都在 ±{bound} 之内",
    "--range and --steps are for expressions; a scenario's plot: section draws its own x":
        "--range 和 --steps 只用于表达式；场景的 plot: 部分自己决定横轴 x",
    "the file must end in .png, .svg or .pdf": "文件名必须以 .png、.svg 或 .pdf 结尾",
    "--calls draws a scenario's training loop; give a scenario file or bundled example":
        "--calls 画的是场景里的训练循环；请给出场景文件或内置示例",
    "--record needs a variable name, got {value}": "--record 需要一个变量名，这里却是 {value}",
    "the cell body is empty; %%gradexplain runs the code below it":
        "单元格里没有代码；%%gradexplain 运行的是它下面的代码",
}

# Click's and argparse's own words around the help texts.
WORDS: dict[str, str] = {
    "Usage:": "用法：",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "Error: {message}": "错误：{message}",
    "usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Positional arguments": "参数",
    "Commands": "命令",
    "options": "选项",
    "positional arguments": "参数",
    "[OPTIONS]": "[选项]",
    "COMMAND": "命令",
    "[ARGS]...": "[参数]...",
    # metavars: what to write after an option
    "<str>": "<文本>",
    "<int>": "<整数>",
    "<float>": "<数>",
    "FILE": "文件",
    "LANG": "语言",
    "BYTES": "字节数",
    "SECONDS": "秒数",
    "DEVICE": "设备",
    "NAME": "名字",
    "SCENARIO": "场景",
    "[paths]...": "[路径]...",
    "paths...": "路径...",
    "{path}": "{路径}",
    "[path2]": "[路径2]",
    "path": "路径",
    "path2": "路径2",
    "{expression}": "{表达式}",
    "expression": "表达式",
    "scenario": "场景",
    # what Click and Typer add after an option's help
    "default: {value}": "默认：{value}",
    "env var: {value}": "环境变量：{value}",
    "required": "必填",
    # the notebook's help: an option only one of the two magics takes
    "only {magic}": "（只用于 {magic}）",
}

HELP: dict[str, str] = {
    # the application
    "Run PyTorch autograd scenarios and see what backward() did, and why.":
        "运行 PyTorch autograd 场景，看清 backward() 做了什么、为什么这样做。",
    "Examples:": "示例：",
    "print the version and exit": "显示版本号后退出",
    "Install completion for the current shell.": "为当前使用的命令行安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前命令行的补全脚本，以便复制或自定义安装。",
    "Show this message and exit.": "显示这份帮助后退出。",
    # run
    "Run scenarios and show values, leaf gradients, the ledger of each backward call, notes "
    "and explained errors.":
        "运行场景，显示张量的值、叶子节点的梯度、每次反向传播调用的账目、说明，以及对错误的解释。",
    "gradexplain run (list the bundled examples)": "gradexplain run（列出内置示例）",
    "gradexplain run accumulation --why x (why x.grad is 4.5, then 22.5)":
        "gradexplain run accumulation --why x（x.grad 为什么是 4.5，然后是 22.5）",
    "gradexplain run accumulation (a bundled example, by name)":
        "gradexplain run accumulation（按名字运行一个内置示例）",
    "scenario files (.yaml, .yml, .py), directories, or bundled example names":
        "场景文件（.yaml、.yml、.py）、目录，或内置示例的名字",
    "cpu, cuda, cuda:N, mps or auto (overrides the scenario's device:)":
        "cpu、cuda、cuda:N、mps 或 auto（优先于场景文件里的 device:）",
    "default floating dtype of created tensors": "新建张量默认的浮点数据类型",
    "table for people, json for programs": "table 给人看，json 给程序读",
    "language of everything shown: en, or zh (Simplified Chinese; also zh-CN, zh_CN, "
    "zh-Hans, cn) [default: GRADEXPLAIN_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), "
    "else en]":
        "显示所用的语言：en，或 zh（简体中文；也可写 zh-CN、zh_CN、zh-Hans、cn）"
        "[默认：看 GRADEXPLAIN_LANG，其次看系统语言环境（LC_ALL、LC_MESSAGES、LANG），"
        "都没有则为 en]",
    "show every element, no summaries": "显示每个元素，不做汇总",
    "folded: a loop's repeated backward calls and prints are summarized (first, last, each "
    "call that differs, trends); all: every one in full":
        "folded：汇总循环中重复的反向传播调用和打印输出（只完整显示第一次、最后一次、"
        "每次情况不同的调用，以及变化趋势）；all：全部完整显示",
    "show Python tracebacks of bugs": "程序本身出错时显示 Python 的调用栈",
    "terminal width for tables": "表格按多少列的终端宽度排版",
    "also save exactly what is shown, as .svg, .html or .txt (at --width)":
        "把显示的内容原样另存为 .svg、.html 或 .txt（按 --width 的宽度）",
    "save each call's backward graph as Graphviz: .dot text, or .svg/.png via `dot`":
        "把每次调用的反向计算图保存为 Graphviz 格式：.dot 文本，或经 `dot` 画成 .svg/.png",
    "for each call: the backward graph as a tree, and the gradient that arrives at each "
    "named tensor and leaf (chain rule)":
        "对每次调用：以树的形式显示反向计算图，以及到达每个有名字的张量和叶子节点的梯度（链式法则）",
    "for each call: the Jacobian of each output w.r.t. each leaf, the grad_tensors vector v, "
    "and v^T J next to the grad added":
        "对每次调用：每个输出对每个叶子节点的雅可比矩阵 J、grad_tensors 向量 v，"
        "以及 v^T J 与新增梯度的对照",
    "for each call that reaches NAME: the chain rule written out for one element of "
    "its gradient (NAME[i, j], or the first), with your statements and numbers, "
    "checked against autograd; may be given more than once":
        "对每次到达 NAME 的调用：用你的语句和数值，为它梯度中的一个元素（NAME[i, j]，"
        "不写则取第一个）逐步写出链式法则，并与 autograd 核对；可以给多次",
    "largest output or leaf (elements) for --jacobian and --check-numeric":
        "--jacobian 和 --check-numeric 处理的输出或叶子节点最多有多少个元素",
    "central finite differences in float64 next to each grad (short-form scenarios: "
    "expression:)":
        "在每个梯度旁边给出用 float64 中心差分算出的数值梯度（简写形式的场景：expression:）",
    "run N scenarios at once, each in its own worker process (output keeps the order of the "
    "paths)":
        "同时运行 N 个场景，每个在自己的工作进程中运行（输出仍按路径的顺序）",
    "elements in any one tensor [default: 16777216]": "单个张量的元素个数 [默认：16777216]",
    "scenario file size [default: 1048576]": "场景文件的大小 [默认：1048576]",
    "characters in one statement [default: 2000]": "单条语句的字符数 [默认：2000]",
    "nesting depth of code and YAML [default: 32]": "代码和 YAML 的嵌套深度 [默认：32]",
    "statements in a scenario [default: 1000]": "一个场景中的语句条数 [默认：1000]",
    "iterations of one loop or repeat [default: 100000]":
        "单个循环或 `repeat:` 的迭代次数 [默认：100000]",
    "statements executed in one run [default: 1000000]":
        "一次运行中执行的语句条数 [默认：1000000]",
    "bits in a plain integer result [default: 4096]": "普通整数结果的位数 [默认：4096]",
    "depth of nested calls of your own functions [default: 200]":
        "自己定义的函数嵌套调用的深度 [默认：200]",
    "characters of one print or shown value shown whole; a longer one is shown as its start "
    "and its length [default: 100000]":
        "一次打印输出或显示的值完整显示的字符数；更长的只显示开头和总长度 [默认：100000]",
    "memory of the process running scenario code, e.g. 512M or 4G; past it the run is "
    "stopped [default: 4G]":
        "运行场景代码的进程可用的内存，例如 512M 或 4G；超过就停止运行 [默认：4G]",
    "wall-clock seconds per scenario (per statement in the REPL), and again for showing its "
    "result; past it the run is stopped [default: 60]":
        "每个场景（在 REPL 中是每条语句）可用的时间，按秒计，显示结果时同样适用；超过就停止运行"
        " [默认：60]",
    # repl
    "An interactive session: type statements, see what each one changed.":
        "交互式会话：输入语句，看每一条改变了什么。",
    "Meta-commands: :help :tensors :grads :graph [NAME] :why NAME[i, j] :zero :reset "
    ":save FILE (:save! FILE overwrites) :load FILE :quit. When stdin is not a terminal, "
    "statements are read line by line, :save is refused unless --allow-save is given, and "
    ":load reads only files in or under the working directory unless --allow-load is given.":
        "元命令：:help :tensors :grads :graph [名字] :why 名字[i, j] :zero :reset :save 文件"
        "（:save! 文件 会覆盖已有文件）:load 文件 :quit。标准输入不是终端时，逐行读取语句；"
        "除非给了 --allow-save，否则不允许 :save；除非给了 --allow-load，:load 只读取当前"
        "工作目录（或其子目录）中的文件。",
    "gradexplain repl --graph --jacobian # the deeper views under every backward call":
        "gradexplain repl --graph --jacobian   # 在每次反向传播调用下面显示深入视图",
    "run a scenario file's tensors and statements first": "先运行一个场景文件中的张量和语句",
    "let :save write files when statements are piped in (by default only a person at a "
    "terminal can save)":
        "语句通过管道输入时也允许 :save 写文件（默认只有坐在终端前的人才能保存）",
    "let :load read files outside the working directory when statements are piped in (by "
    "default piped statements load only files in or under it)":
        "语句通过管道输入时也允许 :load 读取工作目录之外的文件（默认只读取当前工作目录或其"
        "子目录中的文件）",
    # compare
    "Run two variants side by side and show, per call and per tensor, each grad, where they "
    "differ, and why. Choose exactly one variant: --zero-grad, --retain-graph, --device A "
    "--device B, or a second PATH.":
        "并排运行两种做法，按调用和张量显示各自的梯度、哪里不同、为什么不同。"
        "只能选一种对比方式：--zero-grad、--retain-graph、--device A --device B，"
        "或者再给一个场景。",
    "scenario file or bundled example name": "场景文件或内置示例的名字",
    "a second scenario to compare with the first (e.g. sum vs. mean)":
        "与第一个对比的第二个场景（例如求和与求平均）",
    "as written vs. every grad zeroed before each call": "原样运行，对比每次调用前先把梯度清零",
    "as written vs. retain_graph=True on every call":
        "原样运行，对比每次调用都加上 retain_graph=True",
    "give twice: one scenario on two devices (--device cpu --device cuda)":
        "给两次：同一个场景在两个设备上运行（--device cpu --device cuda）",
    "exit 1 when any grad differs": "只要有梯度不同，就以退出码 1 结束",
    # plot
    "Plot an expression of x and its gradient: y = EXPR and x.grad after "
    "y.backward(torch.ones_like(y)), with x = torch.linspace(A, B, STEPS). Or run a scenario "
    "and draw the series of its plot: section.":
        "画出一个关于 x 的表达式及其梯度：y = EXPR，以及执行 y.backward(torch.ones_like(y)) "
        "之后的 x.grad，其中 x = torch.linspace(A, B, STEPS)。也可以运行一个场景，"
        "画出它 plot: 部分中的曲线。",
    "an expression of x, e.g. 'torch.tanh(x)'; or a scenario with a plot: section (a "
    ".yaml/.yml/.py file or a bundled example name, e.g. relu_plot)":
        "关于 x 的表达式，例如 'torch.tanh(x)'；或者一个带 plot: 部分的场景"
        "（.yaml/.yml/.py 文件，或内置示例的名字，例如 relu_plot）",
    "draw x from A to B (expressions only) [default: -4 4]":
        "x 从 A 画到 B（只用于表达式）[默认：-4 4]",
    "points between A and B (expressions only) [default: 200]":
        "A 与 B 之间取多少个点（只用于表达式）[默认：200]",
    "save a .png or .svg (needs matplotlib: pip install \"gradexplain[plot]\"); without it a "
    "text chart is printed":
        "保存为 .png 或 .svg（需要 matplotlib：pip install \"gradexplain[plot]\"）；"
        "不给这个选项就打印文字图表",
    "with a scenario: draw the loss and each grad norm over the backward calls of its "
    "training loop (its busiest backward statement)":
        "对场景：画出训练循环中损失和每个梯度范数随反向传播调用的变化"
        "（取调用 backward 次数最多的那条语句）",
    # schema
    "Print the JSON Schema (draft 2020-12) of scenario files, for editors and CI.":
        "打印场景文件的 JSON Schema（draft 2020-12），供编辑器和 CI 使用。",
    "Every key with its type, allowed values and a description; unknown keys are refused. "
    "The bundled scenarios name a copy of it in their first line, a modeline of the YAML "
    "language server (VS Code's YAML extension, Neovim, Helix...).":
        "列出每个键的类型、允许的值和说明；未知的键会被拒绝。内置场景的第一行写明了它的一份副本，"
        "供 YAML 语言服务器使用（VS Code 的 YAML 扩展、Neovim、Helix 等）。",
    "# yaml-language-server: $schema=scenario.schema.json (a scenario's first line)":
        "# yaml-language-server: $schema=scenario.schema.json   （场景文件的第一行）",
    # the notebook magic (%gradexplain --help)
    "Run autograd code through gradexplain and show what backward() did, and why.":
        "用 gradexplain 运行 autograd 代码，看清 backward() 做了什么、为什么这样做。",
    "a bundled lesson's name (e.g. accumulation) or a scenario file; none lists the lessons":
        "内置示例的名字（例如 `accumulation`）或场景文件；不给就列出所有内置示例",
    "language of explanations": "解释所用的语言",
    "cpu, cuda, cuda:N, mps or auto": "cpu、cuda、cuda:N、mps 或 auto",
    "the backward graph under each call, with each node's gradients":
        "在每次调用下面显示反向计算图，以及每个节点收到的梯度",
    "each call's Jacobian of outputs by leaves": "每次调用中输出对叶子节点的雅可比矩阵",
    "largest Jacobian shown, in elements per side": "显示的雅可比矩阵每一边最多有多少个元素",
    "compare autograd's grads with finite differences": "把 autograd 的梯度与有限差分的结果对照",
    "show every element": "显示每个元素",
    "the chain rule written out for NAME (or NAME[i,j]) under each call that reaches it; "
    "may be given more than once":
        "对经过它的每次调用，写出 NAME（或 NAME[i,j]）的链式法则推导；可以给多次",
    "wall-clock budget of the run, and again of showing it; past it the run is stopped "
    "[default: 60]":
        "这次运行可用的时间（秒），显示结果时同样适用；超过就停止运行 [默认：60]",
    "columns of the tables": "表格的列宽",
    "also store the run record in this notebook variable": "同时把运行记录存入笔记本中的这个变量",
    "show this help": "显示这份帮助",
    "the cell is a whole YAML scenario, not just statements":
        "单元格是一整个 YAML 场景，而不只是语句",
    "run it as written and as this variant, side by side": "原样运行并按这种做法运行，并排对比",
    "%%gradexplain runs the code of its cell; %gradexplain runs a bundled lesson or a "
    "scenario file.":
        "%%gradexplain 运行所在单元格的代码；%gradexplain 运行内置示例或场景文件。",
}
