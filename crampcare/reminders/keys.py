"""The app's VAPID key pair: from VAPID_PRIVATE_KEY, or made once into the instance folder."""

import base64
import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid_private_key.pem"


def _load(value: str) -> Vapid02:
    if value.lstrip().startswith("-----BEGIN"):
        return Vapid02.from_pem(value.encode())
    # The form web-push tools print: the raw or DER private key, base64url.
    return Vapid02.from_string(private_key=value)


def _create(path: Path) -> None:
    vapid = Vapid02()
    vapid.generate_keys()
    pem = vapid.private_pem()
    # Write privately, then link into place: the first of several workers wins.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def load_or_create(configured: str | None, instance_path: str) -> Vapid02:
    """The configured key, else the one kept in the instance folder (made on first use)."""
    if configured:
        return _load(configured)
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        _create(path)
    return Vapid02.from_pem(path.read_bytes())


def public_key(vapid: Vapid02) -> str:
    """The public key as browsers take it for applicationServerKey: base64url, no padding."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
