"""A PyTorch Lightning callback: the fit is measured, its epochs are phases.

    from aimeter.lightning import AimeterCallback
    cb = AimeterCallback("finetune", interval="100ms")
    trainer = lightning.pytorch.Trainer(callbacks=[cb], max_epochs=3)
    trainer.fit(model, data)
    print(cb.summary.phases)          # "sanity check", "epoch 1", "validation", ...

`import aimeter.lightning` does not import Lightning; reading `AimeterCallback` does (the
class derives from Lightning's Callback: `lightning.pytorch` first, then the older
`pytorch_lightning`) and raises ImportError when neither is installed.

Hooks used, as Lightning documents them (lightning.pytorch.callbacks.Callback):
on_fit_start (start measuring, unless a tracker is given or already running),
on_sanity_check_start/end (phase "sanity check"), on_train_epoch_start/end (phase
"epoch N", N = trainer.current_epoch + 1), on_validation_epoch_start/end (phase
"validation", nested in the epoch when validation runs inside it), on_train_batch_end (a
`steps` count, and `samples` when samples_per_step is given), on_exception (stop as failed
or interrupted), on_fit_end (stop; the Summary is `summary`), teardown (stop if still
running). Written against the documented interface; not run against a real Lightning here.
"""
_CLASS = None


def _base():
    try:
        from lightning.pytorch.callbacks import Callback
    except ImportError:
        try:
            from pytorch_lightning.callbacks import Callback
        except ImportError:
            raise ImportError("aimeter.lightning needs PyTorch Lightning (`lightning` or "
                              "`pytorch_lightning`); measure with `with aimeter.track(...)` "
                              "around trainer.fit() without it") from None
    return Callback


class _Hooks:
    """The callback's behaviour, independent of Lightning's base class."""

    def __init__(self, name=None, *, tracker=None, samples_per_step=None, steps=True,
                 **options):
        from ._tracker import Tracker
        if tracker is not None and (name is not None or options):
            raise TypeError("give a tracker, or a name and options for a new one, not both")
        if samples_per_step is not None and (isinstance(samples_per_step, bool) or
                                             not isinstance(samples_per_step, (int, float))):
            raise TypeError("samples_per_step: a number")
        super().__init__()
        self._given = tracker
        self._new = (lambda: Tracker(name, _default_name="lightning", **options))
        Tracker(name, _default_name="lightning", **options)  # bad options fail now
        self.tracker = tracker
        self._owned = False
        self.samples_per_step = samples_per_step
        self.count_steps = bool(steps)
        self.summary = None
        self._epoch = None
        self._validation = None
        self._sanity = None

    # -- helpers

    def _book_ok(self):
        return self.tracker is not None and self.tracker.running

    def _begin(self, name):
        if self._book_ok():
            return self.tracker.phase(name, nest=True)
        return None

    @staticmethod
    def _end(p):
        if p is not None and p.open:
            p.end()

    def _stop(self, status=None, exc=None):
        self._end(self._validation)
        self._end(self._sanity)
        if exc is None:
            self._end(self._epoch)
        if self._owned and self.tracker is not None and self.tracker.running:
            if exc is None:
                self.summary = self.tracker.stop()
            else:
                self.tracker.__exit__(type(exc), exc, None)
                self.summary = self.tracker.summary
        self._owned = False

    # -- Lightning's hooks (lightning.pytorch.callbacks.Callback)

    def on_fit_start(self, trainer, pl_module):
        from ._tracker import current
        if self._given is not None:
            self.tracker = self._given
        elif current() is not None:
            self.tracker = current()   # trainer.fit() inside `with aimeter.track(...)`
        else:
            self.tracker = self._new()
            self.tracker.start()
            self._owned = True

    def on_sanity_check_start(self, trainer, pl_module):
        self._sanity = self._begin("sanity check")

    def on_sanity_check_end(self, trainer, pl_module):
        self._end(self._sanity)
        self._sanity = None

    def on_train_epoch_start(self, trainer, pl_module):
        self._end(self._epoch)
        epoch = getattr(trainer, "current_epoch", None)
        self._epoch = self._begin(f"epoch {epoch + 1}" if isinstance(epoch, int) else "epoch")

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if not self._book_ok():
            return
        if self.samples_per_step is not None:
            self.tracker.record("samples", self.samples_per_step, "counter")
        if self.count_steps:
            self.tracker.record("steps", 1, "counter")

    def on_validation_epoch_start(self, trainer, pl_module):
        if getattr(trainer, "sanity_checking", False):
            return  # inside the "sanity check" phase
        self._validation = self._begin("validation")

    def on_validation_epoch_end(self, trainer, pl_module):
        self._end(self._validation)
        self._validation = None

    def on_train_epoch_end(self, trainer, pl_module):
        self._end(self._epoch)
        self._epoch = None

    def on_exception(self, trainer, pl_module, exception):
        self._stop(exc=exception)

    def on_fit_end(self, trainer, pl_module):
        self._stop()

    def teardown(self, trainer, pl_module, stage):
        if self._owned:
            self._stop()


def _make():
    global _CLASS
    if _CLASS is None:
        _CLASS = type("AimeterCallback", (_Hooks, _base()), {
            "__doc__": "Measures trainer.fit() with aimeter; epochs become phases "
                       "(aimeter.lightning's docstring).",
            "__module__": __name__,
        })
    return _CLASS


def __getattr__(name):
    if name == "AimeterCallback":
        return _make()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AimeterCallback"]
