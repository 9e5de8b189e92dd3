"""Dataset records and their storage.

Only the record types are imported here (standard library only); I/O modules that need optional
packages (pyarrow, datasets) are imported from their own modules where used.
"""

from execverify.data.records import QUESTION_KINDS, Question, Record

__all__ = ["QUESTION_KINDS", "Question", "Record"]
