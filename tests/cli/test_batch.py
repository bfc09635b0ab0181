"""``videofill batch`` (videofill.cli.batch) without Ray: a bad jobs file is one line, exit status 2."""

from videofill import cli


def test_cli_bad_jobs_file_exits_2_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "jobs.csv").write_text("input,masks,colour\na,b,red\n")
    assert cli.main(["batch", str(tmp_path / "jobs.csv"), "-o", str(tmp_path / "out"), "--quiet"]) == 2
    assert not (tmp_path / "out").exists()
    assert capsys.readouterr().err.strip().count("\n") == 0  # one line
