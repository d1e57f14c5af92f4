"""--why (issue 26): the chain rule written out with the learner's own numbers.

The tutorial's cases are the acceptance (accumulation: 0.25 × 18 × 1 = 4.5, then 18,
4.5 + 18 = 22.5; mm: the leaf behind the view x gets [1., 3.], element 1 is 1·3 + 0·4 = 3,
y.grad[1, 0] = 1), in English and Chinese, as golden renderings; every derivation over the
bundled lessons and the corpus checks itself against autograd; the CLI, REPL, notebook
magic, API and JSON carry it. tests/test_why_formulas.py checks the table's formulas.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from typer.testing import CliRunner

import gradexplain
from gradexplain.app.repl_session import Repl
from gradexplain.engine.derivation import watch
from gradexplain.engine.madeby import StatementTags, _assigns, made_by
from gradexplain.engine.runner import run_scenario
from gradexplain.explain import explain_run
from gradexplain.explain.derivation_text import why_lines
from gradexplain.limits import Limits
from gradexplain.options import ReplOptions, RunOptions, ViewOptions, why_target
from gradexplain.record import RunRecord, WhyEntry
from gradexplain.render import make_console
from gradexplain.render.deeper import deeper_block
from gradexplain.scenario.bundled import bundled_dir
from gradexplain.scenario.loader import load_scenario, load_scenario_text
from gradexplain.shell.cli import app
from test_deeper import CHAIN  # the 3,000-step chain the --graph tests fold too

CORPUS = Path(__file__).parent / "corpus"
# Corpus files whose hooks change a gradient on its way: there the derivation must say that
# it does not add up to what autograd gave (and never print the equation).
HOOKED = {"n07_tensor_hook_double.py", "n09_node_hook.py", "n10_node_prehook.py",
          "q16_hook_clamp_grad.py"}


def bundled(name: str, *why: str) -> RunRecord:
    path = next(p for p in Path(bundled_dir()).iterdir() if p.stem == name)
    return run_scenario(load_scenario(path, Limits()), RunOptions(views=ViewOptions(why=why)))


def from_code(code: str, *why: str) -> RunRecord:
    scenario = load_scenario_text(code, "test.py", "py", Limits(), name="test")
    return run_scenario(scenario, RunOptions(views=ViewOptions(why=why)))


def entries(record: RunRecord, call: int) -> list[WhyEntry]:
    return record.calls[call].views.why or []


def shown(record: RunRecord, lang: str = "en", width: int = 100) -> str:
    """Every call's --why block as a terminal shows it (plain, fixed width)."""
    stream = io.StringIO()
    console = make_console(stream, width=width, force_plain=True)
    report = explain_run(record, lang)
    for call in record.calls:
        block = deeper_block(console, report, call)
        console.print(f"call {call.index} · {call.statement}")
        if block is not None:
            console.print(block)
    return stream.getvalue()


# the tutorial's cases ---------------------------------------------------------------------------

def test_accumulation_is_the_tutorials_hand_derivation() -> None:
    record = bundled("accumulation", "x")
    first, second = entries(record, 0)[0], entries(record, 1)[0]
    assert (first["total"], first["autograd"], first["agrees"]) == (4.5, 4.5, True)
    assert [s["value"] for s in first["paths"][0]["steps"]] == [0.25, 18.0, 1.0]
    assert [s["statement"] for s in first["paths"][0]["steps"]] == [
        "out = z.mean()", "z = y * y * 3", "y = x + 2"]
    assert (second["total"], second["before"], second["after"]) == (18.0, 4.5, 22.5)
    text = shown(record)
    for expected in ("∂out/∂z[0,0] = 1/4 = 0.25", "= 6·y = 6·3 = 18", "∂y[0,0]/∂x[0,0] = 1",
                     "0.25 × 18 × 1 = 4.5", "1 × 18 × 1 = 18", "4.5 + 18 = 22.5",
                     "2 paths through this statement"):
        assert expected in text, expected


def test_mm_follows_the_view_to_the_leaf_and_sums_the_weighted_paths() -> None:
    record = bundled("mm_grad_tensors", "x[0, 1]", "y[1, 0]")
    view, y = entries(record, 0)
    assert view["kind"] == "view" and view["index"] == [1] and view["named_index"] == [0, 1]
    assert view["tensor"] == "torch.tensor([2., 1.], requires_grad=True)"
    assert view["sum_formula"] == "v[0,0]·y[1,0] + v[0,1]·y[1,1]"
    assert view["sum_numbers"] == "1·3 + 0·4"
    assert (view["total"], view["agrees"]) == (3.0, True)
    assert [p["weight"] for p in view["paths"]] == [1.0, 0.0]
    assert (y["total"], y["agrees"]) == (1.0, True)
    assert y["paths"][0]["steps"][0]["formula"] == "x[0,1]"
    text = shown(record)
    assert "x.grad stays None" in text
    assert "v[0,0]·y[1,0] + v[0,1]·y[1,1] = 1·3 + 0·4 = 3" in text
    # the leaf behind the view gets [1., 3.]: element 0 by the same derivation
    first = entries(bundled("mm_grad_tensors", "x"), 0)[0]
    assert (first["total"], first["sum_numbers"]) == (1.0, "1·1 + 0·2")


@pytest.mark.parametrize(("name", "why", "lang"), [
    ("accumulation", ("x",), "en"), ("accumulation", ("x",), "zh"),
    ("mm_grad_tensors", ("x[0, 1]", "y[1, 0]"), "en"),
    ("mm_grad_tensors", ("x[0, 1]", "y[1, 0]"), "zh"),
])
def test_golden(name: str, why: tuple[str, ...], lang: str,
                golden: Callable[[str, str], None]) -> None:
    golden(f"why_{name}_{lang}.txt", shown(bundled(name, *why), lang))


def test_the_lesson_walks_both_examples() -> None:
    record = bundled("chain_rule", "x[0, 1]", "y[1, 0]")
    assert record.ok, record.error
    totals = [[e.get("total") for e in entries(record, i)] for i in range(3)]
    assert totals == [[4.5, 4.5], [18.0, 18.0], [3.0, 1.0]]
    assert all(e["agrees"] for i in range(3) for e in entries(record, i))
    assert entries(record, 0)[1]["kind"] == "non_leaf"  # y is not a leaf in the first part
    zh = shown(record, "zh")
    assert "梯度累加" in zh and "背后的叶子" in zh


def test_unnamed_intermediates_are_written_with_names_so_like_terms_meet() -> None:
    """`2 * x * x`: the 6 that `2 * x` made is 2·x, so the two paths give 4·x, not 2·x + 6."""
    record = bundled("broadcast_sum", "x", "p[1, 1]")
    text = shown(record)
    assert "∂out[0,0]/∂x = 2·x + 2·x = 4·x = 4·3 = 12" in text
    assert "∂out[1,1]/∂p[1,1] = 2·p + 2·p = 4·p = 4·1 = 4" in text
    assert all(e["agrees"] for e in entries(record, 0))


def test_a_difference_inside_a_product_keeps_its_parentheses() -> None:
    record = from_code("import torch.nn.functional as F\n"
                       "pred = torch.tensor([0.5, 2.0, 1.0], requires_grad=True)\n"
                       "target = torch.tensor([1.0, 1.0, 1.0])\n"
                       "loss = F.mse_loss(pred, target)\n"
                       "loss.backward()\n", "pred[0]")
    assert "= 2/3·(pred[0] - target[0]) = 2/3·(0.5 - 1) = -0.333333" in shown(record)


# honest when it does not hold --------------------------------------------------------------

def test_a_hook_that_changes_the_gradient_is_said_and_no_equation_is_printed() -> None:
    record = from_code("x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                       "y = x * 3\n"
                       "h = y.register_hook(lambda g: g * 2)\n"
                       "out = y.sum()\n"
                       "out.backward()\n", "x")
    entry = entries(record, 0)[0]
    assert (entry["total"], entry["autograd"], entry["agrees"]) == (3.0, 6.0, False)
    for lang, words in (("en", "gives 3, but autograd gave 6"),
                        ("zh", "算出 3，但 autograd 得到 6")):
        text = shown(record, lang)
        assert words in text
        assert "×" not in text and "∂" not in text  # no false equation


def test_a_node_without_a_formula_gets_its_number_from_autograd_and_says_so() -> None:
    record = from_code("x = torch.tensor([1.5, 2.5], requires_grad=True)\n"
                       "y = torch.lgamma(x)\n"
                       "out = y.sum()\n"
                       "out.backward()\n", "x[1]")
    entry = entries(record, 0)[0]
    step = entry["paths"][0]["steps"][-1]
    assert step["source"] == "autograd" and step["nodes"] == ["LgammaBackward0"]
    assert entry["agrees"] and entry["total"] == pytest.approx(float(torch.digamma(
        torch.tensor(2.5))))
    assert "no formula for LgammaBackward0" in shown(record)
    assert "表中没有 LgammaBackward0 的公式" in shown(record, "zh")


def test_a_custom_function_is_not_run_again_and_the_view_says_why() -> None:
    record = from_code((CORPUS / "e01_exp_function.py").read_text(), "x")
    entry = entries(record, 0)[0]
    assert entry["status"] == "not_derivable"
    assert entry["facts"]["reason"] == "custom_backward"
    assert "whose backward is your own code" in " ".join(shown(record).split())


@pytest.mark.slow
def test_every_derivation_over_the_lessons_and_the_corpus_agrees_with_autograd() -> None:
    """Each lesson and corpus file, with --why for every tensor that requires grad: every
    derivation equals what autograd gave, except where a hook changed it (said so), and
    --why changes nothing else of the run."""
    paths = sorted(Path(bundled_dir()).glob("*.yaml")) + sorted(CORPUS.iterdir())
    derived = 0
    for path in paths:
        base = run_scenario(load_scenario(path, Limits()), RunOptions())
        names = [r.name for r in base.tensors if r.requires_grad]
        if not names:
            continue
        record = run_scenario(load_scenario(path, Limits()),
                              RunOptions(views=ViewOptions(why=tuple(names))))
        assert record.ok == base.ok and record.error == base.error, path.name
        assert [c.added for c in record.calls] == [c.added for c in base.calls], path.name
        for call in record.calls:
            for entry in call.views.why or []:
                if entry["status"] != "derived":
                    assert entry["status"] in ("unknown", "later_call", "not_derivable")
                    continue
                derived += 1
                if path.name in HOOKED:
                    continue
                assert entry["agrees"], (path.name, call.index, entry["target"],
                                         entry["total"], entry["autograd"])
            for lang in ("en", "zh"):
                explain_run(record, lang)  # every entry words in both languages
        if path.name in HOOKED:
            assert any(e.get("agrees") is False for c in record.calls
                       for e in c.views.why or []), path.name
    assert derived > 300


# bounded ---------------------------------------------------------------------------------------



def test_a_3000_step_chain_folds_and_stays_short() -> None:
    # Its cost is measured in benchmarks/run.py (why_chain3000), not timed here.
    scenario = load_scenario_text(CHAIN, "chain.yaml", "yaml", Limits(), name="chain")
    record = run_scenario(scenario, RunOptions(views=ViewOptions(why=("x", "w"))))
    x, w = entries(record, 0)
    assert x["agrees"] and w["agrees"]
    assert any(s["kind"] == "fold" and s["count"] == 3000 for s in x["paths"][0]["steps"])
    assert w["paths_total"] == 6000 and len(w["paths"]) == 6 and w["rest"] is not None
    text = shown(record)
    assert "[y = torch.sin(y) * w + 0.001] × 3000 (folded)" in text
    assert "... and 5994 more paths, not written out" in text
    assert len(text.splitlines()) < 60, text


def test_only_the_first_calls_of_a_statement_are_derived() -> None:
    record = from_code("w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                       "for i in range(5):\n"
                       "    loss = (w * w).sum()\n"
                       "    loss.backward()\n", "w")
    statuses = [e["status"] for call in record.calls for e in call.views.why or []]
    assert statuses == ["derived"] * 3 + ["later_call"]  # said once, under call 4
    assert "not written out from this call on (the first 3 calls" in shown(record)


def test_without_why_nothing_is_tagged_or_derived() -> None:
    record = from_code("x = torch.ones(2, requires_grad=True)\nout = (x * 2).sum()\n"
                       "out.backward()\n")
    assert record.calls[0].views.why is None and not record.calls[0].views


# targets, names, statements -----------------------------------------------------------------

def test_targets_are_parsed_as_typed() -> None:
    assert why_target("x") == ("x", None)
    assert why_target(" x[0, 1] ") == ("x", (0, 1))
    assert why_target("net.fc.weight[1,-1]") == ("net.fc.weight", (1, -1))
    for bad in ("x[", "x[a]", "[0]", ""):
        with pytest.raises(ValueError):
            why_target(bad)


def test_unknown_names_and_bad_indexes_are_said_in_both_languages() -> None:
    record = from_code("x = torch.ones(2, 2, requires_grad=True)\nout = x.sum()\n"
                       "out.backward()\n", "nope", "x[5, 0]", "x[0]")
    unknown, bad, short = entries(record, 0)
    assert unknown["status"] == "unknown" and bad["status"] == "bad_index"
    assert short["status"] == "bad_index"
    assert "no tensor named nope" in shown(record)
    assert "x has shape [2, 2]" in shown(record) and "x[0, 0]" in shown(record)
    assert "没有名为 nope 的张量" in shown(record, "zh")


def test_a_non_leaf_gets_the_gradient_that_reached_it() -> None:
    record = bundled("accumulation", "y[1, 1]")
    entry = entries(record, 0)[0]
    assert entry["kind"] == "non_leaf" and entry["total"] == 4.5 and entry["agrees"]
    assert "y.grad stays None" in shown(record)


def test_retained_and_autograd_grad_targets() -> None:
    record = from_code("x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                       "y = x * x\n"
                       "y.retain_grad()\n"
                       "out = (y * 3).sum()\n"
                       "out.backward(retain_graph=True)\n"
                       "g, = torch.autograd.grad(out, x)\n", "y[1]", "x[1]")
    retained, leaf = entries(record, 0)
    assert retained["kind"] == "retained" and retained["total"] == 3.0 and retained["agrees"]
    assert leaf["total"] == 12.0 and leaf["agrees"]
    (again,) = entries(record, 1)  # autograd.grad: x is its input; y is not
    assert again["target"] == "x[1]" and again["autograd"] == 12.0 and again["agrees"]
    assert "torch.autograd.grad returns 12 for x[1]" in shown(record)


def test_statements_are_tagged_on_the_nodes_that_made_named_tensors() -> None:
    context = type("Context", (), {"statement": "y = x * 2", "line": 3})()
    tags = StatementTags(lambda: context)
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    tags.assigned("y", y)
    tags.assigned("alias", y)  # a second name keeps the statement that made it
    found = made_by(y.grad_fn)
    assert found is not None and (found.name, found.statement, found.line) == (
        "y", "y = x * 2", 3)
    assert _assigns("a, y = t.chunk(2)", "y") and _assigns("h *= 2", "h")
    assert not _assigns("y == 3", "y") and not _assigns("torch.mm(x, y)", "y")


def test_weights_of_several_outputs_and_a_leaf_that_is_an_output() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 2, x * x
    found = watch("x[1]", [(a, "a"), (b, "b")], [torch.ones(2), torch.full((2,), 0.5)],
                  {"x": x, "a": a, "b": b}, [("x", x)], None)
    assert found is not None
    torch.autograd.backward([a, b], [torch.ones(2), torch.full((2,), 0.5)])
    entry = found.finish(None)
    assert entry["total"] == 4.0 and entry["agrees"]  # 1·2 + 0.5·(2·2)
    assert (entry["sum_formula"], entry["sum_numbers"]) == ("2·v_a[1] + 2·v_b[1]·x",
                                                            "2·1 + 2·0.5·2")
    leaf = torch.tensor([3.0], requires_grad=True)
    found = watch("leaf", [(leaf, "leaf")], [torch.tensor([2.0])], {"leaf": leaf},
                  [("leaf", leaf)], None)
    assert found is not None
    leaf.backward(torch.tensor([2.0]))
    assert found.finish(None)["total"] == 2.0


# the shells -------------------------------------------------------------------------------------

def test_cli_run_table_and_json() -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["run", "accumulation", "--why", "x", "--width", "100"])
    assert table.exit_code == 0, table.output
    assert "0.25 × 18 × 1 = 4.5" in table.stdout and "4.5 + 18 = 22.5" in table.stdout
    result = runner.invoke(app, ["run", "accumulation", "--why", "x", "--format", "json",
                                 "--lang", "zh"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    why = data["calls"][1]["why"][0]
    assert why["before"] == 4.5 and why["after"] == 22.5 and why["agrees"] is True
    assert "x.grad[0, 0]：4.5 + 18 = 22.5（梯度累加）" in [line.strip() for line in why["lines"]]
    assert set(why) >= {"target", "status", "tensor", "index", "kind", "paths", "paths_total",
                        "rest", "total", "autograd", "agrees", "lines"}
    plain = runner.invoke(app, ["run", "accumulation", "--format", "json"])
    assert "why" not in json.loads(plain.stdout)["calls"][0]


def test_cli_refuses_a_malformed_target() -> None:
    result = CliRunner().invoke(app, ["run", "accumulation", "--why", "x["])
    assert result.exit_code == 2
    assert "--why" in result.output and "NAME[i, j]" in result.output


def test_cli_compare_shows_the_derivation_of_both_variants() -> None:
    result = CliRunner().invoke(app, ["compare", "accumulation", "--zero-grad", "--why", "x",
                                      "--width", "120"])
    assert result.exit_code == 0, result.output
    assert "x.grad[0, 0]: 4.5 + 18 = 22.5" in result.stdout  # A: as written
    assert "x.grad[0, 0]: 0 + 18 = 18" in result.stdout  # B: zeroed before the call


def test_repl_why_after_the_call_and_under_the_next() -> None:
    stream = io.StringIO()
    repl = Repl(ReplOptions(), make_console(stream, width=100, force_plain=True))
    for line in ("x = torch.ones(2, 2, requires_grad=True)", "y = x + 2", "z = y * y * 3",
                 "out = z.mean()", "out.backward(retain_graph=True)", ":why x[0, 1]",
                 "z.backward(torch.ones_like(z))", ":why", ":why x["):
        repl.handle(line)
    text = stream.getvalue()
    assert "0.25 × 18 × 1 = 4.5" in text  # the call that already ran, its graph kept
    assert "x.grad[0, 1]: 4.5 + 18 = 22.5" in text  # under the next call
    assert "no more derivations" in text and "usage: :why NAME" in text
    freed = io.StringIO()
    repl = Repl(ReplOptions(lang="zh"), make_console(freed, width=100, force_plain=True))
    for line in ("x = torch.ones(2, requires_grad=True)", "out = (x * 3).sum()",
                 "out.backward()", ":why x"):
        repl.handle(line)
    assert "已经释放了计算图" in freed.getvalue()


def test_notebook_magic_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradexplain.notebook import magic

    shown_items: list[Any] = []
    monkeypatch.setattr(magic, "_display", shown_items.append)
    magics = magic.Magics({})
    magics.cell("--why x --width 100", "x = torch.ones(2, requires_grad=True)\n"
                "out = (x * x).sum()\nout.backward()\n")
    assert "x[0] + x[0] = 2·x[0] = 2·1 = 2" in shown_items[-1].text
    with pytest.raises(magic.UsageError, match="--why"):
        magics.cell("--why x[", "x = 1\n")


def test_api_why() -> None:
    record = gradexplain.run_code("x = torch.ones(2, 2, requires_grad=True)\n"
                                  "out = (x * 3).mean()\nout.backward()\n", why="x[1, 1]")
    entry = (record.calls[0].views.why or [])[0]
    assert entry["total"] == 0.75 and entry["agrees"]
    assert "∂out/∂x[1,1] = 3/4 = 0.75" in gradexplain.render(record)
    assert why_lines(entry, "backward", "zh")[0][1].startswith("为什么")
    with pytest.raises(ValueError, match="NAME"):
        gradexplain.run_code("x = 1\n", why="x[")


def test_json_documents_every_key() -> None:
    """docs/json.md names every key of calls[].why, its paths and steps."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "json.md").read_text(
        encoding="utf-8")
    section = docs[docs.index("## `calls[].why`"):]
    from gradexplain.record import WhyPath, WhyStep

    for kind in (WhyEntry, WhyPath, WhyStep):
        for key in kind.__annotations__:
            assert f"`{key}`" in section, key
    assert "`lines`" in section
