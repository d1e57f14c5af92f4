"""English texts of the explanation catalogue. Pure data.

Conventions: names arrive already formatted (`x` in backticks, or a phrase such as
"the output" when unknown); fields ending in `_code` are raw code, wrapped in backticks
here; an indented line ("    ...") is a code block. Every kind has `title`,
`explanation` and `fix` (errors) or `text` (notes); other keys are fragments the explainer
joins when the facts they need are present.
"""

from __future__ import annotations

from gradexplain.explain import catalogue_en_labels
from gradexplain.limits import LIMIT_DESCRIPTIONS

COMMON: dict[str, str] = {
    "the_output": "the output",
    "a_tensor": "a tensor",
    "the_tensor": "the tensor",
    "the_name": "this name",
    "its_shape": "the same shape",
    "shape_phrase": "shape {shape}",
    "numel_unknown": "the number of elements",
    "list_sep": ", ",
    "list_last": " and ",
    "clause_sep": ", ",
    "clause_last": " and ",
    "sentence_sep": " ",
    "summary": "tensor of shape {shape} (min {min}, max {max})",
    "summary_no_range": "tensor of shape {shape}",
    "hint": "{hint}.",
}

ERRORS: dict[str, dict[str, str]] = {
    "non_scalar_backward": {
        "title": "backward() on an output that is not a scalar",
        "explanation": "backward() with no gradient argument only works on a scalar "
        "(one-element) output: it starts from a single 1 and flows back from there. {detail} "
        "PyTorch cannot guess how much each element should count.",
        "detail_shape": "{output} has shape {shape} ({numel} elements).",
        "detail_noshape": "{output} has more than one element.",
        "fix": "Pass one weight per element, a tensor shaped like {output}: "
        "`{ones_like_code}` (or `{weighted_code}` with any weights `w` of {shape_phrase}: "
        "each element's gradient is multiplied by its weight).\n"
        "Or reduce it to a scalar first: `{sum_code}` gives the same gradients as ones_like; "
        "`{mean_code}` gives them divided by {numel}.",
    },
    "freed_graph": {
        "title": "backward through a graph that was already freed",
        "explanation": "{freed_by} ran backward without `retain_graph=True`, so when it "
        "finished autograd freed the tensors this graph had saved for backward (the "
        "intermediate values its gradient formulas need). Backward through {output} needs "
        "them again, and they are gone.",
        "by_call_statement": "Call {call} (`{statement_code}`)",
        "by_call": "Call {call}",
        "by_unknown": "An earlier backward call",
        "fix": "Keep the graph on the earlier call: `{retained_code}` (it then stays in memory "
        "until the graph is dropped; the second call adds to .grad).\n"
        "Or rebuild the graph: recompute the forward pass that produces {output} before "
        "calling backward again.",
        "fix_yaml": "In the short form, set `retain_graph: true`.",
        "fix_loop": "In a loop, put the forward computation inside the loop body: each "
        "iteration then builds a new graph and never needs retain_graph.",
    },
    "no_grad_fn": {
        "title": "backward on a tensor that does not require grad",
        "explanation": "{output} does not require grad and has no grad_fn: autograd recorded "
        "no graph behind it, so backward() has nothing to go back through. {reason}",
        "reason_no_grad": "It was computed inside `with torch.no_grad():`, where autograd "
        "records nothing{despite}.",
        "reason_detached": "It comes from a detached tensor (`.detach()` or `.data`), which "
        "is cut off from the graph{despite}.",
        "reason_no_requires_grad": "None of the tensors it was made from requires grad"
        "{others}.",
        "despite": ", although the run has tensors that require grad: {leaves}",
        "others": " (those that do, {leaves}, are not used to compute it)",
        "reason_unknown": "Usually it was computed under `torch.no_grad()`, comes from a "
        "`.detach()`ed tensor, or was made only from tensors with `requires_grad=False`.",
        "fix": "{fix_reason}",
        "fix_no_grad": "Compute {output} outside the `with torch.no_grad():` block (keep "
        "no_grad for updates that must not be recorded), or wrap it in "
        "`with torch.enable_grad():`.",
        "fix_detached": "Use the tensor itself, not its `.detach()` or `.data`, where "
        "gradients should flow through it.",
        "fix_no_requires_grad": "Ask for gradients on a leaf it is made from, before "
        "computing {output}: call `.requires_grad_()` on it, or create it with "
        "`requires_grad=True`, e.g. `{leaf_code}`.",
        "yaml_default": "(Tensors under `tensors:` in a YAML file require grad by default.)",
        "fix_unknown": "Make sure a leaf it comes from requires grad (e.g. `{leaf_code}`), "
        "and compute it outside `torch.no_grad()` without `.detach()`.",
    },
    "grad_shape_mismatch": {
        "title": "gradient shape does not match the output",
        "explanation": "The gradient passed to backward() holds one weight per element of "
        "{output}, so it must have the same shape. {detail}",
        "detail": "{output} has shape {output_shape}, but the gradient has shape {grad_shape}.",
        "detail_output": "{output} has shape {output_shape}.",
        "detail_grad": "The gradient has shape {grad_shape}.",
        "fix": "Make the gradient the same shape as {output}: `{ones_like_code}`, or a tensor "
        "of weights of {shape_phrase}.",
        "fix_yaml": "Give `grad_tensors:` the {shape_phrase} of {output}: "
        "`grad_tensors: ones_like`, or one weight per element, e.g. `{example_code}`.",
    },
    "inplace_modified": {
        "title": "a tensor needed for backward was modified in place",
        "explanation": "Autograd saved {tensor} in the forward pass because a gradient "
        "formula needs its value. Every tensor has a version counter that goes up with each "
        "in-place change; {versions}, so the saved value is no longer the one the forward "
        "pass used, and backward refuses to use it.",
        "versions": "it was saved at version {expected_version} and is now at version "
        "{version}{by_op}",
        "versions_unknown": "it was changed in place after it was saved{by_op}",
        "by_op": " (changed by `{op_code}`)",
        "output_of": " (it is the output of `{op_code}`)",
        "tensor_shape": "{tensor} (shape {shape})",
        "fix": "Use the out-of-place form, which makes a new tensor and leaves the saved one "
        "alone: `{out_of_place_code}` instead of `{in_place_code}`.\n"
        "Or change a copy: `{clone_code}` first, then modify the copy.",
    },
    "leaf_inplace": {
        "title": "in-place change of a leaf that requires grad",
        "explanation": "{tensor} is a leaf that requires grad: the graph starts there and its "
        "gradient will be stored there. Changing it in place{by_op} while autograd is "
        "recording would change the start of the graph under the recorded operations, so "
        "PyTorch refuses.",
        "by_op": " (with `{op_code}`)",
        "fix": "For an update such as an optimizer step, do it without recording (this is "
        "how optimizers update parameters; prefer it to `.data`):\n"
        "    with torch.no_grad():\n"
        "        {in_place_code}\n"
        "To put the new value in the graph instead, make a new tensor: `{out_of_place_code}` "
        "(the name then refers to a non-leaf; gradients still reach the original leaf).",
    },
    "non_float_requires_grad": {
        "title": "requires_grad on a tensor that is not floating point",
        "explanation": "Only floating point (and complex) tensors can require gradients: a "
        "gradient is a small real-valued change, which integers and bools cannot hold. "
        "{detail}",
        "detail": "{tensor} has dtype {dtype}.",
        "detail_nodtype": "{tensor} is not floating point.",
        "fix": "Make it floating point: write the values with a decimal point, "
        "`torch.tensor([1., 2.], requires_grad=True)`, or convert it: `{convert_code}`.",
        "fix_yaml": "In a YAML `tensors:` entry, add `dtype: float32`.",
    },
    "shape_mismatch": {
        "title": "shapes do not fit {function}",
        "title_broadcast": "shapes cannot be broadcast together",
        "title_other": "shapes do not fit together",
        "explanation": "{rule} {here} {problem}",
        "fix": "{fix_specific}",
        "rule_mm": "`torch.mm` multiplies two 2-D matrices only: (m×n) @ (n×p) -> (m×p); the "
        "inner sizes n must be equal.",
        "rule_bmm": "`torch.bmm` multiplies two batches of matrices, 3-D tensors only, with "
        "the same batch size: (b×m×n) @ (b×n×p) -> (b×m×p).",
        "rule_mv": "`torch.mv` multiplies a 2-D matrix (m×n) by a 1-D vector of length n, "
        "giving a vector of length m.",
        "rule_dot": "`torch.dot` takes two 1-D vectors of the same length and returns one "
        "number, the sum of their elementwise products.",
        "rule_matmul": "`torch.matmul` (`@`) multiplies vectors (1-D), matrices (2-D) or "
        "batches of matrices: the last dim of the first must equal the second-to-last dim of "
        "the second (its only dim if 1-D), and batch dims in front are broadcast.",
        "rule_broadcast": "Elementwise operations (`+ - * /` and the like) broadcast: shapes "
        "are compared dim by dim from the right, and each pair of sizes must be equal or one "
        "of them 1 (a missing dim counts as 1).",
        "rule_view": "`view` gives the same data a new shape without copying: the number of "
        "elements must stay the same, and the memory layout (strides) must allow it; "
        "`reshape` copies when it has to.",
        "rule_cat": "`torch.cat` joins tensors along one dim: they must have the same number "
        "of dims and the same size in every other dim.",
        "rule_other": "The shapes of the tensors in this operation do not fit together.",
        "here": "Here {items}.",
        "here_same": "Here both operands are {name}, of shape {shape}.",
        "here_view": "Here {name} has shape {shape} and the new shape is {new}.",
        "item_named": "{name} has shape {shape}",
        "operand": "operand {n}",
        "bad_ndim": "{name} is {ndim}-D, but `{function}` needs {need}.",
        "need_2d": "2-D matrices",
        "need_3d": "3-D tensors",
        "need_matrix": "a 2-D matrix as its first argument",
        "need_vector": "a 1-D vector as its second argument",
        "need_1d": "1-D vectors",
        "need_1d_or_more": "tensors with at least one dim",
        "inner_differ": "The inner sizes differ: {left} vs {right}.",
        "batch_differ": "The batch sizes differ: {left} vs {right}.",
        "length_differ": "The lengths differ: {left} vs {right}.",
        "broadcast_dim": "Dim {dim} (counting from the right) has sizes {left} and {right}: "
        "not equal, and neither is 1.",
        "view_count": "{shape} has {numel} elements, but the new shape {new} needs {new_numel}.",
        "view_infer": "With -1 the other sizes multiply to {known}, and {numel} elements "
        "cannot be split into groups of {known}.",
        "view_bad_size": "Only one size may be -1 (inferred), and no size may be smaller.",
        "view_strides": "Both shapes have {numel} elements, so the problem is the memory "
        "layout: the tensor is not contiguous (for example after `.t()`, `.transpose()` or "
        "`.permute()`).",
        "cat_ndim": "They have different numbers of dims.",
        "cat_one_dim": "They differ only in dim {dim}, so they can be joined along it.",
        "cat_dims": "They differ in dims {dims}; only the joined dim may differ.",
        "fix_transpose": "Transpose one side so the inner sizes match: `{code}` gives shape "
        "{result}.",
        "fix_swap": "Swapping the order also works: `{code}` gives shape {result}.",
        "fix_keep_2d": "To keep a 2-D result, use `{code}` (shape {result}).",
        "fix_batched": "For batches of matrices (3-D) use `{bmm_code}`, or `{matmul_code}`, "
        "which also takes 1-D and 2-D inputs.",
        "fix_matmul": "Use `{code}`, which takes 1-D, 2-D and batched inputs.",
        "fix_mm_for_vector": "For a matrix times a vector use `{code}`.",
        "fix_squeeze": "Make the vector 1-D: `{code}`.",
        "fix_dot_same_shape": "For two tensors of the same shape, the sum of elementwise "
        "products is `{code}`.",
        "fix_dot_not_1d": "`dot` needs 1-D inputs: flatten them first, `{code}`.",
        "fix_batch_same": "Give both the same batch size: `bmm` multiplies matrix i of the "
        "first with matrix i of the second.",
        "fix_same_length": "Give both vectors the same length, e.g. by slicing the longer one.",
        "fix_batch_equal": "Give both the same batch size (for example with `.expand(...)`), "
        "or use `{matmul_code}`, which broadcasts a batch size of 1.",
        "fix_unsqueeze": "Add size-1 dims so the shapes line up from the right: `{code}` has "
        "shape {result}, which broadcasts with {other}.",
        "fix_broadcast": "Reshape, transpose or slice one side so that every dim pair, read "
        "from the right, is equal or 1 (`.unsqueeze(dim)` adds a size-1 dim).",
        "fix_view_size": "Pick sizes whose product is {numel}, e.g. `{code}`, or let PyTorch "
        "infer one size with -1: `{infer_code}`.",
        "fix_view_numel": "Pick sizes whose product is {numel}; -1 lets PyTorch infer one "
        "size, e.g. `{infer_code}`.",
        "fix_view_strides": "Use `{reshape_code}` (copies when needed) or `{contiguous_code}`.",
        "fix_cat_dim": "Join along that dim: `{code}`.",
        "fix_cat": "Make every other dim the same size (slice, pad or reshape), or join along "
        "the dim where they differ.",
        "fix_generic": "Print the `.shape` of each operand just before this line, then "
        "reshape, transpose or slice one of them so the shapes follow the rule above.",
    },
    "device_mismatch": {
        "title": "tensors on different devices",
        "explanation": "{function} got tensors on different devices{devices}. An operation "
        "runs on one device, so all of its tensors must be there.",
        "devices": " ({devices})",
        "one_operation": "One operation",
        "fix": "Move the other tensor to the same device: `{move_code}` (or create it there "
        "with `device=\"{target}\"`). To run everything on the CPU, use `--device cpu`.",
    },
    "dtype_mismatch": {
        "title": "tensors of different dtypes",
        "explanation": "{function} got tensors of different dtypes{dtypes}, and it needs "
        "them to match; it does not convert them for you.",
        "dtypes": " ({dtypes})",
        "one_operation": "One operation",
        "fix": "Convert the other tensor to {target}: `{convert_code}` (`.float()` gives "
        "float32, `.double()` gives float64).",
    },
    "unknown_name": {
        "title": "name used before it was assigned",
        "explanation": "{name} is used here, but nothing was assigned to it before this "
        "point.{known}",
        "known": " Names defined so far: {names}.",
        "fix": "Define it first: add it under `tensors:` or assign it in an earlier step "
        "(`{name_code} = ...`).",
        "fix_py": "Define it first: assign it on an earlier line (`{name_code} = ...`).",
        "short_form": "In the short form the result of `expression:` is named {out}: "
        "`grad_tensors:` can use it and the tensors under `tensors:`.",
        "fix_short_form": "Write `{code}`.",
        # A misspelled attribute or function (the checker found no such name in PyTorch).
        "title_attribute": "no such attribute (a misspelling?)",
        "explanation_attribute": "{owner} has no attribute {name}: PyTorch has no such "
        "name, so it is most likely misspelled.",
        "owner_tensor": "A tensor",
        "owner_torch": "`torch`",
        "owner_F": "`F` (torch.nn.functional)",
        "owner_autograd": "`torch.autograd`",
        "owner_nn": "`torch.nn`",
        "owner_optim": "`torch.optim`",
        "fix_suggestion": "Did you mean `{suggestion_code}`?",
    },
    "not_allowed": {
        "title": "refused by the safe interpreter",
        "explanation": "Scenario files may only build tensors and run autograd on them; "
        "anything that could reach outside them (Python internals, files, other modules, "
        "other builtins) is refused before anything runs. Refused here: {what}.",
        "reason": "{what} ({reason})",
        "fix": "Remove it, or write the same computation with the torch functions, tensor "
        "methods and attributes that scenarios allow.",
    },
    "limit_exceeded": {
        "title": "resource limit reached",
        "explanation": "gradexplain limits what a scenario may use, so that a file from "
        "anywhere cannot exhaust the machine. The limit on {what} is {maximum}; this "
        "scenario would reach {value}.",
        "explanation_message": "gradexplain limits what a scenario may use, so that a file "
        "from anywhere cannot exhaust the machine: {message}",
        "what_unknown": "resource use",
        "fix": "Make it smaller (fewer elements, iterations or statements), or, if this is "
        "intended, raise the limit: `{flag_code}`.",
        "fix_noflag": "Make it smaller (fewer elements, iterations or statements).",
    },
    "invalid_scenario": {
        "title": "the scenario cannot be used",
        "explanation": "The scenario could not be read, parsed or validated, so nothing ran: "
        "{message}",
        "fix": "Correct the file at the place shown, then run it again.",
    },
    "device_unavailable": {
        "title": "device not available",
        "explanation": "The scenario asks for device `{device_code}`, which this machine does "
        "not have.{available}",
        "explanation_nodevice": "The requested device does not exist on this machine."
        "{available}",
        "available": " Available: {devices}.",
        "fix": "Run on the CPU with `--device cpu` (or `device: cpu` in the file).",
        "fix_other": "Or use an available device: {options}.",
    },
    "torch_error": {
        "title": "error raised by PyTorch",
        "explanation": "PyTorch raised an error that gradexplain has no specific explanation "
        "for. Its original message: {message}",
        "fix": "Read PyTorch's message: it usually names the operation and the shapes or "
        "dtypes involved. Check the statement shown against that rule.",
        "title_code": "error in the code",
        "explanation_code": "The statement itself is wrong (this is not an error from "
        "PyTorch): {message}",
        "fix_code": "Change the statement shown as the message says.",
    },
}

NOTES: dict[str, dict[str, str]] = {
    "non_leaf_grad": {
        "text": "`{tensor_code}.grad` is None because {tensor} is not a leaf: {made_by}. "
        "backward() "
        "stores gradients only on leaves (tensors that require grad and were not computed "
        "from other tensors){leaves}. To keep the gradient of {tensor} too, call "
        "`{retain_code}` before backward().",
        "made_by": "it was made by {grad_fn}",
        "made_by_unknown": "it was computed from other tensors",
        "leaves": "; here they are {leaves}",
        "leaves_call": "; in call {call} they are {leaves}",
        "unnamed_leaf": "the unnamed leaf behind {tensor}",
        "code_leaf": "That unnamed leaf is the tensor made by `{code}`: {tensor} is a view "
        "or result of it, so the gradient lands on that leaf, not on {tensor} (some "
        "tutorials print a gradient here; PyTorch really gives None). To read it, name the "
        "leaf first (`base = {code}`) and build {tensor} from `base`; `base.grad` then "
        "holds it.",
    },
    "accumulated": {
        "text": "{by_call} added to `{tensor_code}.grad` instead of replacing it{equation}. "
        "Gradients accumulate in .grad across backward calls until they are zeroed "
        "(`{zero_code}`, or `optimizer.zero_grad()` in training).",
        "by_call": "Call {call}",
        "by_unknown": "A backward call",
        "equation": ": {before} + {added} = {after}",
        "again": "Calls {calls} added to it again.",
        # The same call's second accumulating tensor: the rule was said in the first note.
        "text_also": "{by_call} also added to `{tensor_code}.grad`{equation} (zero it with "
        "`{zero_code}`).",
        # A leaf without a name: its code cannot take `.grad.zero_()` (it would make a new one).
        "text_unnamed": "{by_call} added to the .grad of the unnamed leaf made by `{code}` "
        "instead of replacing it{equation}. Gradients accumulate in .grad across backward "
        "calls until they are zeroed; to zero this one, name the leaf first "
        "(`base = {code}`, then build on `base`) and call `base.grad.zero_()`.",
    },
    "broadcast_sum": {
        "text": "{tensor}{leaf_shape} was broadcast{to_shape}{in_op}, so each of its elements "
        "was used at {positions}; its gradient is the sum of the contributions from all of "
        "them.{dims}{flow}{reduce}",
        # Which dims broadcasting added or stretched (facts dims_added, dims_stretched).
        "dims": " Broadcasting {changes}: each element is summed over {over}.",
        "added_one": "added dim {dims}",
        "added_many": "added dims {dims}",
        "stretched": "stretched dim {dim} from 1 to {size}",
        "over_all": "all {positions} positions of {shape}",
        "over": "{positions} positions",
        # From a hook on the broadcasting node during the call (grad_arrived, grad_summed).
        "flow": " In this call the gradient {arrived} arrived at the broadcast result; summed "
        "over those positions, {summed} reached {operand}.",
        # A product: the chain rule multiplies by the other operand before the sum.
        "flow_mul": " In this call the gradient {arrived} arrived at the broadcast result; "
        "times the other operand of `{op_code}`, that is {contribution} at those positions, "
        "and summed over them, {summed} reached {operand}.",
        "flow_other": " In this call the gradient {arrived} arrived at the broadcast result; "
        "through `{op_code}` (the chain rule) that is {contribution} at those positions, and "
        "summed over them, {summed} reached {operand}.",
        "flow_sum_only": " In this call the contributions from those positions summed to "
        "{summed}, which reached {operand}.",
        # Mean vs sum, from the grads the call really added (mean is linear: exact).
        "reduce_mean": " {output} is a `.mean()` over {numel} elements, which divides every "
        "contribution by {numel}: {grad}.",
        "reduce_sum": " {output} is a `.sum()` over {numel} elements; a `.mean()` would "
        "divide every contribution by {numel}: {grad}.",
        "reduce_ones": " The call's `grad_tensors` are all ones over the {numel} elements of "
        "{output}, the same as a `.sum()`; a `.mean()` would divide every contribution by "
        "{numel}: {grad}.",
        "grad_is": "`{code}.grad` is {added} here; with {other_code} it would be {other}",
        "grad_adds": "this call adds {added} to `{code}.grad`; with {other_code} it would add "
        "{other}",
        "reduce_unknown": " If {output} were a `.mean()` instead of a `.sum()`, each "
        "contribution would be divided by the number of elements averaged.",
        "leaf_shape": " (shape {shape})",
        "via": " (through {via})",
        "via_shape": " (through {via}, shape {shape})",
        "to_shape": " to {shape}",
        "in_op": " in `{op_code}`",
        "positions": "{positions} positions",
        "positions_unknown": "several positions",
        "output_unknown": "the output",
    },
    "graph_rebuilt": {
        "text": "{each}{where} recomputed the forward pass, so "
        "every backward() went through a fresh graph: no `retain_graph=True` was needed. "
        "{grads}",
        # The leaves the loop's calls reached (the parameters), zeroed between calls or not.
        "accumulate": "The gradients of {leaves} still accumulate across iterations unless "
        "zeroed ({zero_code}, or `zero_grad: true` in the short form).",
        # Python code (a .py file): no YAML key to offer; an optimizer zeroes its parameters.
        "accumulate_code": "The gradients of {leaves} still accumulate across iterations "
        "unless zeroed ({zero_code}).",
        "zero_optimizer": "`{optimizer}.zero_grad()` in each iteration",
        "accumulate_unknown_code": "Gradients still accumulate across iterations unless "
        "zeroed (`.grad.zero_()` on each parameter, or `optimizer.zero_grad()`).",
        "accumulate_unknown": "Gradients still accumulate across iterations unless zeroed "
        "(`.grad.zero_()` on each parameter, or `zero_grad: true` in the short form).",
        "zeroed": "The gradients of {leaves} were zeroed before each later call, so each "
        "call's gradient is that iteration's alone.",
        # Leaves the loop makes anew (`w = torch.tensor(..., requires_grad=True)` inside it).
        "recreated": "{leaves} is made anew in each iteration: each new tensor's .grad "
        "starts at None, so nothing accumulates across iterations, and `{code}.grad` holds "
        "the last iteration's gradient alone.",
        "recreated_many": "{leaves} are made anew in each iteration: each new tensor's .grad "
        "starts at None, so nothing accumulates across iterations.",
        "zero_code_sep": ", ",
        "each": "Each of the {iterations} iterations",
        "each_unknown": "Each iteration",
        "where_repeat": " of `repeat`",
        "where_loop": " of the `for` loop",
    },
    "no_gradient": {
        "text": "{tensor} requires grad but is not connected to {output}, so {by_call} added "
        "nothing to it: its .grad stays as it was (None if it was never set).",
        "by_call": "call {call}",
        "by_unknown": "this backward call",
        "text_many": "{tensors} require grad but are not connected to {output}, so {by_call} "
        "added nothing to them: their .grad stay as they were (None if never set).",
    },
    "non_finite_grad": {
        "text": "{subject} holds {value}{at}{by_op}.{origin}{cause} {advice}",
        # Where, so that no summary of a big tensor hides it (facts positions, count, numel).
        "at_one": " at {positions}",
        "at_some": " at {positions} ({count} of its {numel} elements)",
        "at_first": " at {positions} and more ({count} of its {numel} elements)",
        "at_all": " in all {numel} of its elements",
        "advice": "Keep the input away from the bad point: clamp it or add a small eps, e.g. "
        "`{fix_code}`.",
        "advice_nan": "Find where the nan comes from, or replace it before the operation, "
        "e.g. `{fix_code}`.",
        "advice_grad_tensors": "Check the gradient passed to the call: it must be finite.",
        # Where it first appeared, from post-hooks on the graph's nodes during the call.
        "origin_operation": " It first appeared in `{node}`, the backward of {op}: it produced "
        "{produced}{grad_for} from finite incoming gradients{input}.",
        "op": "`{op_name}`",
        "op_made": "the `{op_name}` that made `{made}`",
        "grad_for": " for `{tensor}`",
        "input": "; its input `{input}` has {value} at position {position}",
        "input_scalar": "; its input `{input}` is {value}",
        "input_unnamed": "; one of its inputs has {value} at position {position}",
        "input_unnamed_scalar": "; one of its inputs is {value}",
        "origin_grad_tensors": " It did not come from an operation: the gradient passed to "
        "the call (`grad_tensors`) already held {produced}.",
        "origin_not_found": " No single operation produced it from finite incoming "
        "gradients: it can come from adding up the gradients of several uses of a tensor, "
        "which overflowed.",
        "origin_not_traced": " Where it first appeared was not traced: the graph has {nodes} "
        "nodes, more than the {limit} that gradexplain watches with hooks.",
        "origin_not_traced_loop": " Where it first appeared was not traced: this call is one "
        "of many made by the same statement, whose calls are traced only while their output "
        "is inf or nan (`--calls all` traces every call).",
        "subject": "The gradient of {tensor}",
        "subject_call": "After call {call}, the gradient of {tensor}",
        "by_op": ", produced by `{op_code}`",
        "value_unknown": "inf or nan",
        "cause_sqrt": " The derivative of sqrt is 1/(2·sqrt(x)), which is inf at x = 0.",
        "cause_log": " The derivative of log is 1/x, which is inf at x = 0.",
        "cause_div": " Dividing by zero (or by a tiny number) gives inf.",
        "cause_pow": " A fractional or negative power has an infinite derivative at 0.",
        "cause_mul": " The derivative of a·b with respect to a is b: an inf in the other "
        "factor gives inf, and 0 × inf gives nan.",
        "cause_nan": " A nan in an input makes every gradient computed from it nan.",
    },
}


# The English description of each limit: one source, the limits module itself.
LIMITS: dict[str, str] = dict(LIMIT_DESCRIPTIONS)

LABELS: dict[str, str] = catalogue_en_labels.LABELS
