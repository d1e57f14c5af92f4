"""Input errors in Simplified Chinese, second part: the wider statement language's refusals,
limits and budgets. explain/catalogue_input.py merges these tables into its own."""

from __future__ import annotations

MESSAGES: dict[str, str] = {}
HINTS: dict[str, str] = {}
WORDS: dict[str, str] = {}
REFUSED: dict[str, str] = {}

MESSAGES.update({
    "attribute '{name}' is not allowed: {reason}": "不允许使用属性 '{name}'：{reason}",
    "'{path}' is not allowed: {reason}": "不允许使用 '{path}'：{reason}",
    "calling '{name}' is not allowed: {reason}": "不允许调用 '{name}'：{reason}",
})

# Why the safe interpreter refuses a name (language/allowlists.DANGEROUS).
WORDS.update({
    "it reads (and may unpickle) files": "它会读取文件（还可能用 `pickle` 反序列化）",
    "it writes files": "它会写文件",
    "it reads files": "它会读取文件",
    "it downloads and runs code": "它会下载并运行代码",
    "it compiles and loads code": "它会编译并加载代码",
    "it compiles code": "它会编译代码",
    "it reaches raw native operators": "它会触及底层的原生算子",
    "it registers native operators": "它会注册原生算子",
    "it reaches loaders, checkpoints and C++ extensions": "它会触及数据加载器、检查点和 C++ 扩展",
    "it imports code from archives": "它会从归档文件中导入代码",
    "it leaves PyTorch for raw memory that can be written anywhere":
        "它会离开 PyTorch，直接操作可以随处写入的原始内存",
    "it exposes raw memory": "它会暴露原始内存",
    "it exposes raw memory addresses": "它会暴露原始内存地址",
    "it runs a callable during backward": "它会在反向传播时运行一个可调用对象",
    "it runs a callable on every element": "它会对每个元素运行一个可调用对象",
    "it swaps a tensor's memory": "它会替换张量的内存",
    "it shares memory with other processes": "它会与其他进程共享内存",
    "it opens network connections": "它会建立网络连接",
    "it starts processes": "它会启动进程",
    "it changes global library settings": "它会修改库的全局设置",
    "it reaches native classes": "它会触及原生类",
    "it reaches PyTorch's C internals": "它会触及 PyTorch 的 C 内部实现",
    "it reaches the operating system": "它会触及操作系统",
    "it reaches the interpreter": "它会触及解释器",
    "it runs arbitrary code": "它会运行任意代码",
    "it opens files": "它会打开文件",
    "it reaches attributes by name, around the allowlist": "它会按名字访问属性，绕过允许列表",
    "it changes objects by name": "它会按名字修改对象",
    "it exposes the interpreter's globals": "它会暴露解释器的全局变量",
    "it exposes the interpreter's locals": "它会暴露解释器的局部变量",
    "it exposes objects' internals": "它会暴露对象的内部",
    "it imports modules": "它会导入模块",
    "it opens a debugger": "它会打开调试器",
    "it reads the terminal": "它会读取终端输入",
    "it changes global state": "它会修改全局状态",
    "private and dunder attributes reach Python internals, the classic sandbox escape":
        "私有属性和双下划线属性会触及 Python 内部机制，这是逃出沙箱的经典手法",
})

# The wider statement language: classes, functions, imports, with, raise, del.
MESSAGES.update({
    "tensors accept .grad, .requires_grad and .data; your own modules and a Function's ctx "
    "accept new attributes":
        "张量只能设置 `.grad`、`.requires_grad` 和 `.data`；自己定义的模块和 `Function` 的 `ctx` "
        "才能添加新属性",
    "{name}(key=...) is not part of the language": "场景语言不支持 {name}(key=...)",
    "{path} can only be used as a base class: class Net({module}.{name}):":
        "{path} 只能用作基类：class Net({module}.{name}):",
    "dunder keyword arguments are not allowed": "不允许使用双下划线的关键字参数",
    "name '{name}' is not allowed: dunder names reach Python internals":
        "不允许使用名字 '{name}'：双下划线名字会触及 Python 内部机制",
    "async comprehensions are not allowed": "不允许使用异步推导式",
    "a torch.autograd.Function is used through {name}.apply(...), not by calling the class":
        "`torch.autograd.Function` 要通过 {name}.apply(...) 使用，不能直接调用这个类",
    "only PyTorch's grad modes and autograd graph contexts can be used in `with`":
        "`with` 中只能使用 PyTorch 的梯度模式和 autograd 计算图上下文",
    "only names and list or dict items can be deleted": "只能删除名字，以及列表或字典中的元素",
    "{node} is not part of the statement language": "场景语言不支持 {node}",
    "{node} is not allowed here": "这里不允许使用 {node}",
    "only names, attributes and items can be assigned to": "只能给名字、属性和元素赋值",
    "importing '{name}' is not allowed: only torch (and its nn, nn.functional, optim, "
    "autograd parts), math, d2l, numpy, collections, random, time and copy can be imported, "
    "and known modules such as os bind a placeholder; other imports could load any code":
        "不允许导入 '{name}'：只能导入 `torch`（及其 `nn`、`nn.functional`、`optim`、`autograd` "
        "部分）、`math`、`d2l`、`numpy`、`collections`、`random`、`time` 和 `copy`，"
        "`os` 这类已知模块会绑定一个占位对象；其他导入可能加载任意代码",
    "defining '{name}' is not allowed: special methods change how Python itself treats "
    "values":
        "不允许定义 '{name}'：特殊方法会改变 Python 本身对待值的方式",
    "class keywords (metaclass=...) are not allowed: a metaclass runs arbitrary code":
        "不允许使用类关键字参数（`metaclass=...`）：元类会运行任意代码",
    "class decorators are not allowed": "不允许使用类装饰器",
    "classes inside classes are not allowed": "不允许在类中再定义类",
    "`raise ... from ...` is not part of the language": "场景语言不支持 `raise ... from ...`",
    "only the built-in exceptions can be raised, e.g. raise ValueError('...')":
        "只能抛出内置异常，例如 `raise ValueError('...')`",
    "a `with` block needs a context such as torch.no_grad()":
        "`with` 代码块需要一个上下文，例如 `torch.no_grad()`",
    "the decorator '{name}' is not allowed: a decorator can replace a function with anything":
        "不允许使用装饰器 '{name}'：装饰器可以把函数替换成任何东西",
    "a class body may hold only methods, plain assignments and a docstring":
        "类的主体中只能有方法、普通赋值和文档字符串",
    "'{keyword}' outside a loop": "'{keyword}' 出现在循环之外",
    "'return' outside a function": "'return' 出现在函数之外",
    "a class must be a plain class, or extend nn.Module, torch.autograd.Function, Dataset or "
    "a class of your own: other classes could redefine how Python treats values":
        "类必须是普通类，或者继承 `nn.Module`、`torch.autograd.Function`、`Dataset` "
        "或你自己定义的类：其他类可能改变 Python 对待值的方式",
    "a class must be a plain class, or extend nn.Module, torch.autograd.Function, Dataset or "
    "a class of your own (not a torch.autograd.Function)":
        "类必须是普通类，或者继承 `nn.Module`、`torch.autograd.Function`、`Dataset` "
        "或你自己定义的类（不能继承你自己的 `torch.autograd.Function` 子类）",
    "a module's __call__ is nn.Module's own (it runs forward and the module's hooks): define "
    "forward instead":
        "模块的 `__call__` 是 `nn.Module` 自己的（它运行 `forward` 和模块的钩子）："
        "请改为定义 `forward`",
    "super() is only available in the methods of your own classes":
        "`super()` 只能在你自己定义的类的方法中使用",
    "yield is only allowed in the body of a `def`": "`yield` 只能用在 `def` 的函数体中",
    "DataLoader's {key}= is not part of the language: the loader runs in this process, its "
    "batches drawn by PyTorch's own samplers":
        "场景语言不支持 `DataLoader` 的 {key}= 参数：`DataLoader` 在本进程中运行，批次由 PyTorch "
        "自己的采样器抽取",
    "DataLoader's {key}= takes one of PyTorch's samplers (RandomSampler, "
    "WeightedRandomSampler, ...)":
        "`DataLoader` 的 {key}= 只接受 PyTorch 自己的采样器（`RandomSampler`、"
        "`WeightedRandomSampler` 等）",
    "a {type} cannot be a dataset here: a DataLoader reads a Dataset (your own subclass, "
    "TensorDataset, ...), a list or a tensor":
        "这里 {type} 不能作为数据集：`DataLoader` 读取的是 `Dataset`（你自己的子类、"
        "`TensorDataset` 等）、列表或张量",
    "a value of type {type} cannot be used here: it could run code outside the interpreter":
        "这里不能使用 {type} 类型的值：它可能在解释器之外运行代码",
    "a layer cannot contain itself: calling it would call itself forever":
        "层不能包含它自己：调用它就会无休止地调用自己",
})

HINTS.update({
    "add a new layer instead of the same one": "请加入一个新的层，而不是同一个层",
    "user classes may define __init__, forward and backward":
        "自己定义的类可以定义 `__init__`、`forward` 和 `backward`",
    "write `class Net(nn.Module):` or `class Exp(torch.autograd.Function):`":
        "写成 `class Net(nn.Module):` 或 `class Exp(torch.autograd.Function):`",
    "user classes may define __init__, __getitem__, __len__, __call__, __iter__, __next__, "
    "__repr__, __str__, forward and backward":
        "自己定义的类可以定义 `__init__`、`__getitem__`、`__len__`、`__call__`、`__iter__`、"
        "`__next__`、`__repr__`、`__str__`、`forward` 和 `backward`",
    "write `class Net(nn.Module):`, `class Exp(torch.autograd.Function):` or `class "
    "Data(Dataset):`":
        "写成 `class Net(nn.Module):`、`class Exp(torch.autograd.Function):` 或 "
        "`class Data(Dataset):`",
    "pass dataset, batch_size, shuffle, drop_last, collate_fn or generator":
        "可以传入 `dataset`、`batch_size`、`shuffle`、`drop_last`、`collate_fn` 或 `generator`",
    "allowed: @torch.no_grad(), @torch.enable_grad(), @torch.inference_mode(), and "
    "@staticmethod in a class":
        "可以用的有：`@torch.no_grad()`、`@torch.enable_grad()`、`@torch.inference_mode()`，"
        "以及类中的 `@staticmethod`",
    "see the statement language in the README": "见 README 中对场景语言的说明",
})

WORDS.update({
    "async functions": "异步函数",
    "a tensor": "张量",
    "`F` (torch.nn.functional)": "`F`（`torch.nn.functional`）",
    "match statements": "`match` 语句",
    "yield (generators run code later, outside the interpreter's step count)":
        "yield（生成器会在之后、在解释器的步数统计之外运行代码）",
})
REFUSED.update({
    "def {name}": "定义 {name}",
    "decorator": "装饰器",
    "metaclass": "元类",
    "class base": "基类",
    "except": "`except` 子句",
    "raise": "`raise` 语句",
})

# Budgets enforced by the worker process (app/worker.py, limits.py).
MESSAGES.update({
    "the run ended abnormally (exit status {status}) while running this statement":
        "运行这条语句时进程异常结束（退出状态 {status}）",
    "the worker failed: {reason}": "运行场景的工作进程失败：{reason}",
})
HINTS.update({
    "this is a crash inside PyTorch or gradexplain; please report it":
        "这是 PyTorch 或 gradexplain 内部的崩溃；请报告这个问题",
})
WORDS.update({
    "bytes of memory used by the run": "这次运行使用的内存字节数",
    "seconds of running time": "运行时间（秒）",
    "depth of nested function calls": "函数调用的嵌套深度",
    "more than the machine allows": "超过这台机器所能提供的量",
    "more than the budget": "超过上限",
})

# Issue 29: numpy, placeholders for known modules, `__name__`, id/dir, Python's small modules.
MESSAGES.update({
    "the module '{module}' is imported but not part of the statement language ({reason}): "
    "this line uses it":
        "模块 '{module}' 已导入，但不属于场景语言（{reason}）：这一行用到了它",
    "numpy arrays of Python objects are not allowed: numpy would run the objects' own methods "
    "outside the interpreter":
        "不允许使用由 Python 对象组成的 numpy 数组：numpy 会在解释器之外运行这些对象自己的方法",
    "numpy cannot be given a function here: it would run it outside the interpreter":
        "这里不能把函数交给 numpy：numpy 会在解释器之外运行它",
    "numpy cannot be given this type: only numeric dtypes":
        "不能把这个类型交给 numpy：只能用数值类型（dtype）",
    "print formatters are functions numpy would run outside the interpreter":
        "打印格式化器（`formatter`）是 numpy 会在解释器之外运行的函数",
    "'__name__' can be read, not assigned": "'__name__' 只能读取，不能赋值",
    "'__name__' is not available on a {type}": "{type} 没有可用的 '__name__'",
    "namedtuple takes a name, its fields and defaults= here":
        "这里的 `namedtuple` 只接受名字、字段和 `defaults=`",
    "time.sleep() takes a number of seconds": "`time.sleep()` 需要一个秒数",
    "id() takes exactly one argument ({count} given)": "`id()` 只接受一个参数（给了 {count} 个）",
    "dir expected at most 1 argument, got {count}": "`dir` 最多接受 1 个参数，给了 {count} 个",
    "np.r_ and np.c_ directives are not part of the language":
        "场景语言不支持 `np.r_` 和 `np.c_` 的指令字符串",
})
HINTS.update({
    "remove what uses it; an import that is never used costs nothing":
        "删掉用到它的代码；只导入而不使用的模块不会有任何影响",
    "make arrays of numbers (or use torch tensors)": "用数字组成数组（或者改用 torch 张量）",
    "compute the values with a loop or a comprehension": "用循环或推导式算出这些值",
    "use np.concatenate or np.stack": "改用 `np.concatenate` 或 `np.stack`",
})
# Why an import of a known module binds a placeholder (allowlists.PLACEHOLDER_MODULES).
WORDS.update({
    "it reaches files": "它会访问文件",
    "it unpickles arbitrary objects": "它会用 `pickle` 反序列化任意对象",
    "it reads and writes files": "它会读写文件",
    "it reads the command line": "它会读取命令行",
    "it writes logs to files": "它会把日志写入文件",
    "it starts threads": "它会启动线程",
    "it reaches Python internals": "它会触及 Python 内部机制",
    "it is not part of the statement language": "它不属于场景语言",
    "it reads and writes image files": "它会读写图像文件",
    "it downloads data sets and weights": "它会下载数据集和权重",
    "it downloads data sets": "它会下载数据集",
    "it reads audio files": "它会读取音频文件",
    "it writes to the terminal": "它会直接写终端",
    "it draws with matplotlib outside the run": "它会在运行之外用 matplotlib 作图",
    "it reaches the notebook": "它会触及笔记本环境",
    "it draws outside the run": "它会在运行之外作图",
    "it reads and downloads files": "它会读取和下载文件",
    "it imports the author's own files": "它会导入作者自己的文件",
    "it runs code outside the interpreter": "它会在解释器之外运行代码",
})
REFUSED.update({
    "module '{module}'": "模块 '{module}'",
    "numpy object array": "由 Python 对象组成的 numpy 数组",
    "numpy callable": "交给 numpy 的函数",
    "numpy dtype": "numpy 的数据类型",
    "print formatter": "打印格式化器",
    "attribute '__name__'": "属性 '__name__'",
    "numpy directive": "numpy 的指令字符串",
})
