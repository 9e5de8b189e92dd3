"""The pages in a real headless Chromium: what a person sees and can do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from execverify.view import load_view, write_page

from .conftest import XSS


@pytest.fixture
def eval_page(eval_run: Path, tmp_path: Path, browser):  # type: ignore[no-untyped-def]
    page = write_page(load_view(eval_run), tmp_path / "view.html")
    browser.get(page.as_uri())
    return browser


def _by(css: str):  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def _select(driver, element_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(*_by(f"#{element_id}"))).select_by_value(value)


def test_summary_shows_the_numbers_of_results_json(eval_page, eval_run):
    bench = json.loads((eval_run / "results.json").read_text())["benchmarks"][0]
    head = eval_page.find_element(*_by('[data-chart="accuracy by benchmark"] .bar-row'))
    assert float(head.get_attribute("data-value")) == bench["aggregates"]["accuracy"]["value"]
    assert head.find_element(*_by(".bar-num")).text == "50.0% (n=2)"
    kinds = eval_page.find_elements(*_by('[data-chart="synthetic by kind"] .bar-row'))
    shown = {k.get_attribute("data-label"): k.find_element(*_by(".bar-num")).text for k in kinds}
    assert shown == {k: f"{100 * m['value']:.1f}% (n={m['n']})"
                     for k, m in bench["breakdown"]["kind"].items()}


def test_filters_hide_what_they_should(eval_page):
    rows = lambda: [li.get_attribute("data-id") for li in  # noqa: E731
                    eval_page.find_elements(*_by("#list li"))]
    assert rows() == ["r1/combined", "r2/combined"]
    _select(eval_page, "f-verdict", "wrong")
    assert rows() == ["r2/combined"]
    assert eval_page.find_element(*_by("#count")).text == "1 of 2 problems"
    _select(eval_page, "f-kind", "state")  # now: a wrong state answer, which both have
    assert rows() == ["r1/combined", "r2/combined"]
    _select(eval_page, "f-verdict", "right")
    assert rows() == []
    _select(eval_page, "f-verdict", "")
    _select(eval_page, "f-kind", "")
    _select(eval_page, "f-level", "1")
    assert rows() == ["r1/combined"]
    _select(eval_page, "f-level", "")
    eval_page.find_element(*_by("#f-min")).send_keys("1")
    assert rows() == ["r1/combined"]  # r2 scored 0
    eval_page.find_element(*_by("#f-min")).clear()
    eval_page.find_element(*_by("#f-text")).send_keys("onerror")
    assert rows() == ["r2/combined"]


def test_a_wrong_answer_is_marked_wrong_at_its_line(eval_page):
    state = eval_page.find_element(*_by('tr.q-row[data-line="5"] .question[data-kind="state"]'))
    assert "wrong" in state.get_attribute("class").split()
    answer = state.find_element(*_by(".answer"))
    assert "wrong" in answer.get_attribute("class").split()
    assert "7; int" in answer.text and "✗" in answer.text
    assert "2; int" in state.find_element(*_by(".accepted")).text
    nxt = eval_page.find_element(*_by('tr.q-row[data-line="4"] .answer'))
    assert "right" in nxt.get_attribute("class").split()


def test_executed_lines_are_marked_with_their_counts(eval_page):
    loop = eval_page.find_element(*_by('tr.src-line[data-line="3"]'))
    assert "ran" in loop.get_attribute("class").split()
    assert loop.find_element(*_by(".hits")).text == "×4"
    header = eval_page.find_element(*_by('tr.src-line[data-line="1"]'))
    assert "notrun" in header.get_attribute("class").split()  # def lines make no line event


def test_keyboard_moves_between_problems(eval_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    body = eval_page.find_element(*_by("body"))
    detail = lambda: eval_page.find_element(*_by("#detail")).get_attribute("data-id")  # noqa: E731
    assert detail() == "r1/combined"
    body.send_keys("j")
    assert detail() == "r2/combined"
    body.send_keys("k")
    assert detail() == "r1/combined"
    body.send_keys(Keys.ARROW_DOWN)
    assert detail() == "r2/combined"
    eval_page.find_element(*_by("#f-text")).click()  # keys typed in a field stay there ...
    ActionChains(eval_page).send_keys("k").perform()
    assert eval_page.find_element(*_by("#f-text")).get_attribute("value") == "k"
    ActionChains(eval_page).send_keys(Keys.BACKSPACE).perform()
    assert detail() == "r1/combined"  # a new filter starts at its first problem
    ActionChains(eval_page).send_keys(Keys.ESCAPE, "j").perform()  # ... until Esc leaves it
    assert detail() == "r2/combined"


def test_a_completion_with_markup_stays_text(eval_page):
    title = eval_page.title
    eval_page.find_element(*_by("body")).send_keys("j")
    completion = eval_page.find_element(*_by("#detail .entry pre.completion"))
    assert XSS in completion.text
    assert completion.find_elements(*_by("*")) == []  # text only, no child elements
    assert eval_page.find_elements(*_by("img, #detail code b")) == []
    assert eval_page.execute_script("return typeof window.pwned") == "undefined"
    assert eval_page.title == title and "pwned" not in title


def _open(browser, path: Path, out: Path):  # type: ignore[no-untyped-def]
    browser.get(write_page(load_view(path), out).as_uri())
    return browser


def _rows(driver) -> list[str]:  # type: ignore[no-untyped-def]
    return [li.get_attribute("data-id") for li in driver.find_elements(*_by("#list li"))]


def _bars(driver, chart: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = driver.find_elements(*_by(f'[data-chart="{chart}"] .bar-row'))
    return {r.get_attribute("data-label"): r.find_element(*_by(".bar-num")).text for r in rows}


def test_dataset_page_shows_counts_questions_and_a_level_filter(dataset, tmp_path, browser):
    page = _open(browser, dataset, tmp_path / "ds.html")
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert _bars(page, "records by level") == {f"level {k}": str(v)
                                               for k, v in manifest["per_level"].items()}
    assert _bars(page, "questions by kind") == {"input": "2", "next_statement": "2",
                                                "output": "2", "state": "2"}
    assert page.find_element(*_by("#count")).text == "2 of 2 problems"
    state = page.find_element(*_by('tr.q-row[data-line="5"] .question[data-kind="state"]'))
    assert "accepted: 2; int" in state.text and not state.find_elements(*_by(".answer"))
    assert page.find_element(*_by('tr.src-line[data-line="3"] .hits')).text == "×4"
    # no model here: nothing to judge or score, so those filters are not offered
    assert not page.find_element(*_by("#f-verdict")).is_displayed()
    assert not page.find_element(*_by("#f-min")).is_displayed()
    _select(page, "f-level", "2")
    assert _rows(page) == ["r2"] and page.find_element(*_by("#detail h2")).text == "r2"
    _select(page, "f-level", "")
    page.find_element(*_by("#f-text")).send_keys("2; INT")  # only in an accepted answer
    assert _rows(page) == ["r1", "r2"]
    page.find_element(*_by("#f-text")).send_keys("x")
    assert _rows(page) == [] and "No problem matches" in page.find_element(*_by("#detail")).text


def test_study_page_shows_the_arms_side_by_side(study, tmp_path, browser):
    page = _open(browser, study, tmp_path / "study.html")
    arms = {arm: json.loads((study / "arms" / arm / "eval" / "synthetic" / "results.json")
                            .read_text())["benchmarks"][0]["aggregates"]["accuracy"]
            for arm in ("base", "trained")}
    assert _bars(page, "synthetic (accuracy) by arm") == {
        arm: f"{100 * m['value']:.1f}% (n={m['n']})" for arm, m in arms.items()}
    entries = page.find_elements(*_by("#detail .entry"))
    assert [e.find_element(*_by(".entry-head b")).text for e in entries] == ["base", "trained"]
    answers = page.find_elements(*_by('tr.q-row[data-line="5"] .answer'))
    assert [(a.text, a.get_attribute("class")) for a in answers] == [
        ("✗ base: 7; int", "answer wrong"), ("✓ trained: 2; int", "answer right")]
    marks = page.find_elements(*_by("#list li .mark"))
    assert [m.text for m in marks] == ["✓", "±"]  # r1 right in both arms, r2 only in trained
    _select(page, "f-verdict", "wrong")
    assert _rows(page) == ["r2/combined"]


def test_training_page_shows_each_group_with_rewards(train_run, tmp_path, browser):
    page = _open(browser, train_run, tmp_path / "train.html")
    assert _rows(page) == [f"stage1 step {s} group {g}: r{g}" for s in (1, 2) for g in (0, 1)]
    heads = [" ".join(e.text.split()) for e in page.find_elements(*_by("#detail .entry-head"))]
    assert heads == ["rollout 1 ✗ wrong score 0.000 ok output_correct 0.000, step_accuracy 0.000",
                     "rollout 2 ✓ right score 2.000 ok output_correct 1.000, step_accuracy 1.000"]
    assert "What does f([1, 2, 3]) return?" in page.find_element(*_by("pre.prompt")).text
    assert _bars(page, "mean reward by step") == {"stage1 step 1": "1.000 (n=4)",
                                                  "stage1 step 2": "0.500 (n=4)"}
    _select(page, "f-verdict", "right")
    assert _rows(page) == ["stage1 step 1 group 0: r0", "stage1 step 1 group 1: r1",
                           "stage1 step 2 group 0: r0"]
