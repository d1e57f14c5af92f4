"""Find English words in text meant to be Chinese: a word check, not a snapshot.

What may stay English in Chinese output (issue 27): code (in backticks, an indented code
line, a command line, a path, a tensor's value), PyTorch's and Python's own quoted words
(after 原始报错：/原文：, or in quotes), and the technical identifiers a learner types or
reads in PyTorch (`requires_grad`, `backward`, `float32`, a note's key in brackets after its
Chinese name: 梯度累加（accumulated）). Everything else is a word a Chinese reader should
not meet. `ALLOWED` is the list of those identifiers; a word with `_`, `.`, digits or
brackets in it is code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gradexplain.errors import ERROR_KINDS, NOTE_KINDS

# Identifiers and names a learner types or reads as they are: PyTorch's and Python's API,
# values of options, product names. Case matters (`None`, not `none`).
ALLOWED = frozenset("""
torch autograd backward grad gradient requires grad_fn is_leaf retain_graph create_graph
grad_tensors inputs outputs nn F optim Function Module Parameter Linear MSELoss ctx forward
apply zero_grad no_grad enable_grad inference_mode detach data view reshape contiguous
transpose permute flatten squeeze unsqueeze expand mm bmm mv dot matmul mul add sum
relu sigmoid tanh sqrt log exp pow clamp abs amax maximum item tolist numpy clone
ones zeros ones_like zeros_like rand randn full arange linspace eye tensor Tensor Variable
FloatTensor dtype device backward_hook register_hook retain_grad step SGD Adam
float float16 float32 float64 bfloat16 int int64 bool double half cpu cuda mps meta auto
True False None print len range enumerate zip list dict tuple set str type isinstance super
for in if else elif while with as import from def class lambda return raise try except del
pass break continue yield global nonlocal assert and or not is async await finally match
case staticmethod
PyTorch Python YAML JSON JSONL Jupyter JupyterLab IPython gradexplain matplotlib Graphviz
CI GPU CPU CUDA MPS UTF Tab Ctrl Shift Enter Esc Noto Sans Mono CJK SC Debian Ubuntu Fedora
macOS Windows Linux apt brew dnf pip install fonts noto cask google VS Code Neovim Helix
Schema Draft draft JSON schema yaml yml py dot svg png pdf html txt
inf nan eps repl table json folded all en zh cn Hans
d2l self other mat1 mat2 input weight bias target
""".split())  # noqa: SIM905 - a word list reads best as words

_CODE_SPAN = re.compile(r"`[^`\n]*`")
_QUOTED = re.compile(r"\"[^\"]{0,400}\"|“[^”]{0,400}”|'[^'\n]{0,200}'", re.DOTALL)
# PyTorch's (or Python's) words as they were: the rest of that paragraph.
_ORIGINAL = re.compile(r"(原始报错：|原文：).*?(?=\n\s*(?:│\s*)?\n|\n\s*│\s*│|\Z)", re.DOTALL)
_BOX = re.compile(r"[│╭╮╰╯─┃━┏┓┗┛]")
_COMMAND = re.compile(r"(?:gradexplain|python3?|pip|cat|apt|brew|dnf)\s"
                      r"[^\u3000-\u9fff\uff00-\uffef\n]*")  # a command line, up to Chinese
_OPTION = re.compile(r"--?[A-Za-z][\w-]*")
_PATHISH = re.compile(r"\S*[/\\]\S*|https?://\S+")
_PLACEHOLDER = re.compile(r"\{[a-z_0-9.:]*\}")  # a template's field: stands for a value
_BRACES = re.compile(r"\{[^{}\n]*\}")  # {kind, step, call}, {en: ..., zh: ...}
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")  # [start, end, step], [2, 2], [[1, 0]]
_NOTE_IN_BRACKETS = re.compile(r"（(" + "|".join(NOTE_KINDS) + r")）")
# A word, with the characters around it that make it code: `:save`, `@staticmethod`,
# `tensors:` (a YAML key), `x.grad`.
_WORD = re.compile(r"[:@]?[A-Za-z][\w.()\[\]=+*/'-]*:?")
_CJK = re.compile(r"[\u3400-\u9fff]")
_PRINTED = re.compile(r"\s+\[\d+\] ")  # a line of the printed output: `  [7] a's grad: None`


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """Each word of `text` (Chinese output) that is English and not of an allowed kind."""
    extra = frozenset(allowed)
    found: list[str] = []
    text = _PLACEHOLDER.sub("X", text)
    text = _ORIGINAL.sub(" ", text)
    text = _CODE_SPAN.sub(" ", text)
    text = _QUOTED.sub(" ", text)
    for raw in text.splitlines():
        line = _BOX.sub(" ", raw)
        if line.startswith("    ") and not _CJK.search(line):
            continue  # an indented code line (a statement, a fix's code block)
        if _PRINTED.match(line):
            continue  # what the learner's code printed, as it printed it
        # A note's kind is English only in brackets after its Chinese name.
        line = _NOTE_IN_BRACKETS.sub("（）", line)
        for kind in NOTE_KINDS:
            bare = re.compile(rf"(?<![\w.]){kind}(?![\w])")
            if kind not in extra and bare.search(line):
                found.append(f"{kind} (a note kind outside brackets)")
                line = bare.sub(" ", line)
        line = _COMMAND.sub(" ", line)
        line = _PATHISH.sub(" ", line)
        line = _OPTION.sub(" ", line)
        line = _BRACES.sub(" ", line)
        while _BRACKETS.search(line):
            line = _BRACKETS.sub(" ", line)
        for word in _WORD.findall(line):
            if _is_code(word) or word in ALLOWED or word in extra or word in ERROR_KINDS:
                continue
            found.append(word)
    return found


def _is_code(word: str) -> bool:
    """An identifier with _ . ( [ = or digits, a single letter (x, J, N), an upper-case
    placeholder (FILE, SCENARIO) or an autograd node (`ExpBackward`, `CopySlices`): code or
    notation, not a word of prose."""
    return (re.search(r"[_.()\[\]=+*/:@\d]", word) is not None or len(word) == 1
            or (word.isupper() and word.isalpha()) or _NODE.fullmatch(word) is not None
            or re.fullmatch(r"(.)\1+", word) is not None)  # a chart's marks: ooooo


_NODE = re.compile(r"[A-Z]\w*Backward\w*|CopySlices|AccumulateGrad|[A-Z][a-z]+[A-Z]\w*")


def identifiers(source: str) -> set[str]:
    """The names a scenario's own text uses (its tensors, its code): they are echoed."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))


# ASCII punctuation touching a Chinese character (`张量, 形状`, `张量(见`), or separating
# the items of a Chinese sentence (`已把 x, w, big 的梯度清零`, `出现了 w #2; 新的`).
_ASCII_PUNCTUATION = re.compile(r"[\u3400-\u9fff][,;!?()]|[,;!?(][\u3400-\u9fff]"
                                r"|[\u3400-\u9fff][,;:!?] ")
_ASCII_LIST = re.compile(r"\w, \w|\S; \S")
_ASCII_GROUPS = re.compile(r"\[[^\[\]\n]*\]|\([^()\n]*\)|\{[^{}\n]*\}")  # code's own


def ascii_punctuation(text: str, *, lists: bool = True) -> list[str]:
    """Each place where Chinese text uses ASCII punctuation instead of full-width; with
    `lists`, also `, ` and `; ` between the items of a Chinese sentence (a template's check:
    in a report, code such as a node's saved slots `self, other=x` keeps its commas)."""
    text = _CODE_SPAN.sub("`x`", _QUOTED.sub('"x"', _ORIGINAL.sub(" ", text)))
    found = [match.group(0) for match in _ASCII_PUNCTUATION.finditer(text)]
    for line in text.splitlines() if lists else ():
        if _CJK.search(line) and not _PRINTED.match(line):
            prose = line
            while _ASCII_GROUPS.search(prose):
                prose = _ASCII_GROUPS.sub(" ", prose)
            found += [match.group(0) for match in _ASCII_LIST.finditer(prose)]
    return found
