"""Multi-process jobs: only local rank 0 samples the node."""
import pytest

import aimeter
from aimeter import _ranks, monitor


@pytest.mark.parametrize("env, local, rank, world, samples", [
    ({}, None, None, None, True),
    ({"LOCAL_RANK": "0", "RANK": "4", "WORLD_SIZE": "8"}, 0, 4, 8, True),
    ({"LOCAL_RANK": "3", "RANK": "7", "WORLD_SIZE": "8"}, 3, 7, 8, False),
    ({"SLURM_LOCALID": "1", "SLURM_PROCID": "5", "SLURM_NTASKS": "8"}, 1, 5, 8, False),
    # torchrun inside an srun step: every worker inherits SLURM_LOCALID=0; LOCAL_RANK decides
    ({"SLURM_LOCALID": "0", "LOCAL_RANK": "2"}, 2, None, None, False),
    ({"OMPI_COMM_WORLD_LOCAL_RANK": "0", "OMPI_COMM_WORLD_RANK": "2"}, 0, 2, None, True),
    ({"MPI_LOCALRANKID": "1", "PMI_RANK": "1", "PMI_SIZE": "2"}, 1, 1, 2, False),
    ({"LOCAL_RANK": "not-a-number", "SLURM_LOCALID": "0"}, 0, None, None, True),
])
def test_rank_detection(env, local, rank, world, samples):
    info = _ranks.detect(env)
    assert (info.local_rank, info.rank, info.world_size) == (local, rank, world)
    assert info.samples_node is samples


def test_other_ranks_do_not_sample(db, monkeypatch, capsys):
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("RANK", "3")
    t = monitor.start(name="ddp", db=db)
    assert t.running and not t.sampling and t.run_id is None and t.live() is None
    s = monitor.stop()
    assert isinstance(s, aimeter.NotSampled) and isinstance(s, aimeter.Summary)
    assert not s.sampled and s.run_id is None and s.energy_j is None
    assert "local rank 0" in s.reason and "rank 3" in s.reason
    assert s.to_dict()["sampled"] is False and s.to_dict()["rank"]["local_rank"] == 1
    with pytest.raises(RuntimeError, match="no samples here"):
        s.samples()
    import os
    assert not os.path.exists(db)  # no store touched, no sampler started
    assert capsys.readouterr().err == ""  # and nothing printed: rank 0 prints the report


def test_with_block_on_another_rank_still_reraises(db, monkeypatch):
    monkeypatch.setenv("SLURM_LOCALID", "2")
    with pytest.raises(KeyError):
        with aimeter.track(db=db) as t:
            raise KeyError("x")
    assert t.summary.sampled is False


def test_local_rank_zero_samples(db, monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("RANK", "8")
    with aimeter.track(db=db, quiet=True) as t:
        pass
    assert t.sampling and t.summary.sampled and t.summary.status == "completed"
    assert t.summary.rank.rank == 8


def test_all_ranks_overrides(db, monkeypatch):
    monkeypatch.setenv("LOCAL_RANK", "1")
    with aimeter.track(db=db, quiet=True, all_ranks=True) as t:
        pass
    assert t.summary.sampled and t.summary.run_id


def test_gpus_all_overrides_cuda_visible_devices(db, fake_gpus, monkeypatch):
    """What docs/python.md tells rank 0 to do when each rank has its own CUDA_VISIBLE_DEVICES."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-bbbbbbbb")
    with aimeter.track(db=db, quiet=True) as t:
        pass
    assert [d["name"] for d in t.summary.report["devices"] if d["kind"] == "gpu"] == ["gpu1"]
    with aimeter.track(db=db, quiet=True, gpus="all") as t:
        pass
    assert [d["name"] for d in t.summary.report["devices"] if d["kind"] == "gpu"] == ["gpu0", "gpu1"]
