"""Writes the one complete C program of wsusdiag-ffi/README.md (its quick start) to a file.

    python3 readme_c.py README.md OUT.c

Used by scripts/test-ffi (gcc, Linux) and scripts/test-windows (mingw, Wine).
"""

import re
import sys

readme, target = sys.argv[1:]
blocks = re.findall(r"^```c\n(.*?)^```", open(readme, encoding="utf-8").read(), flags=re.S | re.M)
program = [b for b in blocks if "int main(" in b]
assert len(program) == 1, "the README must hold one complete C program"
open(target, "w", encoding="utf-8").write(program[0])
