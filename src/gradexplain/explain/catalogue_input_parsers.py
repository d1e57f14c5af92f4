"""What Python's parser, PyYAML and the operating system say, in Simplified Chinese.

Their messages reach the reader inside ours ("this code is not valid Python: {reason}",
"YAML syntax error: {problem}", "cannot read {path}: {reason}"). Keyed by their English
text with the variable parts as `{placeholders}`, like catalogue_input; explain/input_errors
puts the Chinese sentence in, followed by the parser's own words (`原文：“invalid syntax”`)
so that the message can still be looked up. A message missing here is shown as quoted
original words after a Chinese lead-in, never bare.
"""

from __future__ import annotations

# Python's SyntaxError messages (`ast.parse`, Python 3.10 to 3.13).
PYTHON: dict[str, str] = {
    "invalid syntax": "语法错误",
    "invalid syntax. Perhaps you forgot a comma?": "语法错误，可能是漏了一个逗号",
    "invalid syntax. Maybe you meant '==' or ':=' instead of '='?":
        "语法错误，也许想写的是 '==' 或 ':='，而不是 '='",
    "'{bracket}' was never closed": "'{bracket}' 没有配对的右括号",
    "unmatched '{bracket}'": "'{bracket}' 没有配对的左括号",
    "closing parenthesis '{bracket}' does not match opening parenthesis '{other}'":
        "右括号 '{bracket}' 与左括号 '{other}' 不配对",
    "closing parenthesis '{bracket}' does not match opening parenthesis '{other}' on line "
    "{line}":
        "右括号 '{bracket}' 与第 {line} 行的左括号 '{other}' 不配对",
    "expected '{char}'": "这里缺少 '{char}'",
    "expected an indented block": "这里需要一个缩进的代码块",
    "expected an indented block after '{keyword}' statement on line {line}":
        "第 {line} 行的 '{keyword}' 语句后面需要一个缩进的代码块",
    "expected an indented block after function definition on line {line}":
        "第 {line} 行的函数定义后面需要一个缩进的函数体",
    "expected an indented block after class definition on line {line}":
        "第 {line} 行的类定义后面需要一个缩进的类体",
    "expected an indented block after '{keyword}' statement on line {line}, "
    "not '{other}'":
        "第 {line} 行的 '{keyword}' 语句后面需要一个缩进的代码块",
    "unexpected indent": "这一行多了缩进",
    "unindent does not match any outer indentation level": "这一行的缩进与外层的任何一级都对不上",
    "inconsistent use of tabs and spaces in indentation": "缩进中混用了 Tab 和空格",
    "unterminated string literal (detected at line {line})":
        "字符串没有结束引号（在第 {line} 行发现）",
    "unterminated triple-quoted string literal (detected at line {line})":
        "三引号字符串没有结束（在第 {line} 行发现）",
    "EOL while scanning string literal": "字符串没有结束引号",
    "unexpected EOF while parsing": "代码在语句结束之前就到头了",
    "invalid decimal literal": "数字的写法不对（数字后面紧跟着字母）",
    "invalid hexadecimal literal": "十六进制数的写法不对",
    "invalid octal literal": "八进制数的写法不对",
    "invalid binary literal": "二进制数的写法不对",
    "invalid imaginary literal": "虚数的写法不对",
    "leading zeros in decimal integer literals are not permitted; use an 0o prefix for "
    "octal integers":
        "十进制整数不能以 0 开头；八进制数请加前缀 0o",
    "invalid character '{char}' (U+{code})":
        "无效字符 '{char}'（U+{code}），可能是中文输入法打出的全角符号",
    "invalid non-printable character U+{code}": "有不可见的无效字符 U+{code}",
    "source code string cannot contain null bytes": "代码中不能有空字节（\\0）",
    "cannot assign to {target} here. Maybe you meant '==' instead of '='?":
        "不能给{target}赋值；也许想写的是比较 '=='，而不是赋值 '='",
    "cannot assign to {target}": "不能给{target}赋值",
    "cannot delete {target}": "不能删除{target}",
    "'{type}' is an illegal expression for augmented assignment":
        "'{type}' 不能用在增量赋值（如 +=）的左边",
    "expression cannot contain assignment, perhaps you meant \"==\"?":
        "表达式里不能赋值；也许想写的是 \"==\"",
    "positional argument follows keyword argument": "位置参数写在了关键字参数后面",
    "positional argument follows keyword argument unpacking":
        "位置参数写在了 ** 解包后面",
    "non-default argument follows default argument": "没有默认值的参数写在了有默认值的参数后面",
    "parameter without a default follows parameter with a default":
        "没有默认值的参数写在了有默认值的参数后面",
    "Missing parentheses in call to '{name}'. Did you mean {name2}(...)?":
        "调用 '{name}' 缺少括号；应写成 {name2}(...)",
    "expected 'except' or 'finally' block": "try 块后面缺少 except 或 finally 块",
    "unexpected character after line continuation character": "续行符 \\ 后面不能再有字符",
    "Generator expression must be parenthesized": "生成器表达式必须用括号括起来",
    "expression expected after dictionary key and ':'": "字典的键和 ':' 后面缺少值",
    "':' expected after dictionary key": "字典的键后面缺少 ':'",
    "expected 'else' after 'if' expression": "条件表达式的 if 后面缺少 else",
    "f-string: expecting '}}'": "f-string 中缺少 '}}'",
    "f-string: single '}}' is not allowed": "f-string 中不能单独出现 '}}'",
    "f-string: empty expression not allowed": "f-string 的花括号里不能为空",
    "f-string: unmatched '{bracket}'": "f-string 中的 '{bracket}' 不配对",
    "trailing comma not allowed without surrounding parentheses":
        "没有括号时，末尾不能有逗号",
    "did you forget parentheses around the comprehension target?":
        "推导式的目标是否忘了加括号",
    "assignment to yield expression not possible": "不能给 yield 表达式赋值",
    "keyword argument repeated: {name}": "关键字参数 {name} 重复出现",
    "too many statically nested blocks": "代码块嵌套得太深",
}

# What Python calls the target of a refused assignment or del ("cannot assign to {target}").
TARGETS: dict[str, str] = {
    "function call": "函数调用",
    "literal": "字面量",
    "expression": "表达式",
    "comparison": "比较表达式",
    "conditional expression": "条件表达式",
    "attribute": "属性",
    "subscript": "下标",
    "lambda": " lambda 表达式",
    "f-string expression": " f-string 表达式",
    "True": " True",
    "False": " False",
    "None": " None",
    "Ellipsis": "省略号",
    "__debug__": " __debug__",
    "named expression": "海象表达式",
    "tuple": "元组",
    "list": "列表",
    "set display": "集合",
    "dict literal": "字典字面量",
    "generator expression": "生成器表达式",
    "await expression": " await 表达式",
    "yield expression": " yield 表达式",
}

# PyYAML's problems and contexts (scenario/yamlsafe.py shows both).
YAML: dict[str, str] = {
    "mapping values are not allowed here":
        "这里不能再出现 ': '（一行里只能有一个“键: 值”；值里的 ': ' 要加引号）",
    "found character '{char}' that cannot start any token":
        "字符 '{char}' 不能出现在值的开头",
    "found character that cannot start any token": "这个字符不能出现在值的开头",
    "expected ',' or ']', but got '{token}'": "这里应当是 ',' 或 ']'，却遇到了{token}",
    "expected ',' or '}}', but got '{token}'": "这里应当是 ',' 或 '}}'，却遇到了{token}",
    "expected <block end>, but found '{token}'": "缩进在这里结束得不对，遇到了{token}",
    "expected the node content, but found '{token}'": "这里缺少一个值，却遇到了{token}",
    "expected '<document start>', but found '{token}'": "文档在这里已经结束，却又遇到了{token}",
    "expected a comment or a line break, but found '{token}'":
        "这里应当是注释或换行，却遇到了{token}",
    "found unexpected end of stream": "文件在这里意外结束了",
    "found unexpected ':'": "这里不能出现 ':'",
    "found undefined alias '{name}'": "别名 '{name}' 没有定义",
    "found unknown escape character '{char}'": "未知的转义字符 '{char}'",
    "found unknown escape character": "未知的转义字符",
    "could not determine a constructor for the tag '{tag}'": "无法识别标签 '{tag}'",
    "could not find expected ':'": "找不到应有的 ':'",
    "did not find expected key": "找不到应有的键",
    "did not find expected '-' indicator": "这里应当是一个以 '-' 开头的列表项",
    "did not find expected <document start>": "找不到文档的开头",
    "did not find expected node content": "这里缺少一个值",
    "found a tab character that violates indentation": "这里用 Tab 缩进，破坏了缩进层次",
    "found a tab character where an indentation space is expected":
        "这里应当用空格缩进，却遇到了 Tab",
    "while scanning for the next token": "读取下一个记号时",
    "while scanning a simple key": "读取键时",
    "while scanning a quoted scalar": "读取带引号的字符串时",
    "while scanning a double-quoted scalar": "读取双引号字符串时",
    "while scanning a plain scalar": "读取值时",
    "while scanning a block scalar": "读取 `|` 或 `>` 文本块时",
    "while scanning an alias": "读取别名时",
    "while scanning an anchor": "读取锚点时",
    "while scanning a tag": "读取标签时",
    "while scanning a directive": "读取指令时",
    "while parsing a flow sequence": "解析方括号列表 [...] 时",
    "while parsing a flow mapping": "解析花括号映射 {{...}} 时",
    "while parsing a flow node": "解析值时",
    "while parsing a block node": "解析值时",
    "while parsing a block collection": "解析缩进的列表时",
    "while parsing a block mapping": "解析缩进的映射时",
    "while parsing a flow sequence entry": "解析方括号列表的条目时",
}

# PyYAML's names for what it found instead ('<stream end>'); a character stays quoted.
YAML_TOKENS: dict[str, str] = {
    "<stream end>": "文件结尾",
    "<scalar>": "一个值",
    "<block mapping start>": "一个缩进的映射",
    "<block sequence start>": "一个缩进的列表",
    "<block end>": "缩进的结束",
    "<document start>": "文档的开头",
    "<document end>": "文档的结尾",
    "<flow mapping start>": "'{'",
    "<flow sequence start>": "'['",
    "<alias>": "一个别名",
    "<anchor>": "一个锚点",
    "<tag>": "一个标签",
}

# The operating system's words for a file it could not read or write (`strerror`).
SYSTEM: dict[str, str] = {
    "No such file or directory": "没有这个文件或目录",
    "Permission denied": "没有权限",
    "Is a directory": "这是一个目录",
    "Not a directory": "路径中有一部分不是目录",
    "File exists": "文件已存在",
    "No space left on device": "磁盘空间不足",
    "Read-only file system": "文件系统是只读的",
    "File name too long": "文件名太长",
    "Too many levels of symbolic links": "符号链接的层数太多",
    "Operation not permitted": "不允许这样操作",
    "Input/output error": "读写出错",
    "Too many open files": "打开的文件太多",
    "Disk quota exceeded": "超出了磁盘配额",
    "Device or resource busy": "设备或资源正忙",
    "Invalid argument": "参数无效",
    "Text file busy": "文件正被使用",
}
