"""Which process of a multi-process job samples the node.

Launchers (torchrun, SLURM's srun, Open MPI, MPICH/Intel MPI, MVAPICH) start one process per
rank and tell each its rank through the environment. Node devices (CPU packages, DRAM, GPUs)
are shared by every rank on the node, so if every rank sampled them the job's energy would be
counted once per rank. Only local rank 0 samples; the others do not start a sampler.

LOCAL_RANK comes first because it is set by the innermost launcher: torchrun inside an srun
step inherits SLURM_LOCALID=0 in every worker, while LOCAL_RANK tells the workers apart.
"""
import os

# (variable, launcher), most specific first.
LOCAL_RANK_VARS = (
    ("LOCAL_RANK", "torchrun"),
    ("SLURM_LOCALID", "SLURM"),
    ("OMPI_COMM_WORLD_LOCAL_RANK", "Open MPI"),
    ("MPI_LOCALRANKID", "MPICH"),
    ("MV2_COMM_WORLD_LOCAL_RANK", "MVAPICH"),
)
RANK_VARS = ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "MV2_COMM_WORLD_RANK")
WORLD_VARS = ("WORLD_SIZE", "SLURM_NTASKS", "OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE")


def _first_int(names, env):
    for name in names:
        value = env.get(name, "").strip()
        if value:
            try:
                return int(value), name
            except ValueError:
                continue  # a launcher we do not know may reuse the name for something else
    return None, None


class RankInfo:
    """This process's place in a multi-process job (all None for a single process)."""

    __slots__ = ("local_rank", "rank", "world_size", "variable")

    def __init__(self, local_rank=None, rank=None, world_size=None, variable=None):
        self.local_rank, self.rank, self.world_size, self.variable = local_rank, rank, world_size, variable

    @property
    def samples_node(self):
        """True for a plain process and for local rank 0: the one that measures the node."""
        return self.local_rank is None or self.local_rank == 0

    def describe(self):
        if self.local_rank is None:
            return "single process"
        text = f"local rank {self.local_rank} ({self.variable})"
        if self.rank is not None:
            text = f"rank {self.rank}, " + text
        return text

    def to_dict(self):
        return {"local_rank": self.local_rank, "rank": self.rank, "world_size": self.world_size,
                "variable": self.variable}

    def __repr__(self):
        return f"RankInfo({self.describe()})"


def detect(env=None):
    env = os.environ if env is None else env
    local, var = None, None
    for name, _launcher in LOCAL_RANK_VARS:
        local, var = _first_int((name,), env)
        if local is not None:
            break
    rank, _ = _first_int(RANK_VARS, env)
    world, _ = _first_int(WORLD_VARS, env)
    return RankInfo(local, rank, world, var)
