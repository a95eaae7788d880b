"""Static files by content hash with immutable caching, and compression by the app."""

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import brotli
from flask import url_for

from crampcare import static_files
from crampcare.static_files import IMMUTABLE, file_hashes

from .conftest import make_app
from .records import add_checkin, signed_in

PATIENT = "pat@example.com"


def static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_their_content_hash(app, client):
    page = client.get("/").get_data(as_text=True)
    urls = static_urls(page)
    assert any(url.startswith("/static/js/app.js?v=") for url in urls)
    assert any(url.startswith("/static/css/app.css?v=") for url in urls)
    hashes = file_hashes(app.static_folder)
    for url in urls:
        parts = urlsplit(url)
        name = parts.path.removeprefix("/static/")
        assert parse_qs(parts.query)["v"] == [hashes[name]], url


def test_the_current_hash_is_cached_for_a_year_anything_else_revalidates(client):
    page = client.get("/").get_data(as_text=True)
    url = next(u for u in static_urls(page) if u.startswith("/static/css/app.css"))
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
    for other in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab"):
        with client.get(other) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
            assert response.headers.get("ETag")
            etag = response.headers["ETag"]
        with client.get(other, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304


def test_a_changed_file_gets_a_new_url(tmp_path):
    (tmp_path / "js").mkdir()
    module = tmp_path / "js" / "a.js"
    module.write_text("export const a = 1;\n")
    first = file_hashes(tmp_path)["js/a.js"]
    module.write_text("export const a = 2;\n")
    assert file_hashes(tmp_path)["js/a.js"] != first


def import_map_of(page: str) -> str:
    return re.search(r'<script type="importmap">(.*?)</script>', page).group(1)


def test_every_module_imported_by_a_relative_path_is_mapped_to_its_hashed_url(app, client):
    """A module's `import … from "./x.js"` asks for the bare URL; the page's import map
    sends it to the URL with the current hash, which is cached for good."""
    hashes = file_hashes(app.static_folder)
    imported = set()
    for module in Path(app.static_folder, "js").glob("*.js"):
        for name in re.findall(r'from "\./([^"]+)"|import "\./([^"]+)"', module.read_text()):
            imported.add("js/" + "".join(name))
    assert {"js/instants.js", "js/red-flags.js", "js/cues.js"} <= imported
    imports = json.loads(import_map_of(client.get("/").get_data(as_text=True)))["imports"]
    assert imports == {f"/static/{name}": f"/static/{name}?v={hashes[name]}" for name in imported}


def test_relative_imports_are_found_in_every_form_a_module_writes_them(tmp_path):
    (tmp_path / "js" / "lib").mkdir(parents=True)
    for name in ("a.js", "b.js", "c.js", "d.js", "lib/e.js", "lib/f.js"):
        (tmp_path / "js" / name).write_text("export const x = 1;\n")
    (tmp_path / "js" / "main.js").write_text(
        'import "./a.js";\n'
        "import { x } from './b.js';\n"
        'import {\n  x as y,\n} from "./c.js";\n'
        'export { x as z } from "./lib/e.js";\n'
        'export const later = "./d.js"; // a string, not an import\n'
        'const lazy = () => import("./lib/f.js");\n'
        'import { missing } from "./gone.js";\n'
    )
    (tmp_path / "js" / "lib" / "e.js").write_text('import "../a.js";\nexport const e = 1;\n')
    found = static_files.relative_imports(tmp_path)
    assert found == {"js/a.js", "js/b.js", "js/c.js", "js/lib/e.js", "js/lib/f.js"}


def test_the_policy_allows_the_import_map_by_its_hash_and_no_other_hash(client):
    response = client.get("/")
    source = import_map_of(response.get_data(as_text=True))
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    script_src = next(p.split()[1:] for p in policy.split(";") if p.split()[0] == "script-src")
    hashes = [source for source in script_src if source.startswith("'sha256-")]
    assert hashes == [f"'sha256-{digest}'"]


def test_the_precache_asks_for_the_hashed_urls(client):
    source = client.get("/sw.js").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    for url in static_urls(page):
        assert f'"{url}"' in source


def hashed_url(app, filename: str) -> str:
    """The file's URL as the app's pages link it: with the hash of its current bytes."""
    with app.test_request_context():
        return url_for("static", filename=filename)


def fetched(client, url: str, encoding: str):
    """A whole response, its file closed."""
    with client.get(url, headers={"Accept-Encoding": encoding}) as response:
        response.get_data()
        return response


def test_pages_css_and_js_are_compressed_with_brotli_or_gzip(app, client):
    script = hashed_url(app, "js/player.js")
    for url in ("/static/css/app.css", script, "/"):
        plain, br, gz = (
            fetched(client, url, encoding) for encoding in ("identity", "gzip, deflate, br", "gzip")
        )
        body = plain.get_data()
        assert "Content-Encoding" not in plain.headers
        assert (br.headers["Content-Encoding"], gz.headers["Content-Encoding"]) == ("br", "gzip")
        assert "Accept-Encoding" in br.headers["Vary"]
        unpacked = brotli.decompress(br.get_data()), gzip.decompress(gz.get_data())
        if url == "/":  # the page carries a fresh CSRF token each time
            assert all(text.startswith(b"<!doctype html>") for text in unpacked)
        else:
            assert unpacked == (body, body)
        assert len(br.get_data()) < len(body) / 2, url


def test_a_hashed_file_is_compressed_once_for_every_app_of_the_process(app, monkeypatch):
    monkeypatch.setattr(static_files, "COMPRESSED", {})
    compress = static_files._compress
    made = []

    def counted(data: bytes, encoding: str) -> bytes:
        made.append(encoding)
        return compress(data, encoding)

    monkeypatch.setattr(static_files, "_compress", counted)
    url = hashed_url(app, "js/player.js")
    other = make_app(app.config["DATABASE_URL"])
    sent = [fetched(each.test_client(), url, "br") for each in (app, other, app)]
    assert made == ["br"]
    source = (Path(app.static_folder) / "js" / "player.js").read_bytes()
    assert [brotli.decompress(response.get_data()) for response in sent] == [source] * 3
    assert all(response.headers["Content-Encoding"] == "br" for response in sent)


def test_json_is_compressed_and_images_are_not(app, client):
    signed = signed_in(app, PATIENT)
    for n in range(30):
        add_checkin(app, PATIENT, notes=f"note {n}")
    response = signed.get("/api/checkins", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    with client.get("/static/icons/icon-512.png", headers={"Accept-Encoding": "br"}) as image:
        assert "Content-Encoding" not in image.headers


def test_exports_still_stream_uncompressed(app):
    client = signed_in(app, PATIENT)
    add_checkin(app, PATIENT)
    for url in ("/export/me.csv", "/export/me.fhir.json"):
        response = client.get(url, headers={"Accept-Encoding": "gzip, br"}, buffered=False)
        assert response.status_code == 200
        assert response.is_streamed, url
        assert "Content-Encoding" not in response.headers
        assert "Content-Length" not in response.headers
        assert response.get_data()
        response.close()
