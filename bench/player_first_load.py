"""Print the player's first-load size, gzip-compressed, against its 60 KB budget.

Run: .venv/bin/python bench/player_first_load.py
"""

import gzip
import posixpath
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crampcare import PROJECT_ROOT, create_app  # noqa: E402
from crampcare.extensions import db  # noqa: E402
from crampcare.routine_library import LIBRARY  # noqa: E402
from crampcare.seed import seed_routines  # noqa: E402
from crampcare.static_files import RELATIVE_IMPORT  # noqa: E402

BUDGET = 60 * 1024
ASSET = re.compile(r'(?:src|href|data-src)="(/static/[^"]+)"')


def with_imports(path: str, files: dict[str, bytes]) -> None:
    """Add this static file and, for a JS module, the modules it imports, to files.

    A file is counted once, whatever its URL: with the content hash the page names it by
    (`?v=…`), or bare, as a module's relative import asks for it.
    """
    file_path = path.split("?")[0]
    if file_path in files:
        return
    files[file_path] = (PROJECT_ROOT / file_path.lstrip("/")).read_bytes()
    if file_path.endswith(".js"):
        folder = file_path.rsplit("/", 1)[0]
        for name in RELATIVE_IMPORT.findall(files[file_path].decode()):
            with_imports(posixpath.normpath(f"{folder}/{name}"), files)


def main() -> None:
    """Measure the largest player page with everything it loads, htmx included."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": "sqlite://"})
    with app.app_context():
        db.create_all()
        seed_routines()
    client = app.test_client()
    pages = {spec.slug: client.get(f"/routines/{spec.slug}/play").data for spec in LIBRARY}
    slug, page = max(pages.items(), key=lambda item: len(gzip.compress(item[1])))
    files = {"page": page}
    for path in sorted(set(ASSET.findall(page.decode()))):
        with_imports(path, files)
    # htmx comes from the CDN, or from our copy (the fallback's data-src) when the CDN
    # fails: one or the other, the same bytes, counted once.
    with_imports(f"/static/vendor/htmx-{app.config['HTMX_VERSION']}.min.js", files)
    total = 0
    print(f"player of {slug}")
    for name, body in files.items():
        size = len(gzip.compress(body))
        total += size
        print(f"  {name:40} {len(body):7,d} B  {size:6,d} B gzip")
    print(f"first load: {total:,d} B gzip ({total / 1024:.1f} KB of a {BUDGET // 1024} KB budget)")
    sys.exit(0 if total <= BUDGET else 1)


if __name__ == "__main__":
    main()
