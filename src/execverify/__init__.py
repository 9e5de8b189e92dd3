"""execverify: verifiable execution-reasoning rewards for code LLMs (ExecVerify, arXiv 2603.11226).

Importing the package does no work: each subpackage is imported where it is used, so that the
sandbox worker (which imports ``execverify.sandbox``) starts fast and needs only the standard
library, whatever interpreter runs it.
"""

__version__ = "0.1.0"
