"""What the REPL says between statements, en and zh (`str.format` templates).

Meta-command help is keyed "help.:NAME"; code, names and paths in the facts stay as typed.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "help.:help": "show this help",
        "help.:tensors": "a table of every tensor",
        "help.:grads": "each leaf's .grad",
        "help.:graph": ":graph [NAME]  NAME's backward graph and saved tensors "
                       "(default: last output)",
        "help.:why": ":why NAME[i, j]  the chain rule written out for that element of NAME's "
                     "gradient, for the last call (if its graph is still there) and under "
                     "each call after it; :why alone stops",
        "help.:zero": "zero every leaf's .grad",
        "help.:reset": "forget everything: a fresh session",
        "help.:save": ":save FILE  write the statements run so far as a scenario (FILE.py "
                      "or FILE.yaml) that `gradexplain run` reproduces; :save! FILE "
                      "overwrites",
        "help.:load": ":load FILE  run a scenario file's tensors and statements here",
        "help.:quit": "leave (Ctrl-D too)",
        "help.intro": "Type statements of the scenario language, e.g. "
                      "`x = torch.ones(2, requires_grad=True)`. A line ending with ':' "
                      "starts a block; an empty line ends it.",
        "help.command": "command",
        "help.what": "what it does",
        "unknown_command": "unknown command {command}; :help lists them",
        "unknown_command_close": "unknown command {command}; did you mean {close}? "
                                 "(:help lists them)",
        "how_to_leave": "to leave, type :quit or press Ctrl-D",
        "help_hint": "type :help for the commands; statements are Python with torch, e.g. "
                     "`x = torch.ones(2, requires_grad=True)`",
        "clear_hint": "to clear the screen press Ctrl-L; :reset forgets every tensor",
        "save_exists": "{path} exists and was left as it is; to replace it, type "
                       ":save! {argument}",
        "zeroed_unnamed": "zeroed the grad of the unnamed leaf {labels} (it has no name, so "
                          ":save cannot write this step: name the leaf to keep it)",
        "no_tensors": "no tensors yet",
        "no_leaves": "no leaf tensors that require grad yet",
        "no_call_yet": "no backward call yet: give a name, e.g. :graph out",
        "not_a_tensor": "{name} is not a tensor here",
        "no_grad_fn": "{name} has no grad_fn: it is {kind}",
        "kind.leaf": "a leaf",
        "kind.no_graph": "not part of any graph",
        "nothing_to_zero": "no leaf has a grad to zero",
        "zeroed": "zeroed the grad of {names}",
        "reset": "a fresh session on {device}",
        "save_usage": "usage: :save FILE.py or :save FILE.yaml (:save! FILE overwrites)",
        "cannot_write": "cannot write {path}: {reason}",
        "cannot_save": "{message}",
        "save_piped": ":save is off when statements are piped in: a file could be written "
        "from the input itself. Rerun with --allow-save to allow it.",
        "save_confirm_outside": "{path} is outside the working directory. Write it anyway?",
        "saved": "saved {count} statement(s) to {path}",
        "saved_without_tensors": "note: tensors declared by loaded YAML files ({names}) are "
                                 "not statements and are not in the file",
        "load_usage": "usage: :load FILE",
        "short_form_loaded": "note: {path} is a short-form scenario; :save will not include it",
        "loaded": "loaded {path}",
        "why_usage": "usage: :why NAME or :why NAME[i, j] (e.g. :why x[0, 1]); :why alone stops",
        "why_on": "from now on, each backward call that reaches {target} shows why its "
                  "gradient has its value (:why alone stops)",
        "why_off": "no more derivations under backward calls",
        "why_freed": "the last backward call freed its graph (no retain_graph=True), so it "
                     "cannot be written out afterwards; run the call again to see it",
        "why_not_reached": "the last backward call did not reach {target}",
        "interrupted": "interrupted",
        "rebuilt": "the session was rebuilt: the {count} entries that had run without an "
                   "error were run again (torch seeded as before), and it goes on from there",
        "rebuilt_partly": "the session was rebuilt by running again the entries that had run "
                          "without an error: {count} ran, {failed} failed this time (a file "
                          "changed since :load?), so their results are missing",
        "rebuild_failed": "the session could not be rebuilt within the budgets: it starts "
                          "empty (the statements for :save were forgotten too)",
        "banner": "gradexplain repl: type statements, or :help. Ctrl-D leaves.",
        "list_sep": ", ",
        "saved_header": "# recorded by `gradexplain repl {flags}`: run it with the same options",
        "saved_description": "recorded by gradexplain repl",
        "internal": "gradexplain: internal error ({error}); rerun with --debug and report the "
                    "traceback",
    },
    "zh": {
        "help.:help": "显示这份帮助",
        "help.:tensors": "列出所有张量",
        "help.:grads": "显示每个叶子节点的 `.grad`",
        "help.:graph": ":graph [名字]  这个张量的反向计算图及其保存的张量（默认为最近一次调用 "
                       "`backward()` 的输出）",
        "help.:why": ":why 名字[i, j]  写出这个张量的梯度中该元素的链式法则推导：对最近一次调用"
                     "（如果计算图还在），以及之后的每次调用；单独输入 :why 则停止",
        "help.:zero": "把每个叶子节点的 `.grad` 清零",
        "help.:reset": "清空一切，重新开始一个会话",
        "help.:save": ":save 文件  把目前成功运行的语句保存为场景文件（.py 或 .yaml），"
                      "`gradexplain run` 可以重现它；`:save! 文件` 会覆盖已有的文件",
        "help.:load": ":load 文件  在当前会话中运行一个场景文件里的张量和语句",
        "help.:quit": "退出（也可以按 Ctrl-D）",
        "help.intro": "在这里输入语句，写法与场景文件中的相同，例如 "
                      "`x = torch.ones(2, requires_grad=True)`。以 ':' 结尾的行开始一个代码块，"
                      "输入空行结束这个代码块。",
        "help.command": "命令",
        "help.what": "作用",
        "unknown_command": "没有命令 {command}；:help 会列出所有命令",
        "unknown_command_close": "没有命令 {command}；你是不是想输入 {close}？"
                                 "（:help 会列出所有命令）",
        "how_to_leave": "要退出，请输入 :quit 或按 Ctrl-D",
        "help_hint": "输入 :help 查看命令；语句就是使用 torch 的 Python 代码，例如 "
                     "`x = torch.ones(2, requires_grad=True)`",
        "clear_hint": "要清屏请按 Ctrl-L；:reset 会忘掉所有张量",
        "save_exists": "{path} 已存在，保持原样未改动；要替换它，请输入 :save! {argument}",
        "zeroed_unnamed": "已把没有名字的叶子节点 {labels} 的梯度清零（它没有名字，所以 :save "
                          "无法写出这一步：给这个叶子节点起个名字就能保留）",
        "no_tensors": "还没有张量",
        "no_leaves": "还没有需要梯度的叶子节点",
        "no_call_yet": "还没有调用过 `backward()`：请给出张量的名字，例如 `:graph out`",
        "not_a_tensor": "当前会话中没有名为 {name} 的张量",
        "no_grad_fn": "{name} 没有 grad_fn：它{kind}",
        "kind.leaf": "是叶子节点",
        "kind.no_graph": "不在任何计算图中",
        "nothing_to_zero": "没有哪个叶子节点有需要清零的梯度",
        "zeroed": "已把 {names} 的梯度清零",
        "reset": "在 {device} 上开始了新的会话",
        "save_usage": "用法：`:save 文件.py` 或 `:save 文件.yaml`"
                      "（`:save! 文件` 会覆盖已有的文件）",
        "cannot_write": "无法写入 {path}：{reason}",
        "cannot_save": "{message}",
        "save_piped": "语句通过管道输入时 :save 不可用：输入本身就可能写出文件。"
        "如需允许，请加上 --allow-save 重新运行。",
        "save_confirm_outside": "{path} 不在当前工作目录中。仍然写入吗？",
        "saved": "已把 {count} 条语句保存到 {path}",
        "saved_without_tensors": "注意：加载的 YAML 文件声明的张量（{names}）不是语句，"
                                 "不在保存的文件里",
        "load_usage": "用法：`:load 文件`",
        "short_form_loaded": "注意：{path} 是简写形式的场景；:save 不会包含它",
        "loaded": "已加载 {path}",
        "why_usage": "用法：:why NAME 或 :why NAME[i, j]（例如 :why x[0, 1]）；单独输入 :why 则"
                     "停止",
        "why_on": "从现在起，每次到达 {target} 的 backward 调用都会写出它的梯度为什么是这个值"
                  "（单独输入 :why 则停止）",
        "why_off": "不再在 backward 调用下写出推导",
        "why_freed": "最近一次 backward 调用已经释放了计算图（没有 retain_graph=True），事后无法"
                     "再写出推导；再运行一次这个调用即可看到",
        "why_not_reached": "最近一次 backward 调用没有到达 {target}",
        "interrupted": "已中断",
        "rebuilt": "会话已重建：此前成功运行的 {count} 项输入已重新运行（随机数种子与之前相同），"
                   "可以接着使用",
        "rebuilt_partly": "会话已重建：此前成功运行的输入已重新运行，{count} 项成功，{failed} 项"
                          "这次出错（:load 的文件改动过？），它们的结果缺失",
        "rebuild_failed": "会话无法在资源上限之内重建：现在从空会话开始"
                          "（供 :save 使用的语句也已清空）",
        "banner": "gradexplain repl：输入语句即可运行，:help 查看命令，Ctrl-D 退出。",
        "list_sep": "、",
        "saved_header": "# 由 `gradexplain repl {flags}` 记录：请用同样的选项运行",
        "saved_description": "由 gradexplain repl 记录",
        "internal": "gradexplain：内部错误（{error}）；请加上 --debug 重新运行，"
                    "并报告显示的调用栈",
    },
}
