"""The numbers in a school's TOML file have a type and a range (issue 11, item 8).

`nan`, `inf`, huge and fractional values used to be accepted and broke sending, closing, the job
runner and the purge. Each is now one sentence naming the key, the line and the file, exit code
2, run as the real command; `schools/example.toml` documents the same ranges.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.processes import antipestbot, one_sentence, succeeded

from bot.schools.config import NUMBERS, load_school

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "schools" / "example.toml"

BAD = {
    "promise_hours = nan": "promise_hours = nan",
    "promise_hours = inf": "promise_hours = inf",
    "promise_hours too small": "promise_hours = 0.1",
    "promise_hours as text": 'promise_hours = "6.5"',
    "reports_per_hour = 0.5": "reports_per_hour = 0.5",
    "reports_per_hour = true": "reports_per_hour = true",
    "followup_days = 1e12": "followup_days = 1e12",
    "followup_days = -inf": "followup_days = -inf",
    "retention_days = 0.5": "retention_days = 0.5",
    "retention_days huge": "retention_days = 99999999999999999",
}


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    path = tmp_path / "cwd"
    path.mkdir()
    return path


def school_file(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "school.toml"
    path.write_text(f'[school]\nname = "De Linde"\n\n{line}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_wrong_number_is_one_sentence_with_its_line(
    case: str, env: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    config = school_file(tmp_path, BAD[case])
    key = BAD[case].split(" ")[0]
    allowed = NUMBERS[key]
    result = antipestbot({**env, "ANTIPEST_CONFIG": str(config)}, cwd, "coordinator", "list")
    one_sentence(
        result.returncode,
        result.stderr,
        f"school.{key} (line 4 of {config})",
        f"from {allowed.low:g} to {allowed.high:g}",
    )
    assert not Path(env["ANTIPEST_DB"]).exists(), "checked before anything is created"


def test_numbers_at_their_bounds_are_accepted(
    env: dict[str, str], cwd: Path, tmp_path: Path
) -> None:
    low = "\n".join(f"{key} = {allowed.low:g}" for key, allowed in NUMBERS.items())
    school = load_school(school_file(tmp_path, low))
    assert (school.promise_hours, school.followup_days) == (0.5, 1)
    high = "\n".join(f"{key} = {allowed.high:g}.0" for key, allowed in NUMBERS.items())
    config = school_file(tmp_path, high)
    school = load_school(config)
    assert isinstance(school.retention_days, int) and school.retention_days == 3650
    succeeded(antipestbot({**env, "ANTIPEST_CONFIG": str(config)}, cwd, "coordinator", "list"))


def test_a_wrong_number_in_a_dotted_key_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "school.toml"
    config.write_text('# De Linde\nschool.name = "De Linde"\nschool.followup_days = 0\n')
    with pytest.raises(ValueError, match=r"school\.followup_days \(line 3 of "):
        load_school(config)


def test_the_example_documents_each_range(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for key, allowed in NUMBERS.items():
        documented = re.search(rf"((?:#.*\n)+){key} = ", text)
        assert documented, key
        assert f"{allowed.low:g} to {allowed.high:g}" in documented.group(1), key
