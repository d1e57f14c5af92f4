"""The claim checker: every claim an explanation makes, checked against PyTorch (issue 25).

Independent of the code it checks: it reads a run's record (the notes' facts, the ledger) and
checks each claim either against the record's own numbers and torch (a broadcast note's sum,
every number a sentence quotes) or against the oracle, the same code re-run as plain Python
with real torch (tests/claims_oracle.py): which tensor a name binds at each call, whether the
call's outputs are connected to it (`torch.autograd.grad(..., allow_unused=True)`), its grad
before and after.

The notes' facts are read through one small adapter per note kind (`ADAPTERS`): each turns a
note into the claim it makes, so that a change in how facts are stored changes only those.

`problems(record, oracle)` lists every claim that does not hold (empty: all hold).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

from gradexplain.explain.notes import explain_note
from gradexplain.record import CallRecord, NoteInfo, RunRecord

Oracle = Mapping[str, Any]  # one file's entry of claims_oracle.py's output
LANGS = ("en", "zh")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*\Z")


# --- the claims, as each note kind makes them ------------------------------------------------

@dataclass
class Claim:
    """What one note says, in the terms the checks need."""

    kind: str
    call: int | None
    tensors: list[str] = field(default_factory=list)
    facts: Mapping[str, Any] = field(default_factory=dict)


def _facts(note: NoteInfo) -> Mapping[str, Any]:
    """The one place that reads a note's stored facts."""
    return note.facts if isinstance(note.facts, Mapping) else {}


def _single(note: NoteInfo) -> Claim:
    facts = _facts(note)
    label = facts.get("tensor") or note.tensor
    return Claim(note.kind, facts.get("call", note.call), [label] if label else [], facts)


def _no_gradient(note: NoteInfo) -> Claim:
    facts = _facts(note)
    return Claim("no_gradient", facts.get("call", note.call),
                 list(facts.get("tensors") or [facts.get("tensor") or note.tensor]), facts)


def _graph_rebuilt(note: NoteInfo) -> Claim:
    # The note's step tells its statement from another with the same text (a backward
    # before a loop and the same one inside it).
    facts = {**_facts(note), "step": note.step}
    return Claim("graph_rebuilt", None, list(facts.get("leaves") or []), facts)


ADAPTERS: dict[str, Callable[[NoteInfo], Claim]] = {
    "accumulated": _single,
    "broadcast_sum": _single,
    "non_finite_grad": _single,
    "no_gradient": _no_gradient,
    "graph_rebuilt": _graph_rebuilt,
}


def claims(record: RunRecord) -> Iterator[Claim]:
    for note in record.notes:
        adapter = ADAPTERS.get(note.kind)
        if adapter is not None:
            yield adapter(note)


# --- numbers ------------------------------------------------------------------------------

def _tensor(value: Any) -> torch.Tensor | None:
    """A record VALUE as a float64 tensor (None for a summary, None or a mark)."""
    def plain(v: Any) -> Any:
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, str):
            return float(v)
        return v
    if value is None or (isinstance(value, (dict, str)) and value not in ("inf", "-inf", "nan")):
        return None
    try:
        return torch.tensor(plain(value), dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


def _close(a: Any, b: Any) -> bool:
    x, y = _tensor(a), _tensor(b)
    if x is None or y is None:
        return True  # not comparable (summarized, big): nothing claimed in numbers
    return x.shape == y.shape and bool(torch.allclose(x, y, rtol=1e-4, atol=1e-5,
                                                      equal_nan=True))


def _holds_values(value: Any) -> bool:
    found = _tensor(value)
    return found is not None and bool((found != 0).any())


def _numbers_in(value: Any) -> Iterator[float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, str):
        if value in ("inf", "-inf", "nan"):
            yield float(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _numbers_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _numbers_in(item)


_VALUE_SPAN = re.compile(r"\A[\s\[\]\-+.,0-9e()infa…]*\Z")  # a value as a note writes one
# a number, not a digit of a name or a formula's constant (`1/(2·sqrt(x))`)
_NUMBER = re.compile(r"(?<![\w./·])-?\d+(?:\.\d*)?(?:e[-+]?\d+)?(?![\w/·])")


def quoted_numbers(text: str) -> list[str]:
    """The numbers a sentence quotes: outside code, and in code spans that are values."""
    found: list[str] = []
    for at, part in enumerate(text.split("`")):
        if at % 2 == 0 or _VALUE_SPAN.match(part):
            found += _NUMBER.findall(part)
    return found


def _matches(quoted: str, known: list[float]) -> bool:
    value = float(quoted)
    decimals = len(quoted.split(".")[1].split("e", maxsplit=1)[0]) if "." in quoted else 0
    slack = 0.5 * 10 ** -decimals * (10 ** int(quoted.split("e")[1]) if "e" in quoted else 1)
    return any(abs(value - k) <= slack * 1.0001 + 1e-12 * abs(k) or
               (k != 0 and abs(value - k) <= 5e-4 * abs(k)) for k in known if math.isfinite(k))


def _record_numbers(record: RunRecord, note: NoteInfo) -> list[float]:
    numbers = list(_numbers_in(note.facts))
    numbers += [float(len(v)) for v in note.facts.values() if isinstance(v, (list, dict))]
    numbers += [float(n) for n in (note.step, note.call) if n is not None]
    for call in record.calls:
        numbers += _numbers_in([call.before, call.added, call.after, call.results,
                                call.grad_tensors, call.index])
    for group in record.groups:
        numbers += [group.calls, group.first, group.last]
    for row in record.tensors:
        numbers += _numbers_in([row.shape, row.value, row.grad])
    return numbers


# --- the checks -------------------------------------------------------------------------------

def problems(record: RunRecord, oracle: Oracle | None = None) -> list[str]:
    """Every claim of the record's explanation that does not hold."""
    found: list[str] = []
    for note in record.notes:
        known: list[float] | None = None
        for lang in LANGS:
            text = explain_note(note, lang)
            # numbers of the text itself ("since PyTorch 0.4"), not of this run
            constants = quoted_numbers(explain_note(NoteInfo(note.kind, None, None), lang))
            for quoted in quoted_numbers(text):
                if quoted in constants:
                    continue
                if known is None:
                    known = _record_numbers(record, note)
                if not _matches(quoted, known):
                    found.append(f"{note.kind} ({lang}) quotes {quoted}, not in the record: "
                                 f"{text}")
    for claim in claims(record):
        check = CHECKS.get(claim.kind)
        if check is not None:
            found += check(claim, record, oracle)
    if oracle is not None:
        found += _ledger(record, oracle)
    return found


def _oracle_call(oracle: Oracle | None, index: int | None) -> Mapping[str, Any] | None:
    calls = oracle["calls"] if oracle is not None else []
    return calls[index - 1] if index is not None and 0 < index <= len(calls) else None


def _is_name(label: str) -> bool:
    return bool(_PLAIN_NAME.match(label))


def _call(record: RunRecord, index: int | None) -> CallRecord | None:
    return next((c for c in record.calls if c.index == index), None)


def _ledger(record: RunRecord, oracle: Oracle) -> list[str]:
    """A name in the ledger is the tensor the name binds at that call: its grad before and
    after are that tensor's; a leaf a name binds that the call touched has its row."""
    found: list[str] = []
    for call in record.calls:
        seen = _oracle_call(oracle, call.index)
        if seen is None or call.error is not None:
            continue
        names = seen["names"]
        for label in call.before:
            if not _is_name(label):
                continue
            if label not in names:
                found.append(f"call {call.index}: row `{label}` is no tensor `{label}` names "
                             "at that call")
                continue
            now = names[label]
            if not (_close(call.before[label], now["before"]) and
                    _close(call.after.get(label), now["after"])):
                found.append(f"call {call.index}: row `{label}` reads {call.before[label]} -> "
                             f"{call.after.get(label)}; `{label}` held {now['before']} -> "
                             f"{now['after']}")
        rows = {names[label]["token"] for label in call.before if label in names}
        rows.discard(None)
        for name, now in names.items():
            if now["leaf"] and now["connected"] and now["token"] not in rows and \
                    call.function != "torch.autograd.grad":
                found.append(f"call {call.index}: `{name}` is reached but has no row")
    return found


def _accumulated(claim: Claim, record: RunRecord, oracle: Oracle | None) -> list[str]:
    """The same tensor held a grad with values before the call, and the call changed it;
    the note's before + added is its after."""
    found: list[str] = []
    facts, label = claim.facts, claim.tensors[0] if claim.tensors else None
    before, added, after = facts.get("before"), facts.get("added"), facts.get("after")
    if not _holds_values(before):
        found.append(f"accumulated `{label}`: its grad before call {claim.call} was {before}")
    b, a, s = _tensor(before), _tensor(added), _tensor(after)
    if b is not None and a is not None and s is not None and b.shape == s.shape and \
            not torch.allclose(b + a, s, rtol=1e-4, atol=1e-5, equal_nan=True):
        found.append(f"accumulated `{label}`: {before} + {added} is not {after}")
    if label is None or not _is_name(label):
        return found
    for index in [claim.call, *facts.get("again", [])]:
        seen = _oracle_call(oracle, index)
        if seen is None:
            continue
        now = seen["names"].get(label)
        if now is None:
            found.append(f"accumulated: no tensor is named `{label}` at call {index}")
        elif not _holds_values(now["before"]) or (_close(now["before"], now["after"]) and \
                _tensor(now["after"]) is not None):
            found.append(f"accumulated `{label}` at call {index}: PyTorch's grad went "
                         f"{now['before']} -> {now['after']}")
    seen = _oracle_call(oracle, claim.call)
    if seen is not None and label in seen["names"]:
        now = seen["names"][label]
        if not (_close(before, now["before"]) and _close(after, now["after"])):
            found.append(f"accumulated `{label}`: {before} -> {after}, PyTorch's "
                         f"{now['before']} -> {now['after']}")
    return found


def _no_gradient(claim: Claim, record: RunRecord, oracle: Oracle | None) -> list[str]:
    """Not connected: torch.autograd.grad(..., allow_unused=True) gives None for it."""
    found: list[str] = []
    seen = _oracle_call(oracle, claim.call)
    for label in claim.tensors:
        call = _call(record, claim.call)
        if call is not None and label in call.added and call.added[label] is not None:
            found.append(f"no_gradient `{label}`: call {claim.call}'s ledger says it was reached")
        if seen is None or not _is_name(label):
            continue
        now = seen["names"].get(label)
        if now is None:
            found.append(f"no_gradient: no tensor is named `{label}` at call {claim.call}")
        elif now["connected"] is True:
            found.append(f"no_gradient `{label}`: autograd.grad reaches it in call {claim.call}")
    return found


def _broadcast(claim: Claim, record: RunRecord, oracle: Oracle | None) -> list[str]:
    """The gradient at the broadcast positions, summed over them, is what reached the
    operand; a sentence that sums the arrived gradient only where that is so; the grad the
    call added is PyTorch's."""
    found: list[str] = []
    facts, label = claim.facts, claim.tensors[0] if claim.tensors else None
    arrived, summed = _tensor(facts.get("grad_arrived")), _tensor(facts.get("grad_summed"))
    contribution = _tensor(facts.get("grad_contribution"))
    if summed is not None:
        for name, parts in (("contribution", contribution), ("arrived", arrived)):
            if parts is None or (name == "arrived" and contribution is not None):
                continue
            if parts.numel() < summed.numel() or not torch.allclose(
                    parts.sum_to_size(summed.shape) if summed.dim() else parts.sum(), summed,
                    rtol=1e-4, atol=1e-5, equal_nan=True):
                found.append(f"broadcast_sum `{label}`: the {name} {facts.get('grad_' + name)}"
                             f" does not sum to {facts.get('grad_summed')}")
    seen = _oracle_call(oracle, claim.call)
    if seen is not None and label is not None and _is_name(label) and \
            facts.get("grad_added") is not None:
        now = seen["names"].get(label)
        if now is not None and now["after"] not in (None, "big"):
            after, old = _tensor(now["after"]), _tensor(now["before"])
            added = after - old if old is not None and after is not None and \
                old.shape == after.shape else after
            wanted = _tensor(facts["grad_added"])
            if added is not None and wanted is not None and not (
                    added.shape == wanted.shape and torch.allclose(added, wanted, rtol=1e-4,
                                                                   atol=1e-5, equal_nan=True)):
                found.append(f"broadcast_sum `{label}`: says {facts['grad_added']} was added, "
                             f"PyTorch added {added.tolist()}")
    return found


def _non_finite(claim: Claim, record: RunRecord, oracle: Oracle | None) -> list[str]:
    label = claim.tensors[0] if claim.tensors else None
    seen = _oracle_call(oracle, claim.call)
    if seen is None or label is None or label not in seen["names"]:
        return []
    after = _tensor(seen["names"][label]["after"])
    if after is not None and bool(torch.isfinite(after).all()):
        return [f"non_finite_grad `{label}`: PyTorch's grad after call {claim.call} is finite"]
    return []


def _rebuilt(claim: Claim, record: RunRecord, oracle: Oracle | None) -> list[str]:
    """"Accumulates across iterations" only of a tensor that survives the iteration: the same
    tensor at the loop's first and last call; "made anew" only of one that does not."""
    if oracle is None:
        return []
    facts = claim.facts
    group = next((g for g in record.groups if g.statement == facts.get("statement")
                  and g.step is not None and g.step == facts.get("step")), None)
    if group is None:
        return []
    first, last = _oracle_call(oracle, group.first), _oracle_call(oracle, group.last)
    if first is None or last is None:
        return []
    found: list[str] = []
    for label in claim.tensors:
        a, b = first["names"].get(label), last["names"].get(label)
        if a is not None and b is not None and a["token"] != b["token"]:
            found.append(f"graph_rebuilt: `{label}` is said to accumulate across iterations, "
                         "but the loop makes it anew")
    for label in facts.get("recreated") or []:
        a, b = first["names"].get(label), last["names"].get(label)
        if a is not None and b is not None and a["token"] == b["token"]:
            found.append(f"graph_rebuilt: `{label}` is said to be made anew, but it is the "
                         "same tensor")
    if facts.get("zeroed") is True:
        line = first["line"]
        for index, call in enumerate(oracle["calls"][group.first:group.last], group.first + 1):
            for label in claim.tensors:
                now = call["names"].get(label)
                if call["line"] == line and now is not None and _holds_values(now["before"]):
                    found.append(f"graph_rebuilt: `{label}` is said zeroed, but held "
                                 f"{now['before']} before call {index}")
    return found


CHECKS: dict[str, Callable[[Claim, RunRecord, Oracle | None], list[str]]] = {
    "accumulated": _accumulated,
    "broadcast_sum": _broadcast,
    "no_gradient": _no_gradient,
    "non_finite_grad": _non_finite,
    "graph_rebuilt": _rebuilt,
}
