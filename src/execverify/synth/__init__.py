"""Program synthesis at controlled difficulty (ExecVerify; docs/design.md, "The method").

The built-in generator needs no model: :func:`generate` builds a program from a seed method of
the catalogue and the constraint knobs of a level, and synthesises literal inputs for it::

    import random
    from execverify.synth import generate, Knobs
    program = generate(4, random.Random(0))            # level 4
    program = generate(Knobs(control_depth=2, helper_call=True), random.Random(0))
    print(program.source, program.call)

How it is put together, in the order a program is made:

- :mod:`~execverify.synth.levels`: the knobs and the six levels;
- :mod:`~execverify.synth.catalogue`: the seed methods, typed (:mod:`~execverify.synth.types`),
  their length rules and effects checked at parse time against the enums and dispatch tables of
  :mod:`~execverify.synth.rules`;
- :mod:`~execverify.synth.builder` with :mod:`~execverify.synth.seeding` (the seed's nested
  calls, :mod:`~execverify.synth.nesting`) and :mod:`~execverify.synth.control` (the if / for /
  while chain), over typed expressions (:mod:`~execverify.synth.exprs`) and the updates that
  keep every value used (:mod:`~execverify.synth.updates`);
- :mod:`~execverify.synth.inputs`: the call's literal arguments;
- :mod:`~execverify.synth.filters` (static checks, dedup keys, the literal round-trip),
  :mod:`~execverify.synth.decontam` (benchmark overlap) and :mod:`~execverify.synth.features`
  (the constraints measured back from the source).

Importing this package is cheap: the catalogue is parsed on first use.
"""

from execverify.synth.generate import Program, generate
from execverify.synth.levels import CONTROL_KINDS, LEVELS, Knobs, knobs_for

__all__ = ["CONTROL_KINDS", "LEVELS", "Knobs", "Program", "generate", "knobs_for"]
