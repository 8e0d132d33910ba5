"""The Dockerfile's install steps without a Docker engine: build the wheel from exactly what the
Dockerfile's build stage copies, install it into a clean venv, and run the installed command
(this also proves package data, the demo feeds and the board catalogue, is in the wheel)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support.shared import REPO


def build_context(target: Path) -> Path:
    """What `docker build` would have in its build stage: the paths its COPY lines name (before
    the second FROM), copied from the repository as the Dockerfile places them."""
    target.mkdir()
    lines = (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines()
    stages = [index for index, line in enumerate(lines) if line.startswith("FROM ")]
    for line in lines[stages[0] : stages[1]]:
        if not line.startswith("COPY "):
            continue
        words = shlex.split(line)
        if any(word.startswith("--") for word in words[1:]):
            continue
        *sources, destination = words[1:]
        for source in sources:
            into = target / destination
            placed = into / Path(source).name if destination.endswith("/") else into
            if (REPO / source).is_dir():
                shutil.copytree(REPO / source, placed)
            else:
                placed.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / source, placed)
    return target


@pytest.mark.slow
def test_the_wheel_installs_into_a_clean_venv_and_its_command_works(tmp_path: Path) -> None:
    context = build_context(tmp_path / "context")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(context),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("aggregator-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=600)
    aggregate = str(env_dir / "bin" / "aggregate")

    help_text = subprocess.run([aggregate, "--help"], capture_output=True, text=True, check=True)
    assert "daemon" in help_text.stdout
    validated = subprocess.run(
        [aggregate, "config", "validate", str(REPO / "config.example.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert validated.returncode == 0, validated.stderr
    demo = subprocess.run(
        [aggregate, "demo"], capture_output=True, text=True, check=False, cwd=tmp_path, timeout=120
    )
    assert demo.returncode == 0, demo.stderr
    assert "delivered 3 alert(s)" in demo.stdout
    catalogue = subprocess.run(
        [aggregate, "sources", "list"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert catalogue.returncode == 0, catalogue.stderr
    assert "greenhouse" in catalogue.stdout  # the board catalogue shipped inside the wheel
