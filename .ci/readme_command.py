"""Print one of the README's set-up commands: 'run' (the first) or 'test' (the second)."""

import re
import sys
from pathlib import Path

blocks = re.findall(r"```sh\n(.*?)\n```", Path("README.md").read_text(encoding="utf-8"), re.S)
which = sys.argv[1] if len(sys.argv) > 1 else "test"
sys.stdout.write(blocks[0 if which == "run" else 1].strip() + "\n")
