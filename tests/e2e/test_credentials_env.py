"""The providers' keys that aimeter reads from its environment are not handed to the command
it measures, unless --keep-credentials says so (docs/cli.md, docs/decisions.md)."""
import pytest

from conftest import run_aimeter

SECRETS = {"ELECTRICITYMAPS_API_KEY": "em-secret-key-123456",
           "WATTTIME_USERNAME": "wt-user", "WATTTIME_PASSWORD": "wt-password-98765"}


def child_env(db, tmp_path, *options):
    out = tmp_path / "env.txt"
    r = run_aimeter("run", "-q", "--db", db, *options, "--", "sh", "-c", f"env > {out}",
                    env={**SECRETS, "AIMETER_E2E_OTHER": "kept"})
    assert r.returncode == 0, r.stderr
    return dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)


def test_credentials_are_removed_from_the_command_environment(db, tmp_path):
    env = child_env(db, tmp_path)
    for name in SECRETS:
        assert name not in env, f"{name} reached the measured command"
    text = "\n".join(f"{k}={v}" for k, v in env.items())
    for value in SECRETS.values():
        assert value not in text
    assert env["AIMETER_E2E_OTHER"] == "kept", "the rest of the environment is the command's"
    assert "AIMETER_CONTROL" in env


def test_keep_credentials_passes_them_on(db, tmp_path):
    env = child_env(db, tmp_path, "--keep-credentials")
    for name, value in SECRETS.items():
        assert env[name] == value


@pytest.mark.parametrize("variable", sorted(SECRETS))
def test_each_variable_alone(db, tmp_path, variable):
    out = tmp_path / "env.txt"
    r = run_aimeter("run", "-q", "--db", db, "--", "sh", "-c", f"env > {out}",
                    env={variable: "x-secret"})
    assert r.returncode == 0, r.stderr
    assert f"{variable}=" not in out.read_text()
