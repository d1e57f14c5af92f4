"""What scenario code may touch. Pure data: names only, no torch import.

Anything not listed here is refused before a scenario runs. Lists follow
shared/spec/scenario.md, plus a few harmless functions a tutorial might use.
"""

from __future__ import annotations

# torch.<name> callables.
TORCH_FUNCTIONS = frozenset({
    "tensor", "Tensor", "as_tensor", "ones", "zeros", "ones_like", "zeros_like", "full",
    "full_like", "empty", "empty_like", "rand", "randn", "rand_like", "randn_like", "randint",
    "arange", "linspace", "eye",
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "neg",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "abs", "sqrt", "rsqrt",
    "square", "sign", "floor", "ceil", "round", "trunc", "reciprocal", "erf",
    "maximum", "minimum", "fmod", "remainder", "lerp", "addmm", "addmv",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "std",
    "var", "logsumexp", "cumsum", "cumprod", "all", "any",
    "mm", "bmm", "matmul", "mv", "dot", "outer", "inner", "cross", "diag", "trace", "tril",
    "triu", "cat", "concat", "stack", "hstack", "vstack", "split", "chunk", "where",
    "clamp", "clip", "softmax", "log_softmax", "transpose", "t", "reshape", "flatten",
    "squeeze", "unsqueeze", "permute", "flip", "roll", "gather", "masked_fill", "index_select",
    "broadcast_to", "isnan", "isinf", "isfinite", "allclose", "equal", "eq", "ne", "lt", "le",
    "gt", "ge", "numel", "is_tensor", "is_floating_point", "no_grad", "enable_grad", "device",
    "set_grad_enabled", "is_grad_enabled", "inference_mode", "is_inference_mode_enabled",
    "manual_seed", "get_default_dtype", "einsum", "randperm", "normal", "sort", "topk",
    "diagonal", "tile", "sinc", "atan2", "hypot", "erfc", "lgamma", "digamma", "logit",
    "xlogy", "heaviside", "clamp_min", "clamp_max", "nan_to_num", "diff", "kron",
    "tensordot", "meshgrid", "det", "inverse", "asinh", "acosh", "atanh",
    "rad2deg", "deg2rad", "frac", "cdist", "dist", "var_mean", "std_mean", "median",
    "quantile", "count_nonzero", "nonzero", "unbind", "movedim", "swapaxes", "abs_",
    # In-place elementwise functions (they exist to show the in-place errors).
    "sin_", "cos_", "tan_", "exp_", "log_", "sqrt_", "tanh_", "sigmoid_", "relu_", "neg_",
    "clamp_", "floor_", "ceil_", "round_", "square_", "reciprocal_", "rsqrt_",
    "log1p_", "expm1_", "exp2_", "sinh_", "cosh_", "asin_", "acos_", "atan_", "erf_",
    "fill_", "zero_",
    "from_numpy", "Generator", "set_printoptions", "logical_not", "logical_and", "multinomial",
    "logical_or", "logical_xor",
    # Legacy constructors: they still work and are explained as legacy.
    "FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor",
})

# torch.<dtype> attributes.
TORCH_DTYPES = frozenset({
    "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int64", "long",
    "int32", "int", "int16", "short", "int8", "uint8", "bool", "complex64", "complex128",
    "cfloat", "cdouble",
})

# Dotted paths below torch that are namespaces, and the callables inside them.
TORCH_NAMESPACES = frozenset({
    "torch", "torch.autograd", "torch.nn", "torch.nn.functional", "torch.nn.init",
    "torch.optim", "torch.cuda", "torch.autograd.functional", "torch.autograd.graph",
    "math", "d2l", "torch.accelerator", "torch.optim.lr_scheduler", "torch.backends",
    "torch.backends.mps", "torch.backends.cudnn",
    "numpy", "numpy.random", "numpy.linalg", "collections", "random", "time", "copy",
    "torch.utils", "torch.utils.data", "matplotlib", "matplotlib.pyplot",
})
AUTOGRAD_FUNCTIONS = frozenset({"backward", "grad", "Variable", "set_grad_enabled",
                                "no_grad", "enable_grad", "gradcheck", "gradgradcheck",
                                "detect_anomaly", "set_detect_anomaly", "inference_mode"})
AUTOGRAD_FUNCTIONAL = frozenset({"jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"})
AUTOGRAD_GRAPH = frozenset({"Node", "saved_tensors_hooks", "allow_mutation_on_saved_tensors",
                            "save_on_cpu", "disable_saved_tensors_hooks",
                            "register_multi_grad_hook"})
# The base classes user classes may extend (markers, never the classes themselves).
BASE_CLASSES = frozenset({"torch.nn.Module", "torch.autograd.Function",
                          "torch.utils.data.Dataset"})
# torch.utils.data: datasets and loaders run in this process (language/data.py).
DATA_FUNCTIONS = frozenset({"DataLoader", "TensorDataset", "Subset", "ConcatDataset",
                            "random_split", "default_collate", "RandomSampler",
                            "SequentialSampler", "SubsetRandomSampler", "WeightedRandomSampler",
                            "BatchSampler"})
# matplotlib.pyplot: calls recorded as the run's figure (language/pyplot.py), nothing drawn
# by matplotlib in the run.
PYPLOT_FUNCTIONS = frozenset({
    "plot", "scatter", "semilogy", "semilogx", "loglog", "hist", "bar", "xlabel", "ylabel",
    "title", "suptitle", "legend", "figure", "subplot", "subplots", "grid", "xlim", "ylim",
    "xscale", "yscale", "show", "close", "savefig", "imshow", "text", "axis", "tight_layout",
    "pause", "gca", "gcf", "clf", "cla", "rc", "ion", "ioff", "colorbar", "axhline",
    "axvline", "annotate", "xticks", "yticks", "contour", "fill_between", "errorbar",
})
# Methods of the figure and axes objects pyplot gives.
AXES_METHODS = frozenset({
    "plot", "scatter", "semilogy", "semilogx", "loglog", "hist", "bar", "set_xlabel",
    "set_ylabel", "set_title", "legend", "grid", "set_xlim", "set_ylim", "set_xscale",
    "set_yscale", "imshow", "text", "axis", "cla", "clear", "add_subplot", "subplots",
    "suptitle", "tight_layout", "savefig", "show", "colorbar", "axhline", "axvline",
    "annotate", "set_xticks", "set_yticks", "contour", "fill_between", "errorbar",
    "set_size_inches", "set_aspect",
})
NN_CLASSES = frozenset({
    "Parameter", "Linear", "Bilinear", "Identity", "Sequential", "ModuleList", "ModuleDict",
    "ParameterList", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "Softplus", "Hardtanh", "ReLU6", "Conv1d", "Conv2d",
    "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten",
    "Unflatten", "Dropout", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "RNN",
    "LSTM", "GRU", "MSELoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "L1Loss",
    "NLLLoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
    # Lazy layers (d2l's builders' guide): their weights take their shape from the first input,
    # checked against the element limit in calls.py before that call.
    "LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConvTranspose2d", "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    # The rest of torch.nn.modules.__all__ that computes on tensors (every layer's weights
    # sized on the meta device before it is built: layer_sizes.py). Left out: the bases
    # (Module, Container, RNNBase, RNNCellBase), SyncBatchNorm (it needs a process group:
    # other processes) and LinearCrossEntropyOptions (settings, not a layer).
    "AdaptiveAvgPool1d", "AdaptiveAvgPool3d", "AdaptiveLogSoftmaxWithLoss",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AlphaDropout",
    "AvgPool1d", "AvgPool3d", "BatchNorm3d", "CELU", "CTCLoss", "ChannelShuffle",
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "Conv3d", "ConvTranspose1d", "ConvTranspose3d", "CosineEmbeddingLoss",
    "CosineSimilarity", "CrossMapLRN2d", "Dropout1d", "Dropout2d", "Dropout3d", "EmbeddingBag",
    "FeatureAlphaDropout", "Fold", "FractionalMaxPool2d", "FractionalMaxPool3d", "GLU",
    "GRUCell", "GaussianNLLLoss", "GroupNorm", "Hardshrink", "Hardsigmoid", "Hardswish",
    "HingeEmbeddingLoss", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LPPool1d",
    "LPPool2d", "LPPool3d", "LSTMCell", "LazyBatchNorm3d", "LazyConv3d", "LazyConvTranspose1d",
    "LazyConvTranspose3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d",
    "LinearCrossEntropyLoss", "LocalResponseNorm", "LogSigmoid", "MarginRankingLoss",
    "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Mish", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiheadAttention", "NLLLoss2d", "PReLU",
    "PairwiseDistance", "ParameterDict", "PixelShuffle", "PixelUnshuffle", "PoissonNLLLoss",
    "RMSNorm", "RNNCell", "RReLU", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "SELU", "SoftMarginLoss",
    "Softmax2d", "Softmin", "Softshrink", "Softsign", "Tanhshrink", "Threshold", "Transformer",
    "TransformerDecoderLayer", "TransformerEncoderLayer", "TripletMarginLoss",
    "TripletMarginWithDistanceLoss", "Unfold",
    "Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d",
})
# nn classes left out on purpose (a test checks every name of torch.nn.modules.__all__ is on
# one of the two lists).
# TransformerEncoder and TransformerDecoder copy the layer they are given num_layers times,
# a size layer_sizes.py does not yet check before the copies are made.
NN_REFUSED = frozenset({"Module", "Container", "RNNBase", "RNNCellBase", "SyncBatchNorm",
                        "LinearCrossEntropyOptions", "TransformerEncoder",
                        "TransformerDecoder"})
NN_INIT = frozenset({"zeros_", "ones_", "constant_", "normal_", "uniform_", "eye_",
                     "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                     "kaiming_normal_", "trunc_normal_", "orthogonal_", "calculate_gain"})
LR_SCHEDULERS = frozenset({"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                           "LambdaLR", "MultiplicativeLR", "LinearLR", "ConstantLR",
                           "ReduceLROnPlateau", "OneCycleLR", "CyclicLR"})
SCHEDULER_METHODS = frozenset({"step", "get_last_lr", "state_dict", "load_state_dict"})
SCHEDULER_ATTRIBUTES = frozenset({"last_epoch", "base_lrs", "optimizer"})
GENERATOR_METHODS = frozenset({"manual_seed", "initial_seed", "seed"})
OPTIMIZERS = frozenset({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                        "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS", "Adafactor", "Muon",
                        "SparseAdam"})
MATH_FUNCTIONS = frozenset({
    "sqrt", "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin",
    "acos", "atan", "atan2", "sinh", "cosh", "tanh", "fabs", "floor", "ceil", "trunc",
    "isclose", "isnan", "isinf", "isfinite", "erf", "erfc", "hypot", "degrees", "radians",
    "copysign", "fsum", "gamma", "lgamma",
})
MATH_CONSTANTS = frozenset({"pi", "e", "tau", "inf", "nan"})
D2L_FUNCTIONS = frozenset({"plot", "set_figsize", "use_svg_display", "arange"})
FUNCTIONAL = frozenset({
    "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "linear", "gelu", "leaky_relu", "elu", "silu",
    "softplus", "normalize", "pad", "dropout", "hardtanh", "logsigmoid",
    # Pooling and the rest of the pure-tensor activations; sizes are checked on `meta`.
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "one_hot",
    "softmin", "selu", "celu", "mish", "hardswish", "hardsigmoid", "softsign", "tanhshrink",
    "glu", "kl_div", "cosine_similarity", "dropout1d", "dropout2d", "conv1d", "conv2d",
})

# numpy: a subset that computes on arrays in memory (language/numpy_subset.py runs it and
# sizes every call). Nothing that reaches files, raw memory or arbitrary Python objects:
# load/save/fromfile/tofile/memmap/ctypes/frombuffer/lib/vectorize/frompyfunc are on no list.
NUMPY_FUNCTIONS = frozenset({
    # creation
    "array", "asarray", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
    "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "identity", "diag",
    "meshgrid", "tile", "repeat", "copy", "broadcast_to",
    # elementwise
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "power", "mod",
    "fmod", "remainder", "negative", "reciprocal", "sqrt", "square", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "arctan2", "sinh", "cosh", "tanh", "abs", "absolute", "fabs", "sign", "floor", "ceil",
    "trunc", "round", "around", "rint", "clip", "maximum", "minimum", "fmax", "fmin", "where",
    "isnan", "isinf", "isfinite", "isclose", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_not", "logical_xor",
    "hypot", "deg2rad", "rad2deg", "degrees", "radians", "nan_to_num", "heaviside",
    # reductions and summaries
    "sum", "mean", "std", "var", "max", "min", "amax", "amin", "argmax", "argmin", "prod",
    "cumsum", "cumprod", "all", "any", "median", "average", "percentile", "quantile",
    "count_nonzero", "nonzero", "argsort", "sort", "unique", "histogram", "allclose",
    "array_equal", "ptp", "diff", "argwhere", "nanmean", "nansum", "nanmax", "nanmin",
    # shapes
    "reshape", "transpose", "squeeze", "expand_dims", "ravel", "concatenate", "stack",
    "hstack", "vstack", "column_stack", "split", "array_split", "swapaxes", "moveaxis",
    "atleast_1d", "atleast_2d", "flip", "shape", "ndim", "size", "roll",
    # linear algebra
    "dot", "matmul", "inner", "outer", "vdot", "kron", "trace", "cross",
    "set_printoptions", "get_printoptions",
})
NUMPY_RANDOM = frozenset({"seed", "rand", "randn", "random", "random_sample", "normal",
                          "uniform", "randint", "choice", "shuffle", "permutation",
                          "default_rng", "RandomState", "standard_normal", "binomial",
                          "poisson", "exponential", "beta", "gamma", "multivariate_normal"})
NUMPY_LINALG = frozenset({"norm", "inv", "solve", "det", "eig", "eigh", "eigvals", "svd",
                          "pinv", "matrix_rank", "lstsq", "qr", "cholesky"})
NUMPY_DTYPES = frozenset({"float16", "float32", "float64", "int8", "int16", "int32", "int64",
                          "uint8", "bool_", "complex64", "complex128", "double", "single",
                          "longlong", "intc", "half"})
NUMPY_CONSTANTS = frozenset({"pi", "e", "inf", "nan", "newaxis", "__version__",
                             "c_", "r_"})  # np.c_[a, b]: sized as a concatenation
# Methods and attributes of arrays (and of numpy's scalars), of its random generators.
NDARRAY_METHODS = frozenset({
    "reshape", "transpose", "flatten", "ravel", "squeeze", "astype", "copy", "tolist", "item",
    "sum", "mean", "std", "var", "max", "min", "argmax", "argmin", "prod", "cumsum",
    "cumprod", "all", "any", "round", "clip", "dot", "fill", "sort", "argsort", "nonzero",
    "repeat", "swapaxes", "trace", "diagonal", "conj", "ptp",
})
NDARRAY_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "T", "itemsize", "nbytes",
                                "real", "imag"})
NUMPY_GENERATOR_METHODS = frozenset({
    "seed", "rand", "randn", "random", "random_sample", "normal", "uniform", "randint",
    "integers", "choice", "shuffle", "permutation", "standard_normal", "binomial",
    "poisson", "exponential", "beta", "gamma", "multivariate_normal"})

# Python's small modules, as subsets: `random` and numpy's random functions draw from streams
# seeded per scenario from its seed; `time.sleep` is bounded by the time budget.
COLLECTIONS_FUNCTIONS = frozenset({"OrderedDict", "namedtuple", "defaultdict", "deque",
                                   "Counter"})
RANDOM_FUNCTIONS = frozenset({"seed", "random", "randint", "shuffle", "choice", "sample",
                              "uniform", "gauss", "normalvariate", "randrange"})
TIME_FUNCTIONS = frozenset({"time", "perf_counter", "sleep", "monotonic", "process_time"})
COPY_FUNCTIONS = frozenset({"deepcopy", "copy"})
DEQUE_METHODS = frozenset({"append", "appendleft", "pop", "popleft", "extend", "clear",
                           "count", "index", "rotate"})
COUNTER_METHODS = frozenset({"most_common", "update", "elements"})

# Every dotted callable path a scenario may reach, e.g. "torch.nn.functional.relu".
TORCH_PATHS = frozenset(
    {f"torch.{n}" for n in TORCH_FUNCTIONS | TORCH_DTYPES}
    | {f"torch.autograd.{n}" for n in AUTOGRAD_FUNCTIONS}
    | {f"torch.autograd.functional.{n}" for n in AUTOGRAD_FUNCTIONAL}
    | {f"torch.autograd.graph.{n}" for n in AUTOGRAD_GRAPH}
    | {f"torch.nn.functional.{n}" for n in FUNCTIONAL}
    | {f"torch.nn.{n}" for n in NN_CLASSES}
    | {f"torch.nn.init.{n}" for n in NN_INIT}
    | {f"torch.optim.{n}" for n in OPTIMIZERS}
    | {"torch.cuda.is_available", "torch.cuda.device_count", "torch.accelerator.is_available",
       "torch.accelerator.current_accelerator", "torch.set_default_device",
       "torch.get_default_device"}
    | {f"math.{n}" for n in MATH_FUNCTIONS}
    | {f"d2l.{n}" for n in D2L_FUNCTIONS}
    | {f"torch.optim.lr_scheduler.{n}" for n in LR_SCHEDULERS}
    | {"torch.backends.mps.is_available", "torch.backends.mps.is_built",
       "torch.backends.cudnn.is_available"}
    | {f"numpy.{n}" for n in NUMPY_FUNCTIONS | NUMPY_DTYPES}
    | {f"numpy.random.{n}" for n in NUMPY_RANDOM}
    | {f"numpy.linalg.{n}" for n in NUMPY_LINALG}
    | {f"collections.{n}" for n in COLLECTIONS_FUNCTIONS}
    | {f"random.{n}" for n in RANDOM_FUNCTIONS}
    | {f"time.{n}" for n in TIME_FUNCTIONS}
    | {f"copy.{n}" for n in COPY_FUNCTIONS}
    | {f"torch.utils.data.{n}" for n in DATA_FUNCTIONS}
    | {f"matplotlib.pyplot.{n}" for n in PYPLOT_FUNCTIONS}
)
# Plain values reached by path.
CONSTANT_PATHS = frozenset({"torch.pi", "torch.e", "torch.inf", "torch.nan", "torch.__version__"}
                           | {f"math.{n}" for n in MATH_CONSTANTS}
                           | {f"numpy.{n}" for n in NUMPY_CONSTANTS})
# Legacy APIs: they work, and the run notes that they are legacy.
LEGACY_PATHS = frozenset({"torch.autograd.Variable", "torch.FloatTensor", "torch.DoubleTensor",
                          "torch.LongTensor", "torch.IntTensor", "torch.BoolTensor"})

TENSOR_METHODS = frozenset({
    "backward", "retain_grad", "zero_", "requires_grad_", "detach", "detach_", "clone",
    "item", "tolist", "numel", "dim", "size", "nelement", "element_size",
    "view", "view_as", "reshape", "reshape_as", "flatten", "squeeze", "unsqueeze", "t",
    "transpose", "permute", "expand", "expand_as", "repeat", "contiguous", "is_contiguous",
    "flip", "roll", "chunk", "split", "narrow", "gather", "masked_fill", "index_select",
    "mm", "bmm", "mv", "dot", "matmul", "outer",
    "float", "double", "half", "bfloat16", "long", "int", "bool", "to", "cpu", "cuda", "type_as",
    "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "log1p", "sin", "cos", "tanh",
    "sigmoid", "relu", "abs", "sqrt", "rsqrt", "square", "sign", "floor", "ceil", "round",
    "reciprocal", "clamp", "clip", "softmax", "log_softmax", "maximum", "minimum", "lerp",
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "norm", "std",
    "var", "logsumexp", "cumsum", "all", "any", "eq", "ne", "lt", "le", "gt", "ge",
    "isnan", "isinf", "isfinite", "allclose", "equal", "is_floating_point", "where",
    # In-place forms: they exist to show the in-place errors.
    "add_", "sub_", "mul_", "div_", "pow_", "fill_", "clamp_", "relu_", "sigmoid_", "neg_",
    "exp_", "copy_", "uniform_", "normal_", "abs_", "sqrt_", "tanh_", "masked_fill_",
    "unsqueeze_", "squeeze_", "t_", "transpose_",
    "sin_", "cos_", "tan_", "log_", "floor_", "ceil_", "round_", "square_", "reciprocal_",
    "rsqrt_", "log1p_", "expm1_", "clamp_min_", "clamp_max_", "index_fill_", "index_add_",
    "scatter_", "index_copy_", "scatter_add_", "masked_scatter_", "index_copy", "scatter_add",
    "masked_scatter", "random_", "bernoulli_", "exponential_",
    "register_hook", "register_post_accumulate_grad_hook", "new_tensor",
    "new_zeros", "new_ones", "new_full", "new_empty", "sort", "topk", "unbind", "tile",
    "diagonal", "triu", "tril", "argsort", "nonzero", "diag", "trace", "fill_diagonal_",
    "exp2", "erf", "sinh", "cosh", "tan", "asin", "acos", "atan", "log2", "log10", "expm1",
    "frac", "trunc", "cumprod", "median", "mode", "count_nonzero", "movedim", "swapaxes",
    "type", "stride", "storage_offset", "unfold", "scatter",
    "index_add", "index_fill", "masked_select", "take", "put_", "addmm", "addmv",
    "baddbmm", "einsum", "logit", "xlogy", "nan_to_num", "hardshrink", "softplus",
    # Leaves PyTorch for a numpy array sharing its memory (PyTorch refuses one that requires
    # grad); the array is numpy's subset's (language/numpy_subset.py).
    "numpy", "clamp_min", "clamp_max", "logical_not", "multinomial",
})

TENSOR_ATTRIBUTES = frozenset({
    "grad", "data", "shape", "T", "mT", "H", "ndim", "dtype", "device", "is_leaf",
    "requires_grad", "grad_fn", "is_cuda", "output_nr", "itemsize",
    "layout", "names", "_version", "is_sparse", "real", "imag",
})

# On a grad_fn (autograd Node): read for display only.
NODE_ATTRIBUTES = frozenset({"next_functions", "name", "register_hook", "register_prehook",
                             "metadata_names", "variable", "requires_grad"})
# On torch.return_types (max/min with dim), torch.device and torch.dtype.
RESULT_ATTRIBUTES = frozenset({"values", "indices", "type", "index", "is_floating_point"})
# Methods of plain values. Nothing that grows a value without a bound check.
STRING_METHODS = frozenset({"format", "join", "upper", "lower", "strip", "split",
                            "startswith", "endswith", "title", "capitalize", "isupper",
                            "islower", "isdigit", "isalpha", "isspace", "find", "rfind",
                            "count", "lstrip", "rstrip", "splitlines"})
LIST_METHODS = frozenset({"append", "extend", "pop", "insert", "index", "count", "reverse",
                          "copy", "clear", "remove"})
DICT_METHODS = frozenset({"items", "keys", "values", "get", "pop", "update", "copy"})

# nn modules (the user's and the built-in layers), optimizers, hook handles, Function ctx.
MODULE_METHODS = frozenset({
    "parameters", "named_parameters", "zero_grad", "train", "eval", "children",
    "named_children", "modules", "named_modules", "requires_grad_", "forward", "to", "float",
    "double", "cpu", "buffers", "named_buffers", "state_dict", "append", "extend",
    "register_parameter", "add_module", "register_buffer", "apply",
    "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
    "register_full_backward_pre_hook", "register_backward_hook", "get_submodule",
    "get_parameter", "extra_repr", "load_state_dict", "half", "bfloat16", "type",
})
MODULE_ATTRIBUTES = frozenset({
    "training", "in_features", "out_features", "weight", "bias", "kernel_size", "stride",
    "padding", "num_embeddings", "embedding_dim", "eps", "momentum", "running_mean",
    "running_var", "p", "inplace", "dim", "negative_slope", "reduction", "num_features",
    "hidden_size", "num_layers", "normalized_shape", "in_channels", "out_channels",
    "start_dim", "end_dim",
})
# nn.ParameterDict's dict methods (update takes tensors only: language/calls.py).
PARAMETER_DICT_METHODS = frozenset({"keys", "values", "items", "update", "get"})
OPTIMIZER_METHODS = frozenset({"step", "zero_grad", "add_param_group", "state_dict",
                               "load_state_dict"})
OPTIMIZER_ATTRIBUTES = frozenset({"param_groups", "defaults", "state"})
CTX_METHODS = frozenset({"save_for_backward", "mark_dirty", "mark_non_differentiable",
                         "set_materialize_grads"})
CTX_ATTRIBUTES = frozenset({"saved_tensors", "needs_input_grad"})
HANDLE_METHODS = frozenset({"remove"})
# Hooks on modules: the user's hook re-enters the interpreter and is noted (module_hook).
MODULE_HOOK_METHODS = frozenset({"register_forward_hook", "register_forward_pre_hook",
                                 "register_full_backward_hook",
                                 "register_full_backward_pre_hook", "register_backward_hook"})
# The tables of the user's own modules that code may read and fill (d2l's MySequential),
# through a view that takes only modules or parameters (language/classes.py).
MODULE_TABLES = frozenset({"_modules", "_parameters"})
# A DataLoader's and a dataset's readable attributes.
DATA_ATTRIBUTES = frozenset({"dataset", "batch_size", "drop_last", "tensors", "indices",
                             "datasets", "num_workers"})
# Underscore attributes that are allowed after all: read-only, for display.
PRIVATE_ALLOWED = frozenset({"__version__", "_version", "__init__"})
SAVED_PREFIX = "_saved_"

BUILTINS = frozenset({
    "print", "len", "range", "enumerate", "zip", "min", "max", "abs", "round", "sum",
    "isinstance", "float", "int", "bool", "list", "tuple", "dict", "set", "str", "sorted",
    "reversed", "any", "all", "repr", "divmod", "pow", "super", "type", "id", "dir", "map",
    "filter", "hasattr", "iter", "next",
})
# Exception types scenario code may name in `except` and `raise`.
EXCEPTIONS = frozenset({"Exception", "RuntimeError", "ValueError", "TypeError", "IndexError",
                        "AssertionError", "KeyError", "ZeroDivisionError", "NotImplementedError",
                        "ArithmeticError", "LookupError", "AttributeError", "StopIteration"})

# Why a refused name is dangerous, for the not_allowed message. Checked by prefix too.
DANGEROUS: dict[str, str] = {
    "load": "it reads (and may unpickle) files",
    "save": "it writes files",
    "from_file": "it reads files",
    "hub": "it downloads and runs code",
    "jit": "it compiles and loads code",
    "compile": "it compiles code",
    "ops": "it reaches raw native operators",
    "library": "it registers native operators",
    "utils": "it reaches loaders, checkpoints and C++ extensions",
    "package": "it imports code from archives",
    "storage": "it exposes raw memory",
    "untyped_storage": "it exposes raw memory",
    "data_ptr": "it exposes raw memory addresses",
    "apply_": "it runs a callable on every element",
    "map_": "it runs a callable on every element",
    "set_": "it swaps a tensor's memory",
    "share_memory_": "it shares memory with other processes",
    "distributed": "it opens network connections",
    "multiprocessing": "it starts processes",
    "classes": "it reaches native classes",
    "_C": "it reaches PyTorch's C internals",
    "os": "it reaches the operating system",
    "sys": "it reaches the interpreter",
    "eval": "it runs arbitrary code",
    "exec": "it runs arbitrary code",
    "open": "it opens files",
    "getattr": "it reaches attributes by name, around the allowlist",
    "setattr": "it changes objects by name",
    "globals": "it exposes the interpreter's globals",
    "locals": "it exposes the interpreter's locals",
    "vars": "it exposes objects' internals",
    "__import__": "it imports modules",
    "breakpoint": "it opens a debugger",
    "input": "it reads the terminal",
    "profiler": "it records every operation of the process and writes traces to files",
}
# Builtins refused when called by name (as attributes these names are harmless).
DANGEROUS_BUILTINS: dict[str, str] = {
    "memoryview": "it exposes raw memory",
    "object": "it reaches Python's object model",
    "classmethod": "it reaches classes",
    "property": "it runs code on attribute access",
}
# Attribute names that are harmless although a builtin of the same name is not (module.eval()).
SAFE_ATTRIBUTE_NAMES = frozenset({"eval"})
# Names that start like a dangerous prefix but are fine.
SAFE_SET_NAMES = frozenset({"set_grad_enabled", "set_materialize_grads", "set_figsize",
                            "set_detect_anomaly", "set_default_device", "set_printoptions"}
                           | {n for n in AXES_METHODS if n.startswith("set_")})
DANGEROUS_PREFIXES: dict[str, str] = {
    "set_": "it changes global state",
    "_": "private and dunder attributes reach Python internals, the classic sandbox escape",
}


def why_dangerous(name: str) -> str | None:
    """A short reason a name is refused, or None when it is merely unknown."""
    if name in DANGEROUS:
        return DANGEROUS[name]
    if name in SAFE_SET_NAMES:
        return None
    for prefix, reason in DANGEROUS_PREFIXES.items():
        if name.startswith(prefix):
            return reason
    return None


# `import os` and the like: known modules the language does not run bind a placeholder, so
# the file runs until the code uses one (the refusal names that line); an import that is
# never used costs nothing. Any other module is refused at the import.
PLACEHOLDER_MODULES: dict[str, str] = {
    "os": "it reaches the operating system", "sys": "it reaches the interpreter",
    "subprocess": "it starts processes", "pathlib": "it reaches files",
    "shutil": "it reaches files", "glob": "it reaches files", "io": "it reaches files",
    "tempfile": "it reaches files", "pickle": "it unpickles arbitrary objects",
    "json": "it reads and writes files", "csv": "it reads and writes files",
    "gzip": "it reaches files", "zipfile": "it reaches files", "tarfile": "it reaches files",
    "h5py": "it reaches files", "argparse": "it reads the command line",
    "logging": "it writes logs to files", "warnings": "it changes global state",
    "socket": "it opens network connections", "urllib": "it opens network connections",
    "requests": "it opens network connections", "threading": "it starts threads",
    "multiprocessing": "it starts processes", "platform": "it reaches the operating system",
    "inspect": "it reaches Python internals", "importlib": "it imports modules",
    "datetime": "it is not part of the statement language",
    "itertools": "it is not part of the statement language",
    "functools": "it is not part of the statement language",
    "typing": "it is not part of the statement language",
    "dataclasses": "it is not part of the statement language",
    "abc": "it is not part of the statement language",
    "re": "it is not part of the statement language",
    "string": "it is not part of the statement language",
    "PIL": "it reads and writes image files", "torchvision": "it downloads data sets and weights",
    "torchtext": "it downloads data sets", "torchaudio": "it reads audio files",
    "pandas": "it reads and writes files", "sklearn": "it is not part of the statement language",
    "scipy": "it is not part of the statement language", "tqdm": "it writes to the terminal",
    "seaborn": "it draws with matplotlib outside the run", "IPython": "it reaches the notebook",
    "tensorboard": "it writes files", "torch.utils.tensorboard": "it writes files",
    "matplotlib": "it draws outside the run", "d2lzh_pytorch": "it reads and downloads files",
    "utils": "it imports the author's own files", "timeit": "it runs code outside the interpreter",
}
