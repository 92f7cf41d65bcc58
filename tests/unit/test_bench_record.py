"""`--record` appends each run's row under its own bench's table in bench/results.md, whatever
table or paragraph came last (the load rows once landed under the login-timing table)."""

from bench import load, login_timing
from bench.postits import append_row


def test_a_row_goes_under_its_own_table(tmp_path):
    results = tmp_path / "results.md"
    results.write_text("# Results\n", encoding="utf-8")
    append_row(results, "load", load.RECORD_HEADER, "| a1 |\n")
    append_row(results, "load", load.RECORD_HEADER, "| a2 |\n")
    append_row(results, "login", login_timing.RECORD_HEADER, "| b1 |\n")
    append_row(results, "load", load.RECORD_HEADER, "| a3 |\n")
    results.write_text(results.read_text(encoding="utf-8") + "\nWhat the rows say.\n", encoding="utf-8")
    append_row(results, "load", load.RECORD_HEADER, "| a4 |\n")
    sections = results.read_text(encoding="utf-8").split("\n## ")[1:]
    assert [s.split("\n")[0] for s in sections] == ["load", "login", "load", "load"]
    assert [[line for line in s.splitlines() if line.startswith("| a") or line.startswith("| b")]
            for s in sections] == [["| a1 |", "| a2 |"], ["| b1 |"], ["| a3 |"], ["| a4 |"]]
    assert all(s.count("| date |") == 1 for s in sections)
