"""A Hugging Face `Trainer` callback: training is measured, its epochs are phases, the
Trainer's logged numbers (loss, learning rate, evaluation metrics) are gauges.

    from aimeter.huggingface import AimeterCallback
    cb = AimeterCallback("finetune", interval="100ms")
    trainer = transformers.Trainer(model=..., args=..., callbacks=[cb])
    trainer.train()
    print(cb.summary.phases)          # "epoch 1", "epoch 2", ...

`import aimeter.huggingface` does not import transformers; reading `AimeterCallback` does
(the class derives from transformers.TrainerCallback) and raises ImportError without it.

Events used, as transformers documents TrainerCallback (each called with args, state,
control and keyword arguments): on_train_begin (start measuring, unless a tracker is given or
already running), on_epoch_begin/on_epoch_end (phase "epoch N", N = the number of epochs
completed before it, from state.epoch, plus 1), on_step_end (a `steps` count, and `samples`
when samples_per_step is given), on_log (numeric logs as gauges: loss -> `loss`,
learning_rate -> `learning_rate`, ...), on_evaluate (a marker "evaluate", metrics as
gauges), on_train_end (stop; the Summary is `summary`). The Trainer has no exception event:
when train() raises, the run goes on until the program exits (stored as interrupted) unless
train() is inside `with aimeter.track(...)`, which records it as failed. Written against the
documented interface; not run against a real transformers here.
"""
import math

_CLASS = None
_SKIP_LOGS = ("epoch", "step", "total_flos")


def _base():
    try:
        from transformers import TrainerCallback
    except ImportError:
        raise ImportError("aimeter.huggingface needs transformers; measure with "
                          "`with aimeter.track(...)` around trainer.train() without it") from None
    return TrainerCallback


def _key(name):
    """A Trainer log name as a record key: lower case, other characters as '_', a letter
    first, at most 48 characters; None when nothing is left."""
    text = "".join(c if c in "abcdefghijklmnopqrstuvwxyz0123456789_.-" else "_"
                   for c in str(name).lower())
    text = text.lstrip("_.-0123456789")[:48]
    return text or None


class _Hooks:
    def __init__(self, name=None, *, tracker=None, samples_per_step=None, steps=True,
                 logs=True, **options):
        from ._tracker import Tracker
        if tracker is not None and (name is not None or options):
            raise TypeError("give a tracker, or a name and options for a new one, not both")
        if samples_per_step is not None and (isinstance(samples_per_step, bool) or
                                             not isinstance(samples_per_step, (int, float))):
            raise TypeError("samples_per_step: a number")
        super().__init__()
        Tracker(name, _default_name="hf-trainer", **options)  # bad options fail now
        self._given = tracker
        self._new = (lambda: Tracker(name, _default_name="hf-trainer", **options))
        self.tracker = tracker
        self._owned = False
        self.samples_per_step = samples_per_step
        self.count_steps = bool(steps)
        self.record_logs = bool(logs)
        self.summary = None
        self._epoch = None
        self._epochs_begun = 0

    def _book_ok(self):
        return self.tracker is not None and self.tracker.running

    def _gauges(self, values):
        if not self._book_ok() or not values:
            return
        for name, value in values.items():
            if name in _SKIP_LOGS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            key = _key(name)
            if key is None or not math.isfinite(value):
                continue
            try:
                self.tracker.record(key, value, "gauge")
            except ValueError:
                pass  # e.g. a key the program already records as a counter: keep training

    # -- transformers.TrainerCallback events

    def on_train_begin(self, args, state, control, **kwargs):
        from ._tracker import current
        if self._given is not None:
            self.tracker = self._given
        elif current() is not None:
            self.tracker = current()   # trainer.train() inside `with aimeter.track(...)`
        else:
            self.tracker = self._new()
            self.tracker.start()
            self._owned = True

    def on_epoch_begin(self, args, state, control, **kwargs):
        if self._epoch is not None and self._epoch.open:
            self._epoch.end()
        done = getattr(state, "epoch", None)
        if isinstance(done, (int, float)) and not isinstance(done, bool) and math.isfinite(done):
            # state.epoch: epochs completed, as a float (1.5 when resuming mid-epoch 2)
            n = int(math.floor(done + 1e-6)) + 1
        else:
            n = self._epochs_begun + 1
        self._epochs_begun += 1
        if self._book_ok():
            self._epoch = self.tracker.phase(f"epoch {n}", nest=True)

    def on_step_end(self, args, state, control, **kwargs):
        if not self._book_ok():
            return
        if self.samples_per_step is not None:
            self.tracker.record("samples", self.samples_per_step, "counter")
        if self.count_steps:
            self.tracker.record("steps", 1, "counter")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.record_logs:
            self._gauges(logs)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if self._book_ok():
            self.tracker.mark("evaluate")
        if self.record_logs:
            self._gauges(metrics)

    def on_epoch_end(self, args, state, control, **kwargs):
        if self._epoch is not None and self._epoch.open:
            self._epoch.end()
        self._epoch = None

    def on_train_end(self, args, state, control, **kwargs):
        if self._epoch is not None and self._epoch.open:
            self._epoch.end()
        self._epoch = None
        if self._owned and self.tracker.running:
            self.summary = self.tracker.stop()
        self._owned = False


def _make():
    global _CLASS
    if _CLASS is None:
        _CLASS = type("AimeterCallback", (_Hooks, _base()), {
            "__doc__": "Measures Trainer.train() with aimeter; epochs become phases "
                       "(aimeter.huggingface's docstring).",
            "__module__": __name__,
        })
    return _CLASS


def __getattr__(name):
    if name == "AimeterCallback":
        return _make()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AimeterCallback"]
