#!/usr/bin/env python3
"""Fails when a file includes a neurodyn header from a layer above its own.

The allowed dependencies are those of ARCHITECTURE.md: each layer may include itself
and the layers listed for it, nothing higher.
"""
import pathlib
import re
import sys

ALLOWED = {
    "core": {"core"},
    "models": {"core", "models"},
    "network": {"core", "models", "network"},
    "engine": {"core", "models", "network", "engine"},
    "record": {"core", "models", "network", "engine", "record"},
    "analysis": {"core", "analysis"},
    "learn": {"core", "models", "network", "engine", "learn"},
    "io": {"core", "models", "network", "engine", "record", "io"},
}
INCLUDE = re.compile(r'#\s*include\s*[<"]neurodyn/(\w+)/')


def main(root: pathlib.Path) -> int:
    problems = []
    checked = 0
    for base in ("include/neurodyn", "src"):
        for path in sorted((root / base).glob("*/**/*")):
            if path.suffix not in {".hpp", ".cpp", ".h"}:
                continue
            layer = path.relative_to(root / base).parts[0]
            allowed = ALLOWED.get(layer)
            if allowed is None:
                problems.append(f"{path}: unknown layer '{layer}'")
                continue
            checked += 1
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = INCLUDE.search(line)
                if match and match.group(1) not in allowed:
                    problems.append(f"{path}:{number}: layer '{layer}' includes '{match.group(1)}'")
    for problem in problems:
        print(problem)
    print(f"checked {checked} files, {len(problems)} upward includes")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
