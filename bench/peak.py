"""Run `manage.py ARGS` and write the process's peak resident set size (kB, VmHWM) to REPORT:

    python bench/peak.py REPORT ARGS...

The kernel's own figure for a child (ru_maxrss from wait4) will not do: it includes the size of the parent
at the fork. The export step and tests/test_export_memory.py measure `export_claims` with it.
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
report, sys.argv = sys.argv[1], ["manage.py", *sys.argv[2:]]
try:
    runpy.run_path(str(ROOT / "manage.py"), run_name="__main__")
finally:
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
