"""The CPU demo, the project's main job: ``execverify demo``.

On a laptop-class CPU and the built-in SmolLM2-135M-Instruct it runs the whole method small:
synthesise level 1-2 programs, evaluate the model on a held-out synthetic split and a CRUXEval-O
subset, warm it up on trace-grounded reasoning, run stage-1 GRPO, evaluate again, and write a
before/after table with standard errors and plots. Every phase resumes after a kill.
"""

from execverify.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo"]
