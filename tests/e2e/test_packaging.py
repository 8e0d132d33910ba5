"""The Dockerfile's install steps without a Docker engine: build the wheel, install it into a
clean venv, and run the installed command (this also proves package data is in the wheel)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.support.shared import REPO


@pytest.mark.slow
def test_the_wheel_installs_into_a_clean_venv_and_its_command_works(tmp_path: Path) -> None:
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
            str(REPO),
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
