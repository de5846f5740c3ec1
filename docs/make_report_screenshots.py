"""Take the screenshots shown in docs/reports.md: two report pages as headless Chromium draws them.

    python docs/make_report_screenshots.py [OUTPUT_DIR]

Writes to OUTPUT_DIR (default: docs/img/report beside this script):

* ``derbyshire-2016.png``: the top of the report on examples/profiles/derbyshire-2016.yaml;
* ``watchlist-east-midlands-2026.png``: the top of the index page of the East Midlands watch
  list for 2026.

Needs the report extra and Debian's ``chromium``. After a change to the rules or the templates,
run it with no argument and commit the new images.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import earlywarning as ew
from earlywarning.io import read_profiles

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "examples" / "profiles" / "derbyshire-2016.yaml"
WIDTH, HEIGHT = 1200, 1500

# the flags the browser tests launch Chromium with on a closed network, and this window
sys.path.insert(0, str(ROOT / "tests"))
from chromium import CLOSED_NETWORK  # noqa: E402  (found through the path just added)

FLAGS = (*CLOSED_NETWORK, f"--window-size={WIDTH},{HEIGHT}")


def screenshot(page: Path, png: Path) -> None:
    """Draw ``page`` in a fresh headless Chromium and save the window as ``png``."""
    binary = shutil.which("chromium")
    if binary is None:
        raise SystemExit("chromium is not installed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="ew-chromium-") as profile:
        subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}", page.as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    profile = read_profiles(PROFILE).iloc[0].to_dict()
    council = ew.report(profile=profile, origin="From examples/profiles/derbyshire-2016.yaml.")
    index = ew.watchlist_report(2026, region="East Midlands")
    with tempfile.TemporaryDirectory() as folder:
        pages = {
            "derbyshire-2016": council.write(Path(folder) / "derbyshire-2016.html"),
            "watchlist-east-midlands-2026": Path(folder) / "index.html",
        }
        pages["watchlist-east-midlands-2026"].write_text(index.to_html(), encoding="utf-8")
        for name, page in pages.items():
            screenshot(page, out / f"{name}.png")
            print(f"wrote {out / name}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "img" / "report")
