from __future__ import annotations

import json

import pytest

from execverify.data.records import QUESTION_KINDS, Question, Record


def record(**kw) -> Record:
    base = dict(
        id="p-7",
        level=2,
        source="llm",
        program="def f(s):\n    return s.zfill(5)\n",
        entry="f",
        args="'ab'",
        output="'000ab'",
        features={"methods": ["zfill"], "lines": 2, "control_flow_depth": 0},
        questions=(
            Question(kind="output", answers=["'000ab'"], text="Output?"),
            Question(kind="state", line=2, hit=1, var="s", answers=["'ab'; str"]),
            Question(kind="next_statement", line=2, hit=1, answers=["-1"]),
            Question(kind="coverage", line=2, answers=["Yes"]),
            Question(kind="path", line=2, answers=["-1"]),
            Question(kind="input", answers=["'ab'"]),
        ),
    )
    base.update(kw)
    return Record(**base)


def test_json_round_trip_and_key_order():
    rec = record()
    data = json.loads(rec.to_json())
    assert list(data) == ["id", "level", "source", "program", "entry", "args", "output",
                          "features", "questions"]
    assert list(data["questions"][0]) == ["kind", "line", "hit", "var", "answers", "text"]
    assert Record.from_json(rec.to_json()) == rec
    assert Record.from_dict(rec.to_dict()) == rec


def test_same_data_same_bytes_whatever_the_feature_insertion_order():
    a = record(features={"lines": 2, "methods": ["zfill"], "nested": {"b": 1, "a": 2}})
    b = record(features={"nested": {"a": 2, "b": 1}, "methods": ["zfill"], "lines": 2})
    assert a.to_json() == b.to_json()


def test_unicode_and_newlines_survive():
    rec = record(program="def f(s):\n    return s + 'é\\n'\n", output="'abé\\n'")
    assert Record.from_json(rec.to_json()) == rec
    assert "\n" not in rec.to_json()  # one JSONL line


def test_questions_of_and_answer():
    rec = record()
    assert [q.kind for q in rec.questions_of("state", "path")] == ["state", "path"]
    assert rec.questions_of("output")[0].answer == "'000ab'"
    with pytest.raises(ValueError, match="unknown question kinds"):
        rec.questions_of("trace")


def test_answers_accept_lists_and_store_tuples():
    q = Question(kind="output", answers=["1", "1.0"])
    assert q.answers == ("1", "1.0")
    assert q.to_dict()["answers"] == ["1", "1.0"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "trace", "answers": ["x"]}, ValueError, "must be one of"),
        ({"kind": "output", "answers": "x"}, TypeError, "list of strings"),
        ({"kind": "output", "answers": []}, ValueError, "non-empty"),
        ({"kind": "output", "answers": [1]}, ValueError, "non-empty list of strings"),
        ({"kind": "state", "answers": ["1; int"], "line": 2, "hit": 1}, ValueError, "needs var"),
        ({"kind": "state", "answers": ["Nil"], "line": 2, "var": "x"}, ValueError, "needs hit"),
        ({"kind": "next_statement", "answers": ["-1"], "hit": 1}, ValueError, "needs line"),
        ({"kind": "next_statement", "answers": ["-1"], "line": 0, "hit": 1}, ValueError,
         "line >= 1"),
        ({"kind": "coverage", "answers": ["No"], "line": 3, "hit": 2}, ValueError,
         "hit must be None"),
        ({"kind": "output", "answers": ["1"], "line": 3}, ValueError, "has no line"),
        ({"kind": "path", "answers": ["2"], "line": 1, "var": "x"}, ValueError,
         "only state questions"),
        ({"kind": "state", "answers": ["1; int"], "line": True, "hit": 1, "var": "x"},
         ValueError, "line >= 1"),
    ],
)
def test_question_validation(kwargs, error, message):
    with pytest.raises(error, match=message):
        Question(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": ""}, "Record.id"),
        ({"entry": "f(x)"}, "Record.entry"),
        ({"level": -1}, "Record.level"),
        ({"level": "3"}, "Record.level"),
        ({"source": ""}, "Record.source"),
    ],
)
def test_record_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        record(**kwargs)


def test_from_dict_rejects_unknown_and_missing_keys():
    data = record().to_dict()
    with pytest.raises(ValueError, match="unknown keys \\['extra'\\]"):
        Record.from_dict({**data, "extra": 1})
    with pytest.raises(ValueError, match="missing keys \\['output'\\]"):
        Record.from_dict({k: v for k, v in data.items() if k != "output"})
    bad_q = {**data, "questions": [{"kind": "output", "answers": ["1"], "hint": "x"}]}
    with pytest.raises(ValueError, match="unknown keys \\['hint'\\]"):
        Record.from_dict(bad_q)


def test_question_dicts_inside_a_record_are_converted():
    rec = record(questions=[{"kind": "coverage", "line": 2, "answers": ["Yes"]}])
    assert rec.questions == (Question(kind="coverage", line=2, answers=("Yes",)),)


def test_every_kind_is_listed_once():
    assert len(set(QUESTION_KINDS)) == len(QUESTION_KINDS) == 6
