"""Print pip's pinned line, with its sha256 hashes, from a pylock.toml file (PEP 751).

A fresh virtual environment comes with the pip that Python bundles, which may be too old to read
pylock.toml; `make` first installs the locked pip from this line (requirements format, hash-checked),
and that pip installs the lock files. Uses only the standard library (tomllib, Python 3.11+).
"""

import sys
import tomllib


def pip_requirement(lock_path: str) -> str:
    with open(lock_path, "rb") as f:
        packages = tomllib.load(f)["packages"]
    pip = next((p for p in packages if p["name"] == "pip"), None)
    if pip is None:
        raise SystemExit(f"{lock_path}: no pip entry; renew the lock with `make lock`")
    hashes = [w["hashes"]["sha256"] for w in pip.get("wheels", [])]
    if "sdist" in pip:
        hashes.append(pip["sdist"]["hashes"]["sha256"])
    return f"pip=={pip['version']} " + " ".join(f"--hash=sha256:{h}" for h in hashes)


if __name__ == "__main__":
    print(pip_requirement(sys.argv[1]))
