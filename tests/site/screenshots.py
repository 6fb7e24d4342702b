"""Screenshots of this repo's site for the README: `python tests/site/screenshots.py`.

Builds the site into a temp folder, serves it on localhost and photographs the tickets index
and the first ticket page with Debian's chromium (through playwright) into docs/img/.
"""

from __future__ import annotations

import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

sys.path.insert(0, str(Path(__file__).parent))
from site_repo import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ROOT = Path(__file__).parents[2]


def main() -> None:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from playwright.sync_api import sync_playwright

    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        build(load_config(str(ROOT / "mkdocs.yml"), site_dir=tmp))
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        first = sorted(p.parent.name for p in Path(tmp, "tickets").glob("*/index.html") if "-" in p.parent.name)[0]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
                page.goto(base + "tickets/")
                page.screenshot(path=str(out / "tickets-index.png"))
                page.goto(base + f"tickets/{first}/")
                page.screenshot(path=str(out / "ticket-page.png"))
                browser.close()
        finally:
            server.shutdown()
    print(f"wrote {out / 'tickets-index.png'} and {out / 'ticket-page.png'} ({first})")


if __name__ == "__main__":
    main()
