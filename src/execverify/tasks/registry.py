"""The task registry: one object per task kind, and the one place that knows them all.

A *task* is what a prompt asks of the model and how the answer is scored: ``combined`` (the
method's white-box prompt), ``output`` and ``input`` (single-question prediction), ``codegen``
(a program checked by unit tests). Export, evaluation, both RL stages, the SFT warm-up and the
three reward adapters go through this registry, so a task's prompt, scoring, best score and
row layout are written once, in its own module::

    from execverify.tasks import get_task
    task = get_task("combined")
    prompt = task.prompt(record)                 # None: the record has nothing to ask
    results = task.score(completions, [task.truth(record)] * len(completions))
    task.best_score(RewardConfig())              # 2.0

Every row a task lays out carries the task by name (``task`` column, verl ``extra_info``,
OpenRLHF ``label``), so no adapter has to guess which scorer a row needs.

Adding a task is one module plus one line: subclass ``Task`` and ``register_task(MyTask())``
(or add ``"name": "module:OBJECT"`` to ``BUILTIN_TASKS`` for one of ours). Built-in tasks are
imported when first asked for, so importing the registry costs nothing.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from execverify.validation import resolve

if TYPE_CHECKING:
    from execverify.rewards.config import RewardConfig
    from execverify.rewards.score import ScoreResult

DATA_SOURCE_PREFIX = "execverify/"
"""verl's ``data_source`` of a task's rows: ``execverify/<task>``."""

__all__ = ["BUILTIN_TASKS", "DATA_SOURCE_PREFIX", "Task", "find_task", "get_task", "register_task", "task_names",
           "unregister_task"]


class Task(ABC):
    """One task kind. Subclasses set ``name`` and implement ``prompt``, ``truth``, ``score``
    and ``best_score``; the rest has defaults that suit most tasks.

    ``item`` is what a row is made from: a ``Record`` for the execution tasks, a problem with
    ``id``, ``prompt`` and ``suite`` for code generation. ``truth`` is the JSON text a reward
    reads back (the record, the test suite), stored in the row's ``truth_column``.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    truth_column: ClassVar[str] = "record"
    """The TRL/HF column holding ``truth(item)`` (``record``, ``test_suite``)."""
    ability: ClassVar[str] = "code_execution"
    """verl's ``ability`` field for this task's rows."""

    @abstractmethod
    def prompt(self, item: Any) -> str | None:
        """The prompt text for ``item``, or None when the item has nothing to ask for it."""

    @abstractmethod
    def truth(self, item: Any) -> str:
        """What the reward reads back for ``item``, as JSON text."""

    @abstractmethod
    def score(self, completions: Sequence[Any], truths: Sequence[Any],
              config: RewardConfig | None = None, *, sandbox: Any = None) -> list[ScoreResult]:
        """One ``ScoreResult`` per completion, each against its truth (JSON text, or the
        parsed object). Never raises on any completion or truth."""

    @abstractmethod
    def best_score(self, config: RewardConfig | None = None) -> float:
        """The score of a perfect completion under ``config``."""

    def correct(self, result: ScoreResult) -> bool:
        """Whether a result counts as right (accuracy in evaluation, ``acc`` in verl's logs):
        by default, every judged part of the answer was right."""
        return result.ok and bool(result.breakdown) and all(q.correct for q in result.breakdown)

    def questions(self, item: Any) -> list[Any]:
        """The questions the prompt asks, in answer order (none for tasks without any)."""
        return []

    def item_id(self, item: Any) -> str:
        return str(item.id)

    def fields(self, item: Any) -> dict[str, Any]:
        """Extra per-row metadata (level, source, ...): TRL columns and verl ``extra_info``."""
        return {}

    def trl_fields(self, item: Any) -> dict[str, Any]:
        """The item's own content as flat columns of a TRL/HF export (after ``fields``)."""
        return {}

    def row(self, item: Any) -> dict[str, Any] | None:
        """The row trainers read: chat ``prompt``, ``task``, ``id`` and the truth column, or
        None when ``item`` has nothing to ask for this task."""
        from execverify.tasks.prompts import as_chat

        prompt = self.prompt(item)
        if prompt is None:
            return None
        return {"prompt": as_chat(prompt), "task": self.name, "id": self.item_id(item),
                self.truth_column: self.truth(item)}

    def with_templates(self, templates: Any) -> Task:
        """This task with its prompts worded by ``templates`` (a ``PromptTemplates``); a task
        whose prompts do not use them (code generation) is itself."""
        return self

    def label(self, row: dict[str, Any]) -> str:
        """The OpenRLHF label of a row: the task by name and its truth, as JSON."""
        return json.dumps({"task": self.name, self.truth_column: row[self.truth_column]},
                          ensure_ascii=False)

    def __repr__(self) -> str:
        return f"<task {self.name!r}>"


BUILTIN_TASKS: dict[str, str] = {
    "combined": "execverify.tasks.execution:COMBINED",
    "output": "execverify.tasks.execution:OUTPUT",
    "input": "execverify.tasks.execution:INPUT",
    "codegen": "execverify.tasks.codegen:CODEGEN",
}
"""Our tasks, name -> ``"module:OBJECT"``, imported when first used."""

_REGISTRY: dict[str, Task | str] = dict(BUILTIN_TASKS)


def register_task(task: Task | str, name: str | None = None, *, replace: bool = False) -> None:
    """Make a task available by name everywhere (export, training, evaluation, rewards).

    ``task`` is a ``Task`` object, or ``"module:OBJECT"`` imported on first use (then give
    ``name``). A name already taken is refused unless ``replace``.
    """
    if isinstance(task, Task):
        key = name or task.name
    elif isinstance(task, str) and ":" in task and name:
        key = name
    else:
        raise TypeError("register_task takes a Task object, or 'module:OBJECT' with name=...; "
                        f"got {task!r}")
    if not isinstance(key, str) or not key or "/" in key:
        raise ValueError(f"a task name must be a non-empty string without '/'; got {key!r}")
    if key in _REGISTRY and not replace:
        raise ValueError(f"task {key!r} is already registered; pass replace=True to swap it")
    _REGISTRY[key] = task


def unregister_task(name: str) -> None:
    """Remove a task added with ``register_task`` (a built-in one comes back as it was)."""
    _REGISTRY.pop(name, None)
    if name in BUILTIN_TASKS:
        _REGISTRY[name] = BUILTIN_TASKS[name]


def task_names() -> tuple[str, ...]:
    """Every registered task name, in registration order."""
    return tuple(_REGISTRY)


def get_task(name: str, templates: Any = None) -> Task:
    """The task called ``name``, its prompts worded by ``templates`` when given (a name from
    ``TEMPLATE_SETS``, like ``compact``, or a ``PromptTemplates``); an unknown name raises
    ``ValueError`` listing the known ones."""
    task = _registered(name)
    if templates is None:
        return task
    from execverify.tasks.prompts import templates_named

    return task.with_templates(templates_named(templates))


def _registered(name: str) -> Task:
    entry = _REGISTRY.get(name) if isinstance(name, str) else None
    if entry is None:
        raise ValueError(f"unknown task {name!r}; use one of {list(_REGISTRY)} (or add one "
                         "with execverify.tasks.register_task)")
    if isinstance(entry, str):
        reference, entry = entry, resolve(entry)
        if not isinstance(entry, Task):
            raise TypeError(f"task {name!r} ({reference}) is not a Task object")
        _REGISTRY[name] = entry
    return entry


def find_task(name: Any) -> Task | None:
    """``get_task`` for a name that may not be one (from a data row): None when unknown."""
    try:
        return get_task(name)
    except (ValueError, TypeError):
        return None
