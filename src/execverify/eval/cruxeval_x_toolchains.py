"""How CRUXEval-X's six languages are compiled, run and judged, one ``Toolchain`` each.

The rules follow MultiPL-E's ``evaluation/src/eval_*.py``, which CRUXEval-X's own harness
calls (``eval_string_script``): a check passes when the compiler accepts it and the program
exits 0, with these language-specific rules kept:

- Go: ``go test`` on the file; ``[setup failed]`` / ``[build failed]`` in its stdout is a
  compile error, ``FAIL`` a failed check, anything else a pass (the exit code is not read,
  so a file that does not even parse, reported on stderr only, passes: see
  ``cruxeval_x.never_runs``).
  We pass ``-vet=off``: vet only runs static checks, and without a warm build cache (each
  sandboxed run starts empty) it adds about 3 s to every check;
- C#: ``Debug.Assert`` only reports, so a failed assertion is found in stderr
  (``MONO_TRACE_LISTENER=Console.Error`` sends it there, as MultiPL-E does); the compiler is
  Debian's ``mcs`` with ``-d:DEBUG`` where MultiPL-E calls ``csc /d:DEBUG``;
- PHP: ``PHP Parse error`` is a compile error;
- Java: ``javac``, then ``java -ea`` (assertions on) with the javatuples jar on the class
  path.

Time limits sit at the process boundary: each compile step has ``COMPILE_TIMEOUT_S`` and each
run ``RUN_TIMEOUT_S`` (MultiPL-E's default), enforced by the sandbox's command steps. The JVM,
Go and V8 reserve gigabytes of address space at start, so their address-space limit is large
(``memory_mb``); the JVM heap is capped with ``-Xmx`` instead and uses the serial collector,
which keeps its thread count (and so ``max_processes``) small, and only the quick JIT tier,
which starts faster and computes the same results.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from execverify.sandbox import Limits
from execverify.sandbox.commands import CommandStep, StepOutcome

COMPILE_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 15.0
JAVATUPLES_JARS = ("/usr/share/java/javatuples.jar",)
"""Where Debian's libjavatuples-java puts the jar; $EXECVERIFY_JAVATUPLES is tried first."""

_JVM = ("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")


@dataclass(frozen=True)
class Toolchain:
    """One language: the file a check is written to, the commands that compile and run it,
    what must be installed, and the sandbox limits those commands need.

    ``compile`` and ``run`` are argv templates in which ``{jar}`` is the javatuples jar.
    """

    language: str
    filename: str
    compile: tuple[str, ...]
    run: tuple[str, ...]
    executables: tuple[str, ...]
    debian_packages: tuple[str, ...]
    memory_mb: int = 2048
    max_processes: int = 64
    run_env: tuple[tuple[str, str], ...] = ()

    def missing(self) -> str | None:
        """Why this toolchain cannot run here (a one-line reason), or None when it can."""
        absent = [exe for exe in self.executables if shutil.which(exe) is None]
        if self.language == "java" and javatuples_jar() is None:
            absent.append("javatuples.jar")
        if absent:
            return (f"{', '.join(absent)} not found; install with: apt-get install "
                    f"{' '.join(self.debian_packages)}")
        return None

    def steps(self) -> list[CommandStep]:
        jar = javatuples_jar() or ""
        out = []
        if self.compile:
            out.append(CommandStep(tuple(a.format(jar=jar) for a in self.compile),
                                   COMPILE_TIMEOUT_S))
        run_timeout = RUN_TIMEOUT_S + (COMPILE_TIMEOUT_S if self.language == "go" else 0.0)
        out.append(CommandStep(tuple(a.format(jar=jar) for a in self.run), run_timeout,
                               dict(self.run_env)))
        return out

    def limits(self) -> Limits:
        """The whole job's limits: the step limits are the real ones, this is the backstop."""
        total = sum(s.timeout_s for s in self.steps()) + 10.0
        return Limits(timeout_s=total, memory_mb=self.memory_mb, max_processes=self.max_processes,
                      file_bytes=64 << 20, max_open_files=256)

    def judge(self, outcomes: Sequence[StepOutcome]) -> str:
        """The check's status from the steps that ran: ``pass``, ``fail``, ``compile_error``,
        ``timeout`` or ``crash`` (nothing ran: the sandbox failed)."""
        if not outcomes:
            return "crash"
        last = outcomes[-1]
        if last.timed_out:
            return "timeout"
        if self.compile and len(outcomes) == 1:
            return "compile_error"
        if self.language == "go":
            if "[setup failed]" in last.stdout or "[build failed]" in last.stdout:
                return "compile_error"
            return "fail" if "FAIL" in last.stdout else "pass"
        if self.language == "php" and "PHP Parse error" in last.stdout + last.stderr:
            return "compile_error"
        if self.language == "cs" and "DefaultTraceListener.Fail" in last.stderr:
            return "fail"
        return "pass" if last.exit_code == 0 else "fail"


TOOLCHAINS: dict[str, Toolchain] = {
    "cpp": Toolchain("cpp", "prog.cpp", ("g++", "-std=c++17", "-o", "prog", "prog.cpp"),
                     ("./prog",), ("g++",), ("g++",)),
    "cs": Toolchain("cs", "prog.cs",
                    ("mcs", "-d:DEBUG", "-r:System.Numerics.dll", "-out:prog.exe", "prog.cs"),
                    ("mono", "prog.exe"), ("mcs", "mono"), ("mono-mcs", "mono-runtime"),
                    run_env=(("MONO_TRACE_LISTENER", "Console.Error"),)),
    "go": Toolchain("go", "prog_test.go", (), ("go", "test", "-vet=off", "prog_test.go"),
                    ("go",), ("golang-go",), memory_mb=4096, max_processes=256),
    "java": Toolchain("java", "Problem.java",
                      ("javac", *(f"-J{a}" for a in _JVM), "-encoding", "UTF8", "-cp", "{jar}",
                       "-d", ".", "Problem.java"),
                      ("java", *_JVM, "-ea", "-cp", ".:{jar}", "Problem"),
                      ("javac", "java"), ("default-jdk-headless", "libjavatuples-java"),
                      memory_mb=4096, max_processes=128),
    "js": Toolchain("js", "prog.js", (), ("node", "prog.js"), ("node",), ("nodejs",),
                    memory_mb=4096, max_processes=64),
    "php": Toolchain("php", "prog.php", (), ("php", "prog.php"), ("php",), ("php-cli",)),
}
"""Language code (CRUXEval-X's file names and prompt tag) -> toolchain."""

LANGUAGES: tuple[str, ...] = tuple(sorted(TOOLCHAINS))

BEYOND_TOOLCHAIN: dict[str, frozenset[int]] = {"cs": frozenset({78, 310, 344, 360, 574, 775})}
"""Problems whose own gold program the toolchain here rejects, so no answer can be right:
Debian has no Roslyn (``csc``) and ``mcs`` stops at C# 7, so these six C# programs (index
``^1`` and ranges, newer type inference and scoping rules) fail to compile. They stay in the
benchmark, as in the official data; the self-checks expect exactly these to fail."""


def javatuples_jar() -> str | None:
    """The javatuples jar the Java checks import (``org.javatuples``), if installed."""
    for path in (os.environ.get("EXECVERIFY_JAVATUPLES", ""), *JAVATUPLES_JARS):
        if path and Path(path).is_file():
            return path
    return None
