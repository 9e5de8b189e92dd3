"""Hand-checked traces of tricky constructs, on every backend (see conftest.tracer).

Line numbers in the comments of each program are the 1-based lines the trace reports. The
"after line N ran" rule: the state is read when the frame moves on (its next statement, return,
yield or unwind); a call that leaves the frame is waited out.
"""

from __future__ import annotations

import textwrap

LOOP = textwrap.dedent("""\
    def f(n):
        total = 0
        for i in range(n):
            total += i
        return total
""")


def test_loop_and_for_header(tracer):
    t = tracer(LOOP, "3")
    assert t.status == "ok" and t.output == "3" and t.output_type == "int"
    assert t.path() == [2, 3, 4, 3, 4, 3, 4, 3, 5]
    assert t.coverage() == {2, 3, 4, 5}
    assert t.hits(3) == 4 and t.hits(4) == 3 and t.hits(1) == 0
    assert t.next_line(3, 1) == 4
    assert t.next_line(3, 4) == 5          # the exhausted header leaves the loop
    assert t.next_line(5, 1) is None       # execution ended there
    assert t.next_line(3, 5) is None       # never ran a 5th time
    assert t.state_after(3, 1, "i") == ("0", "int")
    assert t.state_after(3, 4, "i") == ("2", "int")  # exhausting the loop leaves i alone
    assert t.state_after(4, 2, "total") == ("1", "int")
    assert t.state_after(4, 4, "total") is None
    assert t.state_after(2, 1, "n") == ("3", "int")  # arguments count as the entry state
    assert t.state_after(2, 1, "i") is None          # not bound yet
    assert [s.hit for s in t.steps] == [1, 1, 1, 2, 2, 3, 3, 4, 1]
    assert {s.func for s in t.steps} == {"f"} and {s.depth for s in t.steps} == {0}
    assert t.steps[0].args == {"n": ("3", "int")}


MULTILINE = textwrap.dedent("""\
    def add(a, b):
        return a + b

    def f(x):
        y = add(
            add(x, 1),
            2)
        return y
""")


def test_multiline_statement_with_nested_helper_calls(tracer):
    t = tracer(MULTILINE, "1")
    assert t.output == "4"
    assert t.path() == [5, 2, 2, 8]        # lines 6 and 7 belong to the statement on line 5
    assert [(s.func, s.depth) for s in t.steps] == [("f", 0), ("add", 1), ("add", 1), ("f", 0)]
    assert t.steps[1].frame != t.steps[2].frame
    assert t.steps[1].args == {"a": ("1", "int"), "b": ("1", "int")}
    assert t.steps[2].args == {"a": ("2", "int"), "b": ("2", "int")}
    assert t.state_after(5, 1, "y") == ("4", "int")  # read when control came back to f
    assert t.next_line(5, 1) == 2 and t.next_line(2, 2) == 8
    assert t.hits(6) == 0


RECURSION = textwrap.dedent("""\
    def fact(n):
        if n <= 1:
            return 1
        return n * fact(n - 1)
""")


def test_recursion(tracer):
    t = tracer(RECURSION, "3", entry="fact")
    assert t.output == "6"
    assert t.path() == [2, 4, 2, 4, 2, 3]
    assert [s.depth for s in t.steps] == [0, 0, 1, 1, 2, 2]
    assert len({s.frame for s in t.steps}) == 3
    assert t.state_after(2, 1, "n") == ("3", "int")
    assert t.state_after(2, 3, "n") == ("1", "int")  # the state of the third activation
    assert t.next_line(3, 1) is None


COMPREHENSIONS = textwrap.dedent("""\
    def f(xs):
        ys = [x * 2 for x in xs]
        x = 10
        zs = {k: v
              for k, v in zip(xs, ys)
              if v > 2}
        total = sum(y for y in ys)
        return ys, zs, total, x
""")


def test_comprehensions_fold_into_their_line(tracer):
    t = tracer(COMPREHENSIONS, "[1, 2, 3]")
    assert t.output == "([2, 4, 6], {2: 4, 3: 6}, 12, 10)"
    assert t.path() == [2, 3, 4, 7, 8]
    assert {s.func for s in t.steps} == {"f"}  # no <listcomp>/<genexpr> steps on any version
    assert t.changed_vars(2, 1) == {"ys": ("[2, 4, 6]", "list")}  # x does not leak
    assert t.changed_vars(4, 1) == {"zs": ("{2: 4, 3: 6}", "dict")}  # neither do k, v
    assert t.state_after(4, 1, "x") == ("10", "int")
    assert t.state_after(7, 1, "total") == ("12", "int")


KEY_LAMBDA = textwrap.dedent("""\
    def f(words):
        ranked = sorted(words,
                        key=lambda w: (-len(w), w))
        return ranked
""")


def test_lambda_called_by_a_builtin_is_a_helper_frame(tracer):
    t = tracer(KEY_LAMBDA, "['bb', 'a', 'ccc']")
    assert t.output == "['ccc', 'bb', 'a']"
    assert t.path() == [2, 2, 2, 2, 4]     # the lambda body is part of the statement's lines
    assert [s.func for s in t.steps] == ["f", "<lambda>", "<lambda>", "<lambda>", "f"]
    assert [s.depth for s in t.steps] == [0, 1, 1, 1, 0]
    assert t.hits(2) == 4
    assert t.state_after(2, 1, "ranked") == ("['ccc', 'bb', 'a']", "list")


GENERATOR = textwrap.dedent("""\
    def gen(n):
        for i in range(n):
            yield i * 10

    def f(n):
        g = gen(n)
        a = next(g)
        rest = list(g)
        return a, rest
""")


def test_generator_suspends_and_resumes(tracer):
    t = tracer(GENERATOR, "2")
    assert t.output == "(0, [10])"
    assert t.path() == [6, 7, 2, 3, 8, 2, 3, 2, 9]
    gen_steps = [s for s in t.steps if s.func == "gen"]
    assert len({s.frame for s in gen_steps}) == 1   # one activation across resumptions
    assert {s.depth for s in gen_steps} == {1}
    assert t.next_line(3, 1) == 8          # a yield hands control back to the caller
    assert t.next_line(3, 2) == 2
    assert t.state_after(2, 2, "i") == ("1", "int")
    assert t.state_after(7, 1, "a") == ("0", "int")
    assert t.state_after(8, 1, "rest") == ("[10]", "list")


SEND = textwrap.dedent("""\
    def acc():
        total = 0
        while True:
            got = yield total
            total += got

    def f(xs):
        g = acc()
        next(g)
        for x in xs:
            last = g.send(x)
        return last
""")


def test_generator_send_binds_on_resume(tracer):
    t = tracer(SEND, "[1, 2]")
    assert t.output == "3"
    # `got = yield total` binds got only when resumed: the yield line's state comes then.
    assert t.state_after(4, 1, "got") == ("1", "int")
    assert t.state_after(4, 2, "got") == ("2", "int")
    assert t.hits(4) == 3                  # the third yield is never resumed:
    assert t.state_after(4, 3, "got") == ("2", "int")  # its state is the one it yielded in
    assert t.state_after(5, 2, "total") == ("3", "int")


TRY = textwrap.dedent("""\
    def f(x):
        try:
            y = 10 // x
        except ZeroDivisionError:
            y = -1
        finally:
            x = x + 1
        return y, x
""")


def test_try_except_finally(tracer):
    t = tracer(TRY, "0")
    assert t.output == "(-1, 1)"
    assert t.path() == [2, 3, 4, 5, 7, 8]
    assert t.state_after(3, 1, "y") is None   # the line raised before binding y
    assert t.state_after(5, 1, "y") == ("-1", "int")
    assert t.state_after(7, 1, "x") == ("1", "int")
    t = tracer(TRY, "2")
    assert t.output == "(5, 3)"
    assert t.path() == [2, 3, 7, 8]
    assert t.next_line(3, 1) == 7


ESCAPING = textwrap.dedent("""\
    def g(d, k):
        return d[k]

    def f(d):
        v = g(d, "a")
        w = g(d, "b")
        return v + w
""")


def test_exception_escaping_the_entry(tracer):
    t = tracer(ESCAPING, "{'a': 1}")
    assert t.status == "error"
    assert t.error == "KeyError: 'b'" and t.output == t.error and t.output_type is None
    assert t.path() == [5, 2, 6, 2]
    assert t.state_after(5, 1, "v") == ("1", "int")
    assert t.state_after(6, 1, "w") is None
    assert t.next_line(2, 2) is None


WHILE_ELSE = textwrap.dedent("""\
    def f(xs):
        i = 0
        while i < len(xs):
            if xs[i] < 0:
                break
            i += 1
        else:
            return -1
        return i
""")


def test_while_else_break_and_early_return(tracer):
    t = tracer(WHILE_ELSE, "[1, -2, 3]")
    assert t.output == "1"
    assert t.path() == [2, 3, 4, 6, 3, 4, 5, 9]
    assert t.next_line(5, 1) == 9
    t = tracer(WHILE_ELSE, "[1]")
    assert t.output == "-1"
    assert t.path() == [2, 3, 4, 6, 3, 8]
    assert t.next_line(3, 2) == 8 and t.next_line(8, 1) is None
    assert t.state_after(6, 1, "i") == ("1", "int")


CONTINUE = textwrap.dedent("""\
    def f(n):
        odd = []
        for i in range(n):
            if i % 2 == 0:
                continue
            odd.append(i)
        return odd
""")


def test_continue(tracer):
    t = tracer(CONTINUE, "4")
    assert t.path() == [2, 3, 4, 5, 3, 4, 6, 3, 4, 5, 3, 4, 6, 3, 7]
    assert t.hits(5) == 2 and t.next_line(5, 1) == 3
    assert t.state_after(6, 2, "odd") == ("[1, 3]", "list")
    assert t.changed_vars(4, 1) == {}     # a line that runs but changes nothing


ALIASING = textwrap.dedent("""\
    def push(lst, v):
        lst.append(v)

    def f(s):
        a = [1]
        b = a
        push(b, 0.1 + 0.2)
        b = a
        t = s + "'" + "\\n"
        u = {3, 1, 2}
        return a, t, u
""")


def test_aliasing_helper_mutation_and_reprs(tracer):
    t = tracer(ALIASING, "'x'")
    assert t.status == "ok"
    value = ("[1, 0.30000000000000004]", "list")
    assert t.changed_vars(7, 1) == {"a": value, "b": value}  # both names see the mutation
    assert t.state_after(2, 1, "lst") == value              # ... and so does the helper
    assert t.changed_vars(8, 1) == {}                        # rebinding to the same object
    assert t.state_after(9, 1, "t") == ('"x\'\\n"', "str")
    assert t.state_after(10, 1, "u") == ("{1, 2, 3}", "set")
    assert t.output == "([1, 0.30000000000000004], \"x'\\n\", {1, 2, 3})"


REBIND = textwrap.dedent("""\
    def f(n):
        x = 0
        for i in range(n):
            x = str(x) + "a"
            x = len(x)
        del i
        return x
""")


def test_variable_rebound_to_other_types_and_deleted(tracer):
    t = tracer(REBIND, "2")
    assert t.output == "2"
    assert t.state_after(4, 1, "x") == ("'0a'", "str")
    assert t.state_after(5, 1, "x") == ("2", "int")
    assert t.state_after(4, 2, "x") == ("'2a'", "str")
    assert t.changed_vars(6, 1) == {"i": None}
    assert t.state_after(6, 1, "i") is None


CLASSES = textwrap.dedent("""\
    class P:
        def __init__(self, v):
            self.v = v

        def __repr__(self):
            return f"P({self.v})"

    def f(n):
        p = P(n)
        p.v += 1
        return p
""")


def test_program_classes_and_their_reprs(tracer):
    t = tracer(CLASSES, "2")
    assert t.output == "P(3)" and t.output_type == "P"
    # the tracer's own repr calls are not traced: only __init__ appears as a helper
    assert [s.func for s in t.steps] == ["f", "__init__", "f", "f"]
    assert t.state_after(9, 1, "p") == ("P(2)", "P")
    assert t.state_after(10, 1, "p") == ("P(3)", "P")
    assert t.steps[1].args["self"][1] == "P"  # its repr fails before v is set: still a value


def test_keyword_arguments_and_stdout(tracer):
    t = tracer("def f(a, b=2, *rest, **kw):\n    print(a, b)\n    return a, b, rest, kw\n",
               "1, 3, 4, z=5")
    assert t.output == "(1, 3, (4,), {'z': 5})"
    assert t.stdout == "1 3\n"
    assert t.steps[0].args == {"a": ("1", "int"), "b": ("3", "int"), "rest": ("(4,)", "tuple"),
                               "kw": ("{'z': 5}", "dict")}


def test_repr_cap_marks_truncated_values(tracer):
    t = tracer("def f(n):\n    s = 'ab' * n\n    return len(s)\n", "100", max_repr=10)
    step = t.step_at(2, 1)
    assert step.changes["s"] == ("'ababababa...", "str")
    assert "s" in step.truncated
    assert t.output == "200"


def test_bad_entry_and_arguments_are_errors(tracer):
    t = tracer("def f(x):\n    return x\n", "1", entry="g")
    assert t.status == "error" and "NameError" in t.error and t.steps == []
    t = tracer("def f(x):\n    return x\n", "1 +")
    assert t.status == "error" and t.error.startswith("SyntaxError")
    t = tracer("def f(x)\n    return x\n", "1")
    assert t.status == "error" and t.error.startswith("SyntaxError")


def test_step_limit_stops_a_long_loop(tracer):
    src = "def f(x):\n    while True:\n        x += 1\n"
    t = tracer(src, "0", max_steps=100)
    assert t.status == "step_limit" and len(t.steps) == 100
    assert t.error == t.output and "100" in t.error


def test_step_limit_stops_a_loop_on_one_line(tracer):
    t = tracer("def f(x):\n    while True: pass\n", "0", max_steps=100)
    assert t.status == "step_limit"


def test_step_limit_survives_a_program_that_catches_everything(tracer):
    src = textwrap.dedent("""\
        def f(n):
            while True:
                try:
                    n += 1
                except BaseException:
                    pass
    """)
    t = tracer(src, "0", max_steps=200)
    assert t.status == "step_limit"


def test_size_limit(tracer):
    src = "def f(n):\n    s = ''\n    for i in range(n):\n        s += 'x' * 1000\n"
    t = tracer(src, "1000", max_bytes=20_000, max_repr=5000)
    assert t.status == "size_limit" and "bytes" in t.error


THREADS = textwrap.dedent("""\
    import threading

    def work(out):
        for i in range(3):
            out.append(i)

    def f(n):
        out = []
        t = threading.Thread(target=work, args=(out,))
        t.start()
        t.join()
        return len(out) + n
""")


def test_other_threads_are_not_recorded(tracer):
    t = tracer(THREADS, "1")
    assert t.output == "4"
    assert {s.func for s in t.steps} == {"f"}
    assert t.path() == [8, 9, 10, 11, 12]


DEEP = textwrap.dedent("""\
    def r(n):
        if n == 0:
            return 0
        return 1 + r(n - 1)

    def f(n):
        try:
            return r(n)
        except RecursionError:
            return "too deep"
""")


def test_recursion_past_the_limit_is_the_programs_error(tracer):
    t = tracer(DEEP, "5000")
    assert t.status == "ok" and t.output == "'too deep'"
    assert t.hits(4) > 900


CLOSED = textwrap.dedent("""\
    def gen():
        try:
            yield 1
            yield 2
        finally:
            done = True

    def f():
        g = gen()
        first = next(g)
        g = None
        return first
""")


def test_generator_clean_up_is_not_recorded(tracer):
    t = tracer(CLOSED, "")
    assert t.output == "1"
    assert t.path() == [9, 10, 2, 3, 11, 12]   # no steps for the finally block


def test_arguments_must_be_an_argument_list(tracer):
    t = tracer("def f(*a):\n    return a\n", "1), (2")
    assert t.status == "error" and t.error.startswith("SyntaxError")
    t = tracer("def f(*a):\n    return a\n", "1, [2]  # trailing comment")
    assert t.output == "(1, [2])"


def test_annotations_are_evaluated_as_python_does(tracer):
    # the recorder module's `from __future__ import annotations` must not reach the program
    t = tracer("def f(x: int) -> dict:\n    return str(f.__annotations__)\n", "1")
    assert t.output == repr("{'x': <class 'int'>, 'return': <class 'dict'>}")
