"""Framework hooks: aimeter.torch.EpochTracker with a real PyTorch model on the CPU, and the
Lightning and Hugging Face callbacks driven by stand-ins that call the hooks in the order the
frameworks document (neither framework is installable here)."""
import sys
import time
import types

import pytest

import aimeter


def opts(db, **kw):
    return dict(db=db, quiet=True, interval="20ms", **kw)


# ---------------------------------------------------------------- EpochTracker

def test_training_a_real_model_gives_one_phase_with_energy_per_epoch(db):
    """The issue's end-to-end test: a small PyTorch model trained on the CPU for 3 epochs
    under the EpochTracker; each epoch is a phase with its own energy."""
    torch = pytest.importorskip("torch")
    from aimeter.torch import EpochTracker
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x = torch.randn(8192, 32)
    y = (x[:, :4].sum(1, keepdim=True) > 0).float()
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128,
                                       shuffle=True)
    model = torch.nn.Sequential(torch.nn.Linear(32, 128), torch.nn.ReLU(), torch.nn.Linear(128, 1))
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    with EpochTracker("mlp", **opts(db)) as et:
        for epoch in et.epochs(3):
            for xb, yb in data:
                optim.zero_grad()
                loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xb), yb)
                loss.backward()
                optim.step()
                et.step(n_samples=len(xb), loss=loss)
            losses.append(loss.item())
        assert et.epoch == 3 and et.total_steps == 3 * 64
    s = et.summary
    assert s.status == "completed" and s.name == "mlp"
    assert [p.name for p in s.phases] == ["epoch 1", "epoch 2", "epoch 3"]
    previous_end = 0.0
    for p in s.phases:
        assert p.instances == 1 and p.unterminated == 0
        assert p.duration_s > 0.01 and p.energy_j > 0 and p.carbon_g > 0
        assert p.first_s >= previous_end - 1e-6        # one after the other, no overlap
        previous_end = p.first_s + p.duration_s
        assert p.records["samples"] == 8192 and p.records["steps"] == 64
    assert sum(p.energy_j for p in s.phases) <= s.energy_j * (1 + 1e-9)
    assert s.records["samples"].total == 3 * 8192 and s.records["steps"].total == 3 * 64
    assert s.records["loss"].kind == "gauge" and s.records["loss"].count == 3 * 64
    assert s.j_per("samples") == pytest.approx(s.energy_j / (3 * 8192), rel=1e-9)
    assert losses[-1] < losses[0] + 0.1  # it did train


def test_epoch_tracker_inside_a_running_tracker_and_step_markers(db):
    from aimeter.torch import EpochTracker
    with aimeter.track("outer", **opts(db)) as t:
        t.phase("train")
        et = EpochTracker(steps="mark", mark_every=2)
        assert et.tracker is t
        with et:
            for epoch in et.epochs(5, first=0):
                for _ in range(4):
                    et.step(n_tokens=100)
                if epoch == 1:
                    break                  # leaving the loop ends the epoch
            with et.epoch_scope(9):
                et.step()
        assert t.running                   # the EpochTracker does not stop a tracker it was given
        t.phase("eval")
    s = t.summary
    assert [p.name for p in s.phases] == ["train", "epoch 0", "epoch 1", "epoch 9", "eval"]
    assert all(p.unterminated == 0 for p in s.phases)
    assert s.phase("train").records["tokens"] == 800   # the epochs nest in "train"
    assert s.marks == 4                    # steps 2 and 4 of epochs 0 and 1
    assert "steps" not in s.records


def test_epoch_tracker_failure(db):
    from aimeter.torch import EpochTracker
    with pytest.raises(ZeroDivisionError):
        with EpochTracker("crash", **opts(db)) as et:
            for _ in et.epochs(2):
                et.step(n_samples=1)
                1 / 0
    s = et.summary
    # leaving the epochs() loop ends the epoch, by break or by an exception (a generator
    # cannot tell them apart); the run says it failed
    assert s.status == "failed"
    assert [(p.name, p.unterminated) for p in s.phases] == [("epoch 1", 0)]
    with pytest.raises(ZeroDivisionError):
        with EpochTracker("crash", **opts(db)) as et:
            et.begin_epoch()
            1 / 0
    # an epoch begun explicitly stays open after a failure: the report marks it unterminated
    assert [(p.name, p.unterminated) for p in et.summary.phases] == [("epoch 1", 1)]


def test_epoch_tracker_arguments():
    from aimeter.torch import EpochTracker
    with pytest.raises(ValueError):
        EpochTracker(steps="every")
    with pytest.raises(ValueError):
        EpochTracker(mark_every=0)
    with pytest.raises(TypeError):
        EpochTracker("x", tracker=aimeter.track())
    with pytest.raises(TypeError, match="unknown option"):
        EpochTracker(intervall="1s")


def test_the_package_imports_no_framework():
    from conftest import run_python
    r = run_python("""
import sys, aimeter, aimeter.torch, aimeter.lightning, aimeter.huggingface
print([m for m in ("torch", "lightning", "pytorch_lightning", "transformers") if m in sys.modules])
""")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


# ---------------------------------------------------------------- Lightning (stand-in)

class LightningCallbackBase:
    """lightning.pytorch.callbacks.Callback as documented: every hook exists and does nothing."""

    def __getattr__(self, name):
        if name.startswith("on_") or name in ("setup", "teardown"):
            return lambda *a, **k: None
        raise AttributeError(name)


class FakeLightningTrainer:
    """Calls the hooks of trainer.fit() in the order Lightning documents (sanity check,
    then per epoch: train batches, validation, train epoch end)."""

    def __init__(self, callbacks, max_epochs, batches, fail_in_epoch=None):
        self.callbacks, self.max_epochs, self.batches = callbacks, max_epochs, batches
        self.fail_in_epoch = fail_in_epoch
        self.current_epoch = 0
        self.sanity_checking = False

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(self, None, *args)

    def fit(self):
        try:
            self._call("setup", "fit")
            self._call("on_fit_start")
            self.sanity_checking = True
            self._call("on_sanity_check_start")
            self._call("on_validation_epoch_start")
            self._call("on_validation_epoch_end")
            self._call("on_sanity_check_end")
            self.sanity_checking = False
            self._call("on_train_start")
            for epoch in range(self.max_epochs):
                self.current_epoch = epoch
                self._call("on_train_epoch_start")
                for i in range(self.batches):
                    self._call("on_train_batch_start", None, i)
                    time.sleep(0.005)
                    if epoch == self.fail_in_epoch:
                        raise RuntimeError("CUDA out of memory (pretend)")
                    self._call("on_train_batch_end", None, None, i)
                self._call("on_validation_epoch_start")
                time.sleep(0.02)
                self._call("on_validation_epoch_end")
                self._call("on_train_epoch_end")
            self._call("on_train_end")
            self._call("on_fit_end")
        except BaseException as e:
            self._call("on_exception", e)
            raise
        finally:
            self._call("teardown", "fit")


@pytest.fixture
def fake_lightning(monkeypatch):
    callbacks = types.ModuleType("lightning.pytorch.callbacks")
    callbacks.Callback = LightningCallbackBase
    pytorch = types.ModuleType("lightning.pytorch")
    pytorch.callbacks = callbacks
    root = types.ModuleType("lightning")
    root.pytorch = pytorch
    for name, mod in (("lightning", root), ("lightning.pytorch", pytorch),
                      ("lightning.pytorch.callbacks", callbacks)):
        monkeypatch.setitem(sys.modules, name, mod)
    import aimeter.lightning
    monkeypatch.setattr(aimeter.lightning, "_CLASS", None)
    return aimeter.lightning


def test_lightning_callback_phases(db, fake_lightning):
    cb = fake_lightning.AimeterCallback("pl-fit", samples_per_step=32, **opts(db))
    assert isinstance(cb, LightningCallbackBase)
    FakeLightningTrainer([cb], max_epochs=3, batches=4).fit()
    s = cb.summary
    assert s.status == "completed" and s.name == "pl-fit"
    assert [(p.name, p.instances) for p in s.phases] == [
        ("sanity check", 1), ("epoch 1", 1), ("validation", 3), ("epoch 2", 1), ("epoch 3", 1)]
    assert all(p.unterminated == 0 and p.energy_j > 0 for p in s.phases)
    assert s.phase("epoch 2").records == {"samples": 128, "steps": 4}
    assert s.records["samples"].total == 3 * 4 * 32 and s.records["steps"].total == 12
    assert not cb.tracker.running


def test_lightning_callback_records_a_failed_fit(db, fake_lightning):
    cb = fake_lightning.AimeterCallback(**opts(db))
    with pytest.raises(RuntimeError, match="out of memory"):
        FakeLightningTrainer([cb], max_epochs=3, batches=4, fail_in_epoch=1).fit()
    s = cb.summary
    assert s.status == "failed" and s.name == "lightning"
    assert [(p.name, p.unterminated) for p in s.phases] == [
        ("sanity check", 0), ("epoch 1", 0), ("validation", 0), ("epoch 2", 1)]


def test_lightning_callback_inside_track_adds_to_it(db, fake_lightning):
    with aimeter.track("outer", **opts(db)) as t:
        cb = fake_lightning.AimeterCallback(steps=False)
        FakeLightningTrainer([cb], max_epochs=1, batches=2).fit()
        assert t.running and cb.summary is None
    assert [p.name for p in t.summary.phases] == ["sanity check", "epoch 1", "validation"]


def test_lightning_missing_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "lightning", None)
    monkeypatch.setitem(sys.modules, "pytorch_lightning", None)
    import aimeter.lightning
    monkeypatch.setattr(aimeter.lightning, "_CLASS", None)
    with pytest.raises(ImportError, match="PyTorch Lightning"):
        aimeter.lightning.AimeterCallback


# ---------------------------------------------------------------- Hugging Face (stand-in)

class HFTrainerCallbackBase:
    """transformers.TrainerCallback as documented: every event exists and does nothing."""

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)


class FakeHFTrainer:
    """Calls the events of Trainer.train() in the order transformers' training loop does:
    on_train_begin; per epoch on_epoch_begin, per step on_step_begin/on_step_end (on_log
    every logging step), on_epoch_end, then evaluation (on_evaluate); on_train_end. Like the
    real one, state.epoch is the fractional number of epochs done."""

    def __init__(self, callbacks, epochs, steps):
        self.callbacks, self.epochs, self.steps = callbacks, epochs, steps
        self.args = types.SimpleNamespace(per_device_train_batch_size=8, logging_steps=2)
        self.state = types.SimpleNamespace(epoch=0.0, global_step=0)
        self.control = types.SimpleNamespace(should_training_stop=False)

    def _event(self, name, **kw):
        for cb in self.callbacks:
            r = getattr(cb, name)(self.args, self.state, self.control, **kw)
            if r is not None:
                self.control = r

    def train(self):
        self._event("on_init_end")
        self._event("on_train_begin", model=None)
        for epoch in range(self.epochs):
            self._event("on_epoch_begin", model=None)
            for step in range(self.steps):
                self._event("on_step_begin")
                time.sleep(0.005)
                self.state.global_step += 1
                self.state.epoch = epoch + (step + 1) / self.steps
                self._event("on_step_end")
                if self.state.global_step % self.args.logging_steps == 0:
                    self._event("on_log", logs={"loss": 1.0 / self.state.global_step,
                                                "learning_rate": 5e-5, "grad_norm": 0.5,
                                                "epoch": self.state.epoch})
            self._event("on_epoch_end")
            self._event("on_evaluate", metrics={"eval_loss": 0.4, "eval_runtime": 0.01,
                                                "eval/accuracy": 0.75, "epoch": self.state.epoch})
        self._event("on_train_end")


@pytest.fixture
def fake_transformers(monkeypatch):
    mod = types.ModuleType("transformers")
    mod.TrainerCallback = HFTrainerCallbackBase
    monkeypatch.setitem(sys.modules, "transformers", mod)
    import aimeter.huggingface
    monkeypatch.setattr(aimeter.huggingface, "_CLASS", None)
    return aimeter.huggingface


def test_huggingface_callback_phases_and_logged_numbers(db, fake_transformers):
    cb = fake_transformers.AimeterCallback("hf", **opts(db))
    assert isinstance(cb, HFTrainerCallbackBase)
    FakeHFTrainer([cb], epochs=2, steps=4).train()
    s = cb.summary
    assert s.status == "completed" and s.name == "hf"
    assert [(p.name, p.unterminated) for p in s.phases] == [("epoch 1", 0), ("epoch 2", 0)]
    assert all(p.energy_j > 0 for p in s.phases)
    assert s.phase("epoch 2").records["steps"] == 4
    r = s.records
    assert r["steps"].total == 8
    assert r["loss"].kind == "gauge" and r["loss"].count == 4 and r["loss"].last == 1 / 8
    assert r["learning_rate"].last == 5e-5 and r["eval_loss"].count == 2
    assert r["eval_accuracy"].last == 0.75 and "epoch" not in r
    assert s.marks == 2                    # one "evaluate" marker per evaluation


def test_huggingface_resumed_mid_epoch_numbers_epochs_from_the_state(db, fake_transformers):
    cb = fake_transformers.AimeterCallback(**opts(db))
    tr = FakeHFTrainer([cb], epochs=1, steps=2)
    cb.on_train_begin(tr.args, tr.state, tr.control)
    tr.state.epoch = 2.5                   # resumed halfway through the third epoch
    cb.on_epoch_begin(tr.args, tr.state, tr.control)
    cb.on_epoch_end(tr.args, tr.state, tr.control)
    cb.on_train_end(tr.args, tr.state, tr.control)
    assert [p.name for p in cb.summary.phases] == ["epoch 3"]
    assert cb.summary.name == "hf-trainer"


def test_huggingface_missing_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    import aimeter.huggingface
    monkeypatch.setattr(aimeter.huggingface, "_CLASS", None)
    with pytest.raises(ImportError, match="needs transformers"):
        aimeter.huggingface.AimeterCallback
