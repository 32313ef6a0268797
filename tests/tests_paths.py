"""What the tests share besides fixtures: the project's paths and an edit to a copy of the data."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def remove_code(data_dir: Path, file: str, code: str) -> None:
    """Delete a code's entry (the last in its file) and every reference to it."""
    for path in data_dir.glob("*.toml"):
        path.write_text(path.read_text("utf-8").replace(f'"{code}", ', "").replace(f', "{code}"', "")
                        .replace(f'"{code}"]', "]"), "utf-8")
    text = (data_dir / file).read_text("utf-8")
    (data_dir / file).write_text(text[:text.index(f'[[codes]]\ncode = "{code}"')], "utf-8")
