"""Input errors in Simplified Chinese, third part: indentation mistakes in YAML scenarios
(scenario/indentation.py). explain/catalogue_input.py merges these tables into its own.

Placeholders named key, name, node or module carry what the user wrote and stay as written.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "line {line} is indented with a tab": "第 {line} 行用 Tab 缩进",
    "line {line} is indented differently from the entry above it":
        "第 {line} 行的缩进与上面的条目不一致",
    "line {line} is indented less than the first line of the `{key}: |` block "
    "(line {first}, {number} spaces)":
        "第 {line} 行比 `{key}: |` 文本块的第一行（第 {first} 行，{number} 个空格）缩进得少",
    "line {line} is at the left margin, so the `{key}: |` block of line {first} is empty":
        "第 {line} 行写在了最左边，所以第 {first} 行的 `{key}: |` 文本块是空的",
    "line {line} is at the left margin, so it ends the `{key}: |` block of line {first}":
        "第 {line} 行写在了最左边，于是第 {first} 行的 `{key}: |` 文本块在它之前就结束了",
    "{key}: is at the indent of {node}:, so YAML reads it as a key of expect instead of a "
    "key under it":
        "{key}: 与 {node}: 的缩进相同，YAML 会把它当作 `expect:` 的键，而不是它下面的键",
    "{key}: is at the indent of the tensors, so YAML reads it as a tensor named {name}, "
    "but it is a key of tensor {node}":
        "{key}: 与张量的缩进相同，YAML 会把它当作名为 {name} 的张量，但它是张量 {node} 的键",
    "{key}: (line {first}) has nothing indented under it, so its value is null: "
    "line {line} is not under it":
        "{key}:（第 {first} 行）下面没有缩进的内容，所以它的值是 `null`：第 {line} 行不在它下面",
    "{key}: is indented under {node}:, so YAML reads it as part of {name}, but it is a "
    "top-level key":
        "{key}: 缩进到了 {node}: 下面，YAML 会把它当作 {name} 的一部分，但它是顶层的键",
    "{key}: is at the left margin, so YAML reads it as a top-level key, but it is a key of "
    "tensor {node}":
        "{key}: 写在了最左边，YAML 会把它当作顶层的键，但它是张量 {node} 的键",
    "tensor {key}: is at the left margin, so YAML reads it as a top-level key, not as a "
    "tensor":
        "张量 {key}: 写在了最左边，YAML 会把它当作顶层的键，而不是张量",
    "{key}: is at the left margin, so YAML reads it as a top-level key, but it is a key of "
    "expect":
        "{key}: 写在了最左边，YAML 会把它当作顶层的键，但它是 `expect:` 的键",
    "{key}: is indented under `{spec}`, which already has a value, but it is a top-level key":
        "{key}: 缩进到了 `{spec}` 下面，而那一行已经有值了，但它是顶层的键",
    "line {line} is indented under `{spec}`, which already has a value":
        "第 {line} 行缩进到了 `{spec}` 下面，而那一行已经有值了",
    "the `-` of line {line} is at column {col}, but the items above it start at column "
    "{number} (line {first}), so YAML reads it as more text of the item above":
        "第 {line} 行的 `-` 在第 {col} 列，而上面的条目从第 {number} 列开始（第 {first} 行），"
        "所以 YAML 把它当作上一个条目的后续文字",
    "the `-` of line {line} is at column {col}, but the items above it start at column "
    "{number} (line {first})":
        "第 {line} 行的 `-` 在第 {col} 列，而上面的条目从第 {number} 列开始（第 {first} 行）",
    "tensor {key}: (line {line}) is indented {number} spaces, but the tensors above it are "
    "indented {second}":
        "张量 {key}:（第 {line} 行）缩进了 {number} 个空格，而上面的张量缩进了 {second} 个",
    "line {line} is indented {number} spaces, but the entries above it are at the left "
    "margin":
        "第 {line} 行缩进了 {number} 个空格，而上面的条目都写在最左边",
    "line {line} is indented {number} spaces, but the entries above it under {key}: are "
    "indented {second} (line {first})":
        "第 {line} 行缩进了 {number} 个空格，而 {key}: 下面前面的条目缩进了 {second} 个"
        "（第 {first} 行）",
}

HINTS: dict[str, str] = {
    "YAML indents with spaces only: replace the tab with spaces, e.g. `{spec}`":
        "YAML 只能用空格缩进：把 Tab 换成空格，例如 `{spec}`",
    "indent it under {key}: like the block's first line, `{spec}`":
        "把它缩进到 {key}: 下面，与文本块的第一行对齐：`{spec}`",
    "indent it under {key}: like the block's other lines, `{spec}`":
        "把它缩进到 {key}: 下面，与文本块的其他行对齐：`{spec}`",
    "indent it under {key}: `{spec}`": "把它缩进到 {key}: 下面：`{spec}`",
    "indent it under {key}: if it belongs there, `{spec}`":
        "如果它属于这里，就把它缩进到 {key}: 下面：`{spec}`",
    "write it at the left margin: `{spec}`": "把它写在最左边：`{spec}`",
    "indent it like line {first}: `{spec}`": "把它缩进得与第 {first} 行一样：`{spec}`",
    "put every `-` of {key}: in the same column: `{spec}`":
        "让 {key}: 的每个 `-` 都在同一列：`{spec}`",
    "indent it under tensors: like {key}:, `{spec}`":
        "把它缩进到 tensors: 下面，与 {key}: 对齐：`{spec}`",
    "indent it under {key}: like line {first}, `{spec}`":
        "把它缩进到 {key}: 下面，与第 {first} 行对齐：`{spec}`",
    "indent the entries of one mapping by the same amount: a tensor under `tensors:` by two "
    "spaces, e.g. `  y: [1., 2.]`; its keys (value:, requires_grad:) by two more":
        "同一个映射里的条目要缩进相同的空格数：`tensors:` 下面的张量缩进两个空格，例如 "
        "`  y: [1., 2.]`；张量的键（value:、requires_grad:）再多缩进两个",
}
