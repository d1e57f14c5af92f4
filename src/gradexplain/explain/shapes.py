"""The shape rule of each function, checked against the actual shapes: which rule, what
broke it, and which concrete edits would satisfy it. Returns catalogue keys and fields
(language-neutral); the explainer turns them into text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gradexplain.explain.values import format_shape, numel

Piece = tuple[str, dict[str, Any]]  # (catalogue key, fields)

# Functions with a rule of their own in the catalogue ("rule_<function>").
RULES = frozenset({"mm", "bmm", "mv", "dot", "matmul", "broadcast", "view", "cat"})


@dataclass
class ShapeStory:
    rule: str
    problem: Piece | None = None
    fixes: list[Piece] = field(default_factory=list)


def shape_story(function: str, shapes: list[list[int]], names: list[str],
                codes: list[str]) -> ShapeStory:
    """`names` are the operands as shown in text, `codes` as written in code (both at least
    as long as `shapes`)."""
    story = ShapeStory(f"rule_{function}" if function in RULES else "rule_other")
    if len(shapes) >= 2 and function in _BINARY:
        _BINARY[function](story, shapes[0], shapes[1], names, codes)
    elif len(shapes) >= 2 and function == "broadcast":
        _broadcast(story, shapes, names, codes)
    elif len(shapes) >= 2 and function == "view":
        _view(story, shapes[0], shapes[1], codes[0])
    elif len(shapes) >= 2 and function == "cat":
        _cat(story, shapes, codes)
    if not story.fixes:
        story.fixes.append(("fix_generic", {}))
    return story


def _bad_ndim(story: ShapeStory, name: str, shape: list[int], function: str, need: str) -> None:
    story.problem = ("bad_ndim", {"name": name, "ndim": len(shape), "function": function,
                                  "need": need})


def _fix(story: ShapeStory, key: str, code: str, result: list[int] | None = None, *,
         shaped: bool = True) -> None:
    """Add a fix; one that states a result shape is left out when there is none (the edit
    would not work)."""
    if shaped and result is None:
        return
    fields: dict[str, Any] = {"code": code}
    if result is not None:
        fields["result"] = format_shape(result)
    story.fixes.append((key, fields))


def _mm(story: ShapeStory, sa: list[int], sb: list[int], names: list[str],
        codes: list[str]) -> None:
    a, b = codes[0], codes[1]
    if len(sa) != 2 or len(sb) != 2:
        bad = 0 if len(sa) != 2 else 1
        _bad_ndim(story, names[bad], [sa, sb][bad], "torch.mm", "need_2d")
        result = matmul_shape(sa, sb)
        if len(sa) == 3 and len(sb) == 3 and sa[0] == sb[0] and result is not None:
            story.fixes.append(("fix_batched", {"bmm_code": f"torch.bmm({a}, {b})",
                                                "matmul_code": f"torch.matmul({a}, {b})"}))
        elif len(sa) == 2 and len(sb) == 1:
            _fix(story, "fix_mm_for_vector", f"torch.mv({a}, {b})", result)
        else:
            _fix(story, "fix_matmul", f"torch.matmul({a}, {b})", result)
        return
    if sa[1] == sb[0]:
        return
    story.problem = ("inner_differ", {"left": sa[1], "right": sb[0]})
    if sa[1] == sb[1]:
        _fix(story, "fix_transpose", f"torch.mm({a}, {b}.t())", [sa[0], sb[0]])
    elif sa[0] == sb[0]:
        _fix(story, "fix_transpose", f"torch.mm({a}.t(), {b})", [sa[1], sb[1]])
    if sb[1] == sa[0]:
        _fix(story, "fix_swap", f"torch.mm({b}, {a})", [sb[0], sa[1]])


def _bmm(story: ShapeStory, sa: list[int], sb: list[int], names: list[str],
         codes: list[str]) -> None:
    a, b = codes[0], codes[1]
    matmul = f"torch.matmul({a}, {b})"
    if len(sa) != 3 or len(sb) != 3:
        bad = 0 if len(sa) != 3 else 1
        _bad_ndim(story, names[bad], [sa, sb][bad], "torch.bmm", "need_3d")
        _fix(story, "fix_matmul", matmul, matmul_shape(sa, sb))
        return
    if sa[0] != sb[0]:
        story.problem = ("batch_differ", {"left": sa[0], "right": sb[0]})
        if 1 in (sa[0], sb[0]) and sa[2] == sb[1]:
            story.fixes.append(("fix_batch_equal", {"matmul_code": matmul}))
        else:
            story.fixes.append(("fix_batch_same", {}))
        return
    if sa[2] == sb[1]:
        return
    story.problem = ("inner_differ", {"left": sa[2], "right": sb[1]})
    if sa[2] == sb[2]:
        _fix(story, "fix_transpose", f"torch.bmm({a}, {b}.transpose(1, 2))",
             [sa[0], sa[1], sb[1]])
    elif sa[1] == sb[1]:
        _fix(story, "fix_transpose", f"torch.bmm({a}.transpose(1, 2), {b})",
             [sa[0], sa[2], sb[2]])
    if sb[2] == sa[1]:
        _fix(story, "fix_swap", f"torch.bmm({b}, {a})", [sa[0], sb[1], sa[2]])


def _mv(story: ShapeStory, sa: list[int], sb: list[int], names: list[str],
        codes: list[str]) -> None:
    a, b = codes[0], codes[1]
    if len(sa) != 2:
        _bad_ndim(story, names[0], sa, "torch.mv", "need_matrix")
        _fix(story, "fix_matmul", f"torch.matmul({a}, {b})", matmul_shape(sa, sb))
        return
    if len(sb) != 1:
        _bad_ndim(story, names[1], sb, "torch.mv", "need_vector")
        if len(sb) == 2 and 1 in sb:
            kept = sb[1 - sb.index(1)]
            _fix(story, "fix_squeeze", f"torch.mv({a}, {b}.squeeze({sb.index(1)}))",
                 [sa[0]] if kept == sa[1] else None)
        if len(sb) == 2:
            _fix(story, "fix_keep_2d", f"torch.mm({a}, {b})",
                 [sa[0], sb[1]] if sb[0] == sa[1] else None)
        else:
            _fix(story, "fix_matmul", f"torch.matmul({a}, {b})", matmul_shape(sa, sb))
        return
    if sa[1] == sb[0]:
        return
    story.problem = ("inner_differ", {"left": sa[1], "right": sb[0]})
    if sa[0] == sb[0]:
        _fix(story, "fix_transpose", f"torch.mv({a}.t(), {b})", [sa[1]])


def _dot(story: ShapeStory, sa: list[int], sb: list[int], names: list[str],
         codes: list[str]) -> None:
    a, b = codes[0], codes[1]
    matmul = f"torch.matmul({a}, {b})"
    if len(sa) != 1 or len(sb) != 1:
        bad = 0 if len(sa) != 1 else 1
        _bad_ndim(story, names[bad], [sa, sb][bad], "torch.dot", "need_1d")
        if sa == sb:
            _fix(story, "fix_dot_same_shape", f"({a} * {b}).sum()", shaped=False)
        elif numel(sa) == numel(sb):
            _fix(story, "fix_dot_not_1d", f"torch.dot({a}.flatten(), {b}.flatten())",
                 shaped=False)
        else:
            _fix(story, "fix_matmul", matmul, matmul_shape(sa, sb))
        return
    if sa[0] != sb[0]:
        story.problem = ("length_differ", {"left": sa[0], "right": sb[0]})
        story.fixes.append(("fix_same_length", {}))


def _matmul(story: ShapeStory, sa: list[int], sb: list[int], names: list[str],
            codes: list[str]) -> None:
    a, b = codes[0], codes[1]
    if not sa or not sb:
        bad = 0 if not sa else 1
        _bad_ndim(story, names[bad], [sa, sb][bad], "torch.matmul", "need_1d_or_more")
        return
    inner_b = sb[-2] if len(sb) >= 2 else sb[0]
    if sa[-1] != inner_b:
        story.problem = ("inner_differ", {"left": sa[-1], "right": inner_b})
        if len(sb) >= 2 and sa[-1] == sb[-1]:
            tb = f"{b}.t()" if len(sb) == 2 else f"{b}.transpose(-2, -1)"
            _fix(story, "fix_transpose", f"torch.matmul({a}, {tb})",
                 matmul_shape(sa, [*sb[:-2], sb[-1], sb[-2]]))
        elif len(sa) >= 2 and sa[-2] == inner_b:
            ta = f"{a}.t()" if len(sa) == 2 else f"{a}.transpose(-2, -1)"
            _fix(story, "fix_transpose", f"torch.matmul({ta}, {b})",
                 matmul_shape([*sa[:-2], sa[-1], sa[-2]], sb))
        swapped = matmul_shape(sb, sa)
        if swapped is not None:
            _fix(story, "fix_swap", f"torch.matmul({b}, {a})", swapped)
        return
    if len(sa) > 2 or len(sb) > 2:
        batch_a, batch_b = sa[:-2], sb[:-2]
        if broadcast_shape(batch_a, batch_b) is None:
            story.problem = ("batch_differ", {"left": format_shape(batch_a),
                                              "right": format_shape(batch_b)})
            story.fixes.append(("fix_broadcast", {}))


def _broadcast(story: ShapeStory, shapes: list[list[int]], names: list[str],
               codes: list[str]) -> None:
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            sa, sb = shapes[i], shapes[j]
            for k in range(1, min(len(sa), len(sb)) + 1):
                left, right = sa[-k], sb[-k]
                if left != right and 1 not in (left, right):
                    story.problem = ("broadcast_dim", {"dim": -k, "k": k, "left": left,
                                                       "right": right})
                    _broadcast_fix(story, sa, sb, codes[i], codes[j])
                    return


def _broadcast_fix(story: ShapeStory, sa: list[int], sb: list[int], a: str, b: str) -> None:
    """Add trailing size-1 dims to the shorter side when that lines the shapes up."""
    for mine, other, code in ((sa, sb, a), (sb, sa, b)):
        for extra in range(1, len(other) - len(mine) + 1):
            padded = mine + [1] * extra
            if broadcast_shape(padded, other) is not None:
                story.fixes.append(("fix_unsqueeze", {"code": f"{code}.reshape({_dims(padded)})",
                                                      "result": format_shape(padded),
                                                      "other": format_shape(other)}))
                return
    story.fixes.append(("fix_broadcast", {}))


def _view(story: ShapeStory, shape: list[int], new: list[int], x: str) -> None:
    total = numel(shape)
    if new.count(-1) > 1 or any(d < -1 for d in new):
        story.problem = ("view_bad_size", {})
        story.fixes.append(("fix_view_numel", {"numel": total, "infer_code": f"{x}.view(-1)"}))
        return
    if -1 in new:
        known = numel([d for d in new if d != -1])
        if known == 0 or total % known:
            story.problem = ("view_infer", {"known": known, "numel": total})
            last = [d for d in new if d != -1][-1:] or [-1]
            infer = f"{x}.view(-1, {last[0]})" if last[0] > 0 and total % last[0] == 0 \
                else f"{x}.view(-1)"
            story.fixes.append(("fix_view_numel", {"numel": total, "infer_code": infer}))
            return
    elif numel(new) != total:
        story.problem = ("view_count", {"shape": format_shape(shape), "numel": total,
                                        "new": format_shape(new), "new_numel": numel(new)})
        for i in range(len(new)):
            rest = numel(new[:i] + new[i + 1:])
            if rest and total % rest == 0:
                fixed, inferred = list(new), list(new)
                fixed[i], inferred[i] = total // rest, -1
                story.fixes.append(("fix_view_size", {
                    "numel": total, "code": f"{x}.view({_dims(fixed)})",
                    "infer_code": f"{x}.view({_dims(inferred)})"}))
                return
        story.fixes.append(("fix_view_numel", {"numel": total, "infer_code": f"{x}.view(-1)"}))
        return
    story.problem = ("view_strides", {"numel": total})
    story.fixes.append(("fix_view_strides", {"reshape_code": f"{x}.reshape({_dims(new)})",
                                             "contiguous_code":
                                                 f"{x}.contiguous().view({_dims(new)})"}))


def _dims(shape: list[int]) -> str:
    return ", ".join(str(d) for d in shape)


def _cat(story: ShapeStory, shapes: list[list[int]], codes: list[str]) -> None:
    if len({len(s) for s in shapes}) > 1:
        story.problem = ("cat_ndim", {})
        story.fixes.append(("fix_cat", {}))
        return
    differ = [d for d in range(len(shapes[0])) if len({s[d] for s in shapes}) > 1]
    if len(differ) == 1:
        story.problem = ("cat_one_dim", {"dim": differ[0]})
        tensors = ", ".join(codes[: len(shapes)])
        _fix(story, "fix_cat_dim", f"torch.cat([{tensors}], dim={differ[0]})", shaped=False)
    elif differ:
        story.problem = ("cat_dims", {"dims": differ})
        story.fixes.append(("fix_cat", {}))


_BINARY = {"mm": _mm, "bmm": _bmm, "mv": _mv, "dot": _dot, "matmul": _matmul}


def broadcast_shape(sa: list[int], sb: list[int]) -> list[int] | None:
    """The broadcast result of two shapes, or None when they do not broadcast."""
    out: list[int] = []
    for k in range(1, max(len(sa), len(sb)) + 1):
        left = sa[-k] if k <= len(sa) else 1
        right = sb[-k] if k <= len(sb) else 1
        if left != right and 1 not in (left, right):
            return None
        out.insert(0, max(left, right) if 0 not in (left, right) else 0)
    return out


def matmul_shape(sa: list[int], sb: list[int]) -> list[int] | None:
    """The shape torch.matmul gives, or None when the shapes do not fit."""
    if not sa or not sb:
        return None
    a = [1, *sa] if len(sa) == 1 else sa
    b = [*sb, 1] if len(sb) == 1 else sb
    if a[-1] != b[-2]:
        return None
    batch = broadcast_shape(a[:-2], b[:-2])
    if batch is None:
        return None
    out = [*batch, a[-2], b[-1]]
    if len(sa) == 1:
        out.pop(-2)
    if len(sb) == 1:
        out.pop(-1)
    return out
