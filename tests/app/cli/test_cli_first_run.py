"""``kirie --version`` and ``kirie generate --sample``'s argument handling (the generation itself is
covered by tests/inference/test_first_run.py and tests/test_wheel.py)."""

from __future__ import annotations

import argparse

import pytest

import app
from app.cli import generate as cli_generate
from app.cli.main import main
from resources.sample import sample_image


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"kirie {app.__version__}"


@pytest.mark.parametrize("argv", [["generate", "-o", "x.kirie"], ["generate", "img.png", "--sample", "-o", "x.kirie"]])
def test_generate_needs_exactly_one_of_image_and_sample(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "give either IMAGE or --sample" in capsys.readouterr().err


def test_sample_is_the_shipped_image():
    args = argparse.Namespace(image=None, sample=True)
    assert cli_generate._input_image(args) == str(sample_image())
    assert sample_image().is_file() and (sample_image().parent / "README.md").is_file()
    assert cli_generate._input_image(argparse.Namespace(image="a.png", sample=False)) == "a.png"
