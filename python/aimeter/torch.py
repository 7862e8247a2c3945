"""A training-loop helper for PyTorch: epochs as phases, steps as records (or markers).

    from aimeter.torch import EpochTracker

    with EpochTracker("train", interval="100ms") as et:
        for epoch in et.epochs(3):                # phases "epoch 1", "epoch 2", "epoch 3"
            for x, y in loader:
                ...
                et.step(n_samples=len(x), loss=loss)
    print(et.summary.phases)                      # energy, power, carbon per epoch

Nothing here imports torch: the package works without it. When torch is already imported
and CUDA is in use, epoch boundaries synchronise the GPU first (sync_cuda=True): kernels run
asynchronously, and without it the end of an epoch would be marked while its last kernels
still run, giving their energy to the next epoch.
"""
import sys

from ._tracker import Tracker, current

_STEPS = (None, "record", "mark")


def _sync_cuda():
    torch = sys.modules.get("torch")   # only if the program imported it: never import it here
    if torch is None:
        return
    try:
        cuda = torch.cuda
        if cuda.is_available() and cuda.is_initialized():
            cuda.synchronize()
    except Exception:
        pass


class EpochTracker:
    """Marks a training loop's epochs as phases of a measurement.

    name, **options: the run's name and options (as aimeter.track); the EpochTracker then
    owns a Tracker, started on entering `with` (or start()) and stopped on leaving it.
    tracker: a Tracker to add to instead (not started or stopped here). With neither options
    nor tracker, a tracker already running in this process (the innermost) is used, so that
    `with aimeter.track(...): with EpochTracker():` adds epochs to the outer measurement.

    prefix: phase names are f"{prefix} {n}" ("epoch 1"); first: the first epoch's number.
    steps: what step() adds besides the counts given to it: "record" (a `steps` counter,
    which gives J per step), "mark" (a marker f"{prefix} {n} step {k}" every mark_every
    steps; the run keeps 10,000 markers) or None.
    sync_cuda: synchronise CUDA at epoch boundaries when torch is imported and CUDA in use.

    The run keeps a row for 64 distinct phase names: with more epochs than that, later
    epochs are not broken down (a warning says so); use a coarser prefix scheme then, e.g.
    begin_epoch() every k epochs.
    """

    def __init__(self, name=None, *, tracker=None, prefix="epoch", first=1, steps="record",
                 mark_every=1, sync_cuda=True, **options):
        if steps not in _STEPS:
            raise ValueError(f"steps={steps!r}: 'record', 'mark' or None")
        if not isinstance(mark_every, int) or isinstance(mark_every, bool) or mark_every < 1:
            raise ValueError(f"mark_every={mark_every!r}: a positive int")
        if not isinstance(prefix, str) or not prefix.strip():
            raise ValueError(f"prefix={prefix!r}: a non-empty string")
        if tracker is not None and (name is not None or options):
            raise TypeError("give a tracker, or a name and options for a new one, not both")
        self._owned = tracker is None and (name is not None or options or current() is None)
        if self._owned:
            self.tracker = Tracker(name, _default_name="train", **options)
        else:
            self.tracker = tracker if tracker is not None else current()
        self.prefix = prefix.strip()
        self.steps = steps
        self.mark_every = mark_every
        self.sync_cuda = sync_cuda
        self.epoch = None          # number of the current (or last) epoch
        self.step_in_epoch = 0
        self.total_steps = 0
        self._next = first
        self._phase = None

    # ---------------------------------------------------------------- measurement

    @property
    def summary(self):
        """The Summary once the owned tracker has stopped (else the tracker's, or None)."""
        return self.tracker.summary

    def start(self):
        if self._owned and not self.tracker.running:
            self.tracker.start()
        return self

    def stop(self):
        """Ends the open epoch and, when the tracker is this EpochTracker's, stops it and
        returns the Summary."""
        self.end_epoch()
        if self._owned:
            return self.tracker.stop()
        return None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.end_epoch()
        # After a failure the epoch stays open: the run's report marks it unterminated.
        if self._owned:
            return self.tracker.__exit__(exc_type, exc, tb)
        return False

    # ---------------------------------------------------------------- epochs

    def begin_epoch(self, number=None):
        """Begins the phase of epoch `number` (default: the next one), ending the previous
        epoch if it is still open. Returns the Phase."""
        self.end_epoch()
        n = self._next if number is None else number
        if self.sync_cuda:
            _sync_cuda()
        # nest=True: an epoch begins inside whatever phase the program has open (a "train"
        # phase) and does not end the program's own phase() sequence.
        self._phase = self.tracker.phase(f"{self.prefix} {n}", nest=True)
        self.epoch = n
        self._next = n + 1 if isinstance(n, int) else self._next + 1
        self.step_in_epoch = 0
        return self._phase

    def end_epoch(self):
        """Ends the current epoch's phase (nothing when none is open)."""
        p, self._phase = self._phase, None
        if p is not None and p.open:
            if self.sync_cuda:
                _sync_cuda()
            p.end()

    def epoch_scope(self, number=None):
        """`with et.epoch_scope():` one epoch, as a Phase context manager."""
        return self.begin_epoch(number)

    def epochs(self, n, first=None):
        """Yields n epoch numbers (from `first`, default the next), each inside its phase.
        Leaving the loop early ends the current epoch, whether by `break` or by an exception
        (a generator cannot tell them apart; the run's status tells a failure)."""
        if first is not None:
            self._next = first
        try:
            for _ in range(n):
                self.begin_epoch()
                yield self.epoch
                self.end_epoch()
        finally:
            self.end_epoch()

    # ---------------------------------------------------------------- steps

    def step(self, n_samples=None, n_tokens=None, loss=None, **records):
        """One training step: n_samples and n_tokens add to the `samples` and `tokens`
        counters (J per sample, J per token), loss is a gauge (a tensor is converted with
        float(), which waits for it), other keywords are records by the key rule; then a
        `steps` count or a marker, as chosen by `steps`."""
        self.step_in_epoch += 1
        self.total_steps += 1
        t = self.tracker
        if n_samples is not None:
            t.record("samples", n_samples, "counter")
        if n_tokens is not None:
            t.record("tokens", n_tokens, "counter")
        if loss is not None:
            t.record("loss", loss, "gauge")
        for key, value in records.items():
            t.record(key, value)
        if self.steps == "record":
            t.record("steps", 1, "counter")
        elif self.steps == "mark" and self.step_in_epoch % self.mark_every == 0:
            where = f"{self.prefix} {self.epoch} " if self.epoch is not None else ""
            t.mark(f"{where}step {self.step_in_epoch}")

    # ---------------------------------------------------------------- the tracker's own

    def phase(self, name, *, nest=False):
        return self.tracker.phase(name, nest=nest)

    def mark(self, text):
        self.tracker.mark(text)

    def record(self, key, value, kind=None):
        self.tracker.record(key, value, kind)

    def __repr__(self):
        return f"<aimeter.torch.EpochTracker epoch {self.epoch} steps {self.total_steps} {self.tracker!r}>"


__all__ = ["EpochTracker"]
