"""What every benchmark script shares: Django set up for a script run from the project root
(`.venv/bin/python bench/<name>.py`, so this folder is on the path), and DESIGN §7's scales.

Import it before anything of the project: `from common import SCALES` sets Django up.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaozhang.settings")

import django

django.setup()

# One county (~90 units) and a city of ten counties (DESIGN §7), shared with seed_demo --scale.
from campaigns.demo import SCALES  # noqa: E402, F401 (re-exported for the scripts)
