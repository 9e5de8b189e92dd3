"""``execverify study``: the method's claim tested in one command. Arms (SFT alone, SFT then
GRPO with the white-box reward, the same GRPO with an output-only reward, and optional
ablations) are trained from one dataset at several seeds, evaluated on the same questions and
compared pairwise with bootstrap intervals and McNemar's test (``execverify.eval.stats``)."""

from execverify.study.run import Study, load_study, run_study

__all__ = ["Study", "load_study", "run_study"]
