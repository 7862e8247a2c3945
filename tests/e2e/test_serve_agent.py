"""`aimeter serve` over the store of a node agent (docs/agent.md, docs/web-ui.md): the agent's
session is a run in progress, so /api/live lists it with its latest values and its jobs'
open phases (named "JOB: PHASE", as the agent stores them), and its event stream carries
them; once the agent stops, the run is complete and leaves /api/live. The agent runs under
the fake NVML with its own control socket; nothing depends on timing (every wait is for a
condition, with a generous deadline)."""
import json

from agentproc import DEADLINE, agent, sock_dir, talk, wait_until  # noqa: F401 (fixtures)
from promserver import fetch
from serveproc import serving


def _live(base):
    code, _, body = fetch(base + "/api/live")
    assert code == 200, body
    return json.loads(body)["runs"]


def test_serve_shows_the_agents_run_live(tmp_path, db, agent):
    (tmp_path / "serve").mkdir()
    with serving(db, tmp_path / "serve", timeout=DEADLINE) as base:
        # the agent's session, once its writer has stored the first samples
        wait_until(lambda: any(r["latest"] for r in _live(base)),
                   "the agent's run in /api/live", timeout=DEADLINE)
        (run,) = _live(base)
        assert "gpu0.power" in run["latest"] and run["latest"]["gpu0.power"]["unit"] == "W"
        # a job's phase on the node: open in the agent's run, named after its job
        assert talk(agent.sock, ["job 4711", "phase begin train"]) == ["ok new", "ok"]
        wait_until(lambda: any(p["name"] == "4711: train" for p in _live(base)[0]["phases"]),
                   "the job's phase in /api/live", timeout=DEADLINE)
        # the run's event stream carries the phase too
        code, headers, body = fetch(f"{base}/api/runs/{run['id']}/events?points=10")
        assert code == 200 and "4711: train" in body, body[:2000]
        # the agent stops: its run is complete and no longer live
        assert agent.stop() == 0, agent.err.read_text()
        assert _live(base) == []
