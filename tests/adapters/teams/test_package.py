"""`sopbot teams package`: a zip Teams accepts (manifest fields Teams requires, icons of
the required sizes, the outline icon white on transparent)."""

from __future__ import annotations

import json
import re
import struct
import tomllib
import zipfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.teams.package import PackageError, build_manifest
from bot.cli import app

APP_ID = "6a3f0c1e-0000-4000-8000-00000000b007"
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
HTTPS = re.compile(r"^https://")
LINKS = [
    "--privacy-url",
    "https://nordwind.example/privacy",
    "--terms-url",
    "https://nordwind.example/terms",
]
URLS = {"privacy_url": "https://nordwind.example/privacy", "terms_url": "https://n.example/t"}


def read_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGBA pixels of our (filter 0, RGBA8) PNGs, checking CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = chunks.get(kind, b"") + body
        offset += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color_type) == (8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = 1 + 4 * width
    pixels = [
        tuple(raw[y * stride + 1 + 4 * x : y * stride + 5 + 4 * x])
        for y in range(height)
        for x in range(width)
    ]
    return width, height, pixels


def test_cli_writes_a_package_teams_accepts(tmp_path: Path) -> None:
    out = tmp_path / "pkg" / "sopbot.zip"
    result = CliRunner().invoke(
        app,
        [
            "teams",
            "package",
            "--out",
            str(out),
            "--app-id",
            APP_ID,
            "--domain",
            "sopbot.nordwind.example",
            *LINKS,
        ],
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = read_png(archive.read(manifest["icons"]["color"]))
        outline = read_png(archive.read(manifest["icons"]["outline"]))
    for key in (
        "$schema",
        "manifestVersion",
        "version",
        "id",
        "developer",
        "name",
        "description",
        "icons",
        "accentColor",
        "bots",
        "validDomains",
    ):
        assert key in manifest, key
    assert manifest["manifestVersion"] == "1.16" and SEMVER.match(manifest["version"])
    assert manifest["id"] == APP_ID
    developer = manifest["developer"]
    assert developer["name"] and all(
        HTTPS.match(developer[k]) for k in ("websiteUrl", "privacyUrl", "termsOfUseUrl")
    )
    assert 0 < len(manifest["name"]["short"]) <= 30 and len(manifest["name"]["full"]) <= 100
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert re.match(r"^#[0-9A-F]{6}$", manifest["accentColor"])
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and {"personal", "team"} <= set(bot["scopes"])
    commands = {c["title"] for c in bot["commandLists"][0]["commands"]}
    assert {"queue", "help", "readiness", "report", "interview"} <= commands
    assert manifest["validDomains"] == ["sopbot.nordwind.example"]
    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    assert len({p for p in color[2]}) > 1  # a picture, not a blank square
    assert all(p[3] == 0 or p[:3] == (255, 255, 255) for p in outline[2])  # white on transparent
    assert any(p[3] == 0 for p in outline[2]) and any(p[3] == 255 for p in outline[2])


def test_cli_uses_teams_app_id_and_refuses_a_missing_one(tmp_path: Path) -> None:
    out = tmp_path / "a.zip"
    result = CliRunner().invoke(
        app, ["teams", "package", "--out", str(out), *LINKS], env={"TEAMS_APP_ID": ""}
    )
    assert result.exit_code == 2 and "TEAMS_APP_ID" in result.output and not out.exists()
    result = CliRunner().invoke(
        app, ["teams", "package", "--out", str(out), *LINKS], env={"TEAMS_APP_ID": APP_ID}
    )
    assert result.exit_code == 0 and out.exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"app_id": "not-a-guid", **URLS},
        {"app_id": APP_ID, "website": "http://insecure.example", **URLS},
        {"app_id": APP_ID, "domains": ["https://with-scheme.example/path"], **URLS},
    ],
)
def test_bad_settings_are_named(kwargs: dict) -> None:
    with pytest.raises(PackageError):
        build_manifest(**kwargs)


def domains(count: int) -> list[str]:
    return [f"d{i}.nordwind.example" for i in range(count)]


def test_sixteen_domains_pass_and_seventeen_are_refused() -> None:
    assert build_manifest(app_id=APP_ID, domains=domains(16), **URLS)["validDomains"] == domains(16)
    with pytest.raises(PackageError, match="at most 16 validDomains"):
        build_manifest(app_id=APP_ID, domains=domains(17), **URLS)
    # A repeated domain counts once.
    assert len(build_manifest(app_id=APP_ID, domains=domains(16) * 2, **URLS)["validDomains"]) == 16


@pytest.mark.parametrize(
    ("missing", "option"), [("privacy_url", "--privacy-url"), ("terms_url", "--terms-url")]
)
def test_privacy_and_terms_links_are_required(missing: str, option: str) -> None:
    urls = {**URLS, missing: None}
    with pytest.raises(PackageError, match=f"{option} is required"):
        build_manifest(app_id=APP_ID, **urls)
    with pytest.raises(PackageError, match=f"{option} must be an https"):
        build_manifest(app_id=APP_ID, **{**URLS, missing: "http://plain.example/x"})


def test_version_is_given_or_derived_from_the_project(tmp_path: Path) -> None:
    project = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
    assert build_manifest(app_id=APP_ID, **URLS)["version"] == project["project"]["version"]
    out = tmp_path / "next.zip"
    args = ["teams", "package", "--out", str(out), "--app-id", APP_ID, *LINKS]
    result = CliRunner().invoke(app, [*args, "--version", "1.4.2"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == "1.4.2"
    refused = CliRunner().invoke(app, [*args, "--version", "1.4"])
    assert refused.exit_code == 2 and "--version must be major.minor.patch" in refused.output


def test_cli_refuses_seventeen_domains_and_missing_links(tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    base = ["teams", "package", "--out", str(out), "--app-id", APP_ID]
    many = [arg for d in domains(17) for arg in ("--domain", d)]
    result = CliRunner().invoke(app, [*base, *LINKS, *many])
    assert result.exit_code == 2 and "at most 16" in result.output and not out.exists()
    result = CliRunner().invoke(app, base)
    assert result.exit_code == 2 and "--privacy-url is required" in result.output
