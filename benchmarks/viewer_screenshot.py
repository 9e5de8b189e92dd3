"""Screenshot of the ``execverify view`` page of a run, for the README (docs/viewer.png).

    python benchmarks/viewer_screenshot.py RUN_DIR OUT.png [--select ID] [--width W --height H]

Renders the page for RUN_DIR (any PATH ``execverify view`` reads) into a temporary file, opens
it in Debian's headless chromium through the system chromedriver (/usr/bin/chromedriver, passed
explicitly so Selenium Manager never downloads a browser), selects a problem that has a wrong
answer at a source line (or ``--select ID``), and saves a PNG of the window.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

_PICK = """
const items = JSON.parse(document.getElementById("view-data").textContent).items;
const wanted = arguments[0];
if (wanted !== null) return [items.findIndex((i) => i.id === wanted), items.length];
const best = items.findIndex((i) => i.program && i.hits &&
  i.questions.some((q) => q.line !== null && q.given.some((g) => g[2] === false)) &&
  i.questions.some((q) => q.given.some((g) => g[2] === true)));
return [Math.max(best, 0), items.length];
"""


def screenshot(run_dir: Path, out: Path, select: str | None, width: int, height: int) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from execverify.view import load_view, write_page

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(arg)
    with tempfile.TemporaryDirectory() as tmp:
        page = write_page(load_view(run_dir), Path(tmp) / "view.html")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.get(page.as_uri())
            index, total = driver.execute_script(_PICK, select)
            if index < 0:
                raise SystemExit(f"no problem with id {select!r} in {run_dir}")
            row = f'#list li[data-index="{index}"]'
            while not driver.find_elements(By.CSS_SELECTOR, row):  # the list shows one page
                driver.find_element(By.ID, "next-page").click()
            driver.find_element(By.CSS_SELECTOR, row).click()
            out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(out))
        finally:
            driver.quit()
    print(f"{out}: {run_dir} (problem {index + 1} of {total})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("out", type=Path, metavar="OUT.png")
    parser.add_argument("--select", metavar="ID", help="problem id to show (default: one with a "
                        "wrong answer at a source line)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args(argv)
    screenshot(args.run_dir, args.out, args.select, args.width, args.height)
    return 0


if __name__ == "__main__":
    sys.exit(main())
