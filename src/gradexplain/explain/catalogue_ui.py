"""What the shells and pictures say around the reports, en and zh (`str.format` templates).

Graphviz pictures (`--dot`), the command line's own messages and plot titles, axes and
legends. Code, names, paths and PyTorch's own words in the facts stay as they are.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        # --dot pictures
        "dot.call": "call {index}: {statement}",
        "dot.stopped": " (stopped: error[{kind}])",
        "dot.truncated": " (truncated)",
        "dot.value": "value {value}",
        "dot.grad": "grad {value}",
        "dot.saved": "saved {names}{state}",
        "dot.freed": ": freed",
        "dot.kept": ": kept",
        "dot.already_freed": ": already freed",
        "dot.empty": "gradexplain: no backward call ran, so the graph file is empty",
        "wrote": "gradexplain: wrote {path}",
        "wrote_dot": "gradexplain: wrote the backward graph of {count} call(s) to {path}",
        "dot.no_program": "gradexplain: the `dot` program was not found, so {path} was not "
                          "drawn; the graph is in {fallback} instead. To draw it, install "
                          "Graphviz (`apt install graphviz`, `brew install graphviz`, or "
                          "https://graphviz.org/download/; `pip install graphviz` is not "
                          "enough: it does not include the `dot` program), then run: "
                          "{command}",
        "dot.failed": "gradexplain: `dot` failed ({message}); the graph is in {fallback}",
        # the command line
        "cli.interrupted": "interrupted",
        "cli.file_error": "gradexplain: cannot use the file {path}: {reason}",
        "cli.internal": "gradexplain: internal error ({error}); please rerun with --debug and "
                        "report the traceback",
        "cli.wrote": "wrote {path}",
        "cli.needs_matplotlib": "gradexplain: drawing {path} needs matplotlib: pip install "
                                "\"gradexplain[plot]\" (or leave out --output for a text chart)",
        "cli.no_cjk_font": "gradexplain: no font with Chinese characters was found, so Chinese "
                           "text in {path} may show as boxes. Install one, e.g. `apt install "
                           "fonts-noto-cjk` (Debian, Ubuntu), `dnf install "
                           "google-noto-sans-cjk-fonts` (Fedora), `brew install --cask "
                           "font-noto-sans-cjk-sc` (macOS), then delete matplotlib's font "
                           "cache (~/.cache/matplotlib) and draw again",
        # plots
        "plot.value": "value",
        "plot.y": "y = {expression}",
        "plot.grad_legend": "dy/dx (x.grad)",
        "plot.grad_chart": "dy/dx (x.grad after y.backward(torch.ones_like(y)))",
        "plot.no_finite": "(no finite values to draw)",
        "plot.grad_of": "grad of {name}",
        # plot --calls: a training loop's loss and grad norms over its backward calls
        "calls.title": "`{statement}`: {calls} backward calls",
        "calls.title_step": "`{statement}`: {calls} backward calls (step {step})",
        "calls.xlabel": "call",
        "calls.xlabel_picture": "backward call (iteration)",
        "calls.grad_norm": "grad norm",
        # what titles code that has no file: the Python API's and a notebook cell's
        "name.code": "code",
        "name.cell": "cell",
        # a notebook picture's text/plain (what a terminal or a saved notebook shows for it)
        "picture": "<gradexplain picture: {title} (PNG, {width}×{height} pixels)>",
    },
    "zh": {
        "dot.call": "第 {index} 次调用：{statement}",
        "dot.stopped": "（因错误[{kind}]停止）",
        "dot.truncated": "（已截断）",
        "dot.value": "值 {value}",
        "dot.grad": "梯度 {value}",
        "dot.saved": "保存的张量 {names}{state}",
        "dot.freed": "（本次调用后释放）",
        "dot.kept": "（仍保留）",
        "dot.already_freed": "（已被之前的调用释放）",
        "dot.empty": "gradexplain：没有执行任何 `backward()` 调用，所以计算图文件是空的",
        "wrote": "gradexplain：已写入 {path}",
        "wrote_dot": "gradexplain：已把 {count} 次调用的反向计算图写入 {path}",
        "dot.no_program": "gradexplain：找不到 `dot` 程序，所以没有画出 {path}；计算图已写入 "
                          "{fallback}。要画出它，请安装 Graphviz（`apt install graphviz`、"
                          "`brew install graphviz`，或见 https://graphviz.org/download/；"
                          "只装 `pip install graphviz` 不够，它不带 `dot` 程序），然后运行："
                          "{command}",
        "dot.failed": "gradexplain：`dot` 运行失败（{message}）；计算图已写入 {fallback}",
        "cli.interrupted": "已中断",
        "cli.file_error": "gradexplain：无法使用文件 {path}：{reason}",
        "cli.internal": "gradexplain：内部错误（{error}）；请加上 --debug 重新运行，"
                        "并报告显示的调用栈",
        "cli.wrote": "已写入 {path}",
        "cli.needs_matplotlib": "gradexplain：画出 {path} 需要 matplotlib：pip install "
                                "\"gradexplain[plot]\"（或者去掉 --output，改看文字图表）",
        "cli.no_cjk_font": "gradexplain：没有找到含中文字形的字体，{path} 中的中文可能显示为方框。"
                           "请先安装一种，例如 `apt install fonts-noto-cjk`（Debian、Ubuntu）、"
                           "`dnf install google-noto-sans-cjk-fonts`（Fedora）、"
                           "`brew install --cask font-noto-sans-cjk-sc`（macOS），"
                           "再删除 matplotlib 的字体缓存（~/.cache/matplotlib）后重新绘制",
        "plot.value": "值",
        "plot.y": "y = {expression}",
        "plot.grad_legend": "dy/dx（x.grad）",
        "plot.grad_chart": "dy/dx（执行 y.backward(torch.ones_like(y)) 之后的 x.grad）",
        "plot.no_finite": "（没有可以画出的有限值）",
        "plot.grad_of": "{name} 的梯度",
        "calls.title": "`{statement}`：{calls} 次反向传播调用",
        "calls.title_step": "`{statement}`：{calls} 次反向传播调用（第 {step} 步）",
        "calls.xlabel": "调用序号",
        "calls.xlabel_picture": "反向传播调用（迭代序号）",
        "calls.grad_norm": "梯度范数",
        "name.code": "代码",
        "name.cell": "单元格",
        "picture": "<gradexplain 图片：{title}（PNG，{width}×{height} 像素）>",
    },
}


def phrase(key: str, lang: str, **facts: object) -> str:
    """The phrase `key` in `lang` (English when `lang` is unknown), filled with `facts`."""
    texts = PHRASES.get(lang, PHRASES["en"])
    return texts[key].format(**facts)
