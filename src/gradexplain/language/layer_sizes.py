"""Sizes of nn layers, before they are made and before each call: the same element limit as
every tensor operation (sizes.py), with the layer's own formulas.

A layer's weights are sized by building it on PyTorch's `meta` device first (shapes only,
nothing allocated, nothing drawn from the random stream), from the very arguments the code
gives (tuples, lists and keywords included: `nn.Conv2d(1, 1, (5000, 5000))`,
`nn.LayerNorm([5000, 5000])`, `nn.LSTM(1, 4096)`); a layer class that takes no `device`
holds no weights of its own. A call's output is sized from its input's shape and the layer's
attributes as they are now (a stride or padding reassigned after construction counts), by the
formula of its kind in OUTPUT_RULES; a kind whose output is never larger than its input is in
NOT_GROWING, a container's output is its layers' (each sized as it is called); any other
built-in layer runs on `meta` first. Every layer call is sized, inside containers and the
code's own modules too: the check is a forward pre-hook while the interpreter runs.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.func import functional_call

from gradexplain.language import sizes

Rule = Callable[[nn.Module, torch.Tensor], int | None]


@functools.lru_cache(maxsize=256)
def takes_device(kind: type) -> bool:
    """Whether the layer class may build weights of its own: its constructor takes `device`,
    or passes keywords on (nn.LSTM(*args, **kwargs) hands them to nn.RNNBase)."""
    try:
        parameters = inspect.signature(kind).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "device" or p.kind is inspect.Parameter.VAR_KEYWORD
               for p in parameters)


def weight_sizes(kind: type, args: Sequence[object], kwargs: dict[str, object]
                 ) -> list[int] | None:
    """Elements of each weight and buffer the layer would hold, built on `meta` from the
    code's arguments; None when it holds none, or when the arguments are refused (the real
    constructor then raises the same error)."""
    if not takes_device(kind):
        return None
    try:
        layer = kind(*args, **{**kwargs, "device": "meta"})
    except Exception:  # PyTorch refuses the arguments: the real call says why
        return None
    lazy = torch.nn.parameter.is_lazy  # a lazy layer's weights are sized at its first call
    return [t.numel() for t in (*layer.parameters(), *layer.buffers()) if not lazy(t)]


def _pair(value: object, count: int) -> list[int]:
    if isinstance(value, (tuple, list)):
        return [int(v) for v in value]
    return [int(value)] * count  # type: ignore[call-overload]


def _batch_and_spatial(layer: nn.Module, x: torch.Tensor, dims: int
                       ) -> tuple[int, list[int]] | None:
    """The batch size (1 when unbatched) and spatial sizes of a convolution's input."""
    if x.dim() == dims + 2:
        return int(x.shape[0]), [int(s) for s in x.shape[2:]]
    if x.dim() == dims + 1:
        return 1, [int(s) for s in x.shape[1:]]
    return None


def _conv(layer: nn.Module, x: torch.Tensor) -> int | None:
    assert isinstance(layer, nn.modules.conv._ConvNd)
    dims = len(layer.kernel_size)
    found = _batch_and_spatial(layer, x, dims)
    if found is None or torch.nn.parameter.is_lazy(layer.weight):
        return None
    batch, spatial = found
    kernel, stride = _pair(layer.kernel_size, dims), _pair(layer.stride, dims)
    dilation = _pair(layer.dilation, dims)
    if layer.transposed:
        padding, extra = _pair(layer.padding, dims), _pair(layer.output_padding, dims)
        out = [(n - 1) * s - 2 * p + d * (k - 1) + e + 1 for n, s, p, d, k, e in
               zip(spatial, stride, padding, dilation, kernel, extra, strict=True)]
    elif isinstance(layer.padding, str):
        out = spatial if layer.padding == "same" else \
            [n - d * (k - 1) for n, d, k in zip(spatial, dilation, kernel, strict=True)]
    else:
        padding = _pair(layer.padding, dims)
        out = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in
               zip(spatial, padding, dilation, kernel, stride, strict=True)]
    return batch * int(layer.out_channels) * math.prod(max(int(o), 0) for o in out)


def _linear(layer: nn.Module, x: torch.Tensor) -> int | None:
    assert isinstance(layer, nn.Linear)
    if x.dim() == 0:
        return None
    return x.numel() // max(int(x.shape[-1]), 1) * int(layer.out_features)


def _bilinear(layer: nn.Module, x: torch.Tensor) -> int | None:
    assert isinstance(layer, nn.Bilinear)
    if x.dim() == 0:
        return None
    return x.numel() // max(int(x.shape[-1]), 1) * int(layer.out_features)


def _embedding(layer: nn.Module, x: torch.Tensor) -> int | None:
    assert isinstance(layer, nn.Embedding)
    return x.numel() * int(layer.embedding_dim)


def _recurrent(layer: nn.Module, x: torch.Tensor) -> int | None:
    """The output sequence (or the hidden states, if larger): a row per step and sequence,
    each direction's hidden size."""
    assert isinstance(layer, nn.RNNBase)
    if x.dim() == 0:
        return None
    rows = x.numel() // max(int(layer.input_size), 1)
    directions = 2 if layer.bidirectional else 1
    out = rows * directions * int(layer.proj_size or layer.hidden_size)
    states = int(layer.num_layers) * directions * rows * int(layer.hidden_size)
    return max(out, states)


# The layer kinds whose output can outgrow their input, each by its formula.
OUTPUT_RULES: dict[type, Rule] = {
    nn.modules.conv._ConvNd: _conv, nn.Linear: _linear, nn.Bilinear: _bilinear,
    nn.Embedding: _embedding, nn.RNNBase: _recurrent,
}
# Layers whose output is never larger than their (largest) input: elementwise activations,
# normalizations, dropout, pooling, reshaping, losses and Parameter.
NOT_GROWING: frozenset[str] = frozenset({
    "Parameter", "Identity", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "Softplus", "Hardtanh", "ReLU6", "MaxPool1d", "MaxPool2d",
    "AvgPool2d", "Flatten", "Unflatten", "Dropout", "BatchNorm1d",
    "BatchNorm2d", "LayerNorm", "MSELoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss",
    "L1Loss", "NLLLoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    # activations, dropout, pooling without an output size, losses, distances, and the
    # layers that only rearrange their input's elements
    "AlphaDropout", "FeatureAlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "CELU",
    "SELU", "GLU", "Hardshrink", "Softshrink", "Hardsigmoid", "Hardswish", "Mish", "RReLU",
    "Softmin", "Threshold", "AvgPool1d", "AvgPool3d", "MaxPool3d", "LPPool1d", "LPPool2d",
    "LPPool3d", "FractionalMaxPool2d", "FractionalMaxPool3d", "LocalResponseNorm",
    "CrossMapLRN2d", "ChannelShuffle", "PixelShuffle", "PixelUnshuffle", "CosineSimilarity",
    "PairwiseDistance", "CTCLoss", "CosineEmbeddingLoss", "GaussianNLLLoss",
    "HingeEmbeddingLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "SoftMarginLoss",
    "TripletMarginLoss", "TripletMarginWithDistanceLoss",
})
# Containers: their output is what their layers make, each sized as it is called.
CONTAINERS: frozenset[str] = frozenset({"Sequential", "ModuleList", "ModuleDict",
                                        "ParameterList", "ParameterDict"})
# Built-in layers without a formula here, run on `meta` before each call: an adaptive pool's
# output size is its argument, which may be larger than its input.
# So are padding, upsampling, folding and unpooling, whose output outgrows their input.
SIZED_ON_META: frozenset[str] = frozenset({
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "CircularPad1d", "CircularPad2d",
    "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d",
    "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "Fold", "Unfold",
    "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Upsample", "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
})


def _rule_for(kind: type) -> Rule | None:
    for base in kind.__mro__:
        rule = OUTPUT_RULES.get(base)
        if rule is not None:
            return rule
    return None


@functools.lru_cache(maxsize=256)
def output_sizing(kind: type) -> Rule | str | None:
    """How a layer kind's output is sized: its rule, "meta" (a built-in layer without one),
    or None (never larger than its input, a container, or the code's own module, whose
    layers are sized as they are called)."""
    rule = _rule_for(kind)
    if rule is not None:
        return rule
    name = kind.__name__
    if name in SIZED_ON_META:
        return "meta"
    if name in NOT_GROWING or name in CONTAINERS or not kind.__module__.startswith("torch.nn"):
        return None
    return "meta"


def output_numel(layer: nn.Module, args: Sequence[object]) -> int | None:
    """Elements the layer's call would make, from its first input's shape; None when there
    is no formula and the meta device cannot tell."""
    kind: type = type(layer)
    sizing = output_sizing(kind)
    first = args[0] if args else None
    if sizing is None or not isinstance(first, torch.Tensor):
        return None
    if sizing != "meta":
        assert callable(sizing)
        numel: int | None = sizing(layer, first)
        return numel
    return _meta_call(layer, args)


def _meta_call(layer: nn.Module, args: Sequence[object]) -> int | None:
    """The layer run on `meta` (its weights and inputs as shapes only)."""
    state = {name: torch.empty_like(t, device="meta") for name, t in
             (*layer.named_parameters(), *layer.named_buffers())}
    meta_args = tuple(sizes.to_meta(a) for a in args)
    try:
        result = functional_call(layer, state, meta_args)
    except Exception:  # refused on meta: the real call raises or makes nothing larger
        return None
    if isinstance(result, torch.Tensor):
        return result.numel()
    if isinstance(result, (tuple, list)):
        return sum(r.numel() for r in result if isinstance(r, torch.Tensor))
    return None
