"""PyTorch Lightning callback on tiny real training runs, with both package names."""
from __future__ import annotations

import importlib
import json

import pytest

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")
pytest.importorskip("lightning_utilities", reason="Lightning not installed: "
                    'pip install "lossdoctor[integrations]"')

from training import (  # noqa: E402
    SCENARIOS,
    check_diverging_stop,
    check_lr_cut,
    data,
    losses_after_cut,
    one_thread,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.filterwarnings("ignore")    # Lightning's tips about workers and logs


def package(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} not installed: pip install \"lossdoctor[integrations]\"")


@pytest.fixture(params=["lightning.pytorch", "pytorch_lightning"])
def pl(request):
    return package(request.param)


def fit(pl, name, callback=None, checkpoint=None, tmp_path=None):
    s = SCENARIOS[name]
    F = torch.nn.functional

    class Net(pl.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(torch.nn.Linear(20, s.hidden), torch.nn.ReLU(),
                                           torch.nn.Linear(s.hidden, s.outputs))

        def loss(self, batch):
            x, y = batch
            out = self.net(x)
            return F.mse_loss(out, y) if s.task == "reg" else F.cross_entropy(out, y)

        def training_step(self, batch, i):
            loss = self.loss(batch)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch, i):
            self.log("val_loss", self.loss(batch))

        def configure_optimizers(self):
            kind = torch.optim.Adam if s.optimizer == "adam" else torch.optim.SGD
            return kind(self.parameters(), lr=s.lr)

    pl.seed_everything(0, verbose=False)
    model = Net()
    loaders = []
    for seed in (0, 1):
        x, y = data(s, seed)
        ds = torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y))
        loaders.append(torch.utils.data.DataLoader(ds, batch_size=s.batch if seed == 0 else 256,
                                                   shuffle=seed == 0))
    callbacks = [c for c in (callback, checkpoint) if c is not None]
    trainer = pl.Trainer(max_epochs=s.epochs, callbacks=callbacks, logger=False,
                         enable_checkpointing=checkpoint is not None,
                         enable_progress_bar=False, enable_model_summary=False,
                         num_sanity_val_steps=0, deterministic=True,
                         default_root_dir=tmp_path)
    trainer.fit(model, *loaders)
    return model, trainer


def val_loss(model, name):
    s = SCENARIOS[name]
    x, y = data(s, 1)
    with torch.no_grad():
        return float(model.loss((torch.tensor(x), torch.tensor(y))))


def test_healthy_run_is_not_stopped_and_ends_bit_identical(pl):
    from lossdoctor.integrations.lightning import LossDoctorCallback

    plain, _ = fit(pl, "healthy")
    callback = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop", verbose=False)
    watched, trainer = fit(pl, "healthy", callback)
    assert callback.doctor.stopped is None and not callback.doctor.lr_changes
    assert trainer.current_epoch == SCENARIOS["healthy"].epochs
    a, b = plain.state_dict(), watched.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert callback.monitor.verdict is not None


def test_diverging_run_is_stopped_within_a_few_diagnoses_of_the_onset(pl):
    from lossdoctor.integrations.lightning import LossDoctorCallback

    callback = LossDoctorCallback(verbose=False)
    _, trainer = fit(pl, "diverging", callback)
    check_diverging_stop(callback.doctor, trainer.global_step)
    assert trainer.current_epoch < SCENARIOS["diverging"].epochs


def test_too_high_learning_rate_is_cut_on_the_optimizer_and_then_it_learns(pl):
    from lossdoctor.integrations.lightning import LossDoctorCallback

    callback = LossDoctorCallback(on_lr_too_high="reduce", verbose=False)
    _, trainer = fit(pl, "lr_too_high", callback)
    lr_now = trainer.optimizers[0].param_groups[0]["lr"]
    check_lr_cut(callback.doctor, lr_now, SCENARIOS["lr_too_high"].lr)
    at_cut, last = losses_after_cut(callback.doctor)
    assert last < at_cut


def test_overfitting_run_stops_and_gets_its_best_weights_back(pl):
    from lossdoctor.integrations.lightning import LossDoctorCallback

    callback = LossDoctorCallback(on_overfitting="stop", verbose=False)
    model, trainer = fit(pl, "overfitting", callback)
    stop = callback.doctor.stopped
    assert stop is not None and stop.reason.startswith("overfitting")
    assert trainer.current_epoch < SCENARIOS["overfitting"].epochs
    assert val_loss(model, "overfitting") == pytest.approx(callback.doctor.best_test, rel=1e-5)
    steps, values = callback.monitor.curves["test"].arrays()
    assert values[-1] > callback.doctor.best_test


def test_overfitting_restores_the_best_checkpoint_lightning_kept(tmp_path):
    pl = package("lightning.pytorch")
    from lossdoctor.integrations.lightning import LossDoctorCallback

    checkpoint = pl.callbacks.ModelCheckpoint(dirpath=tmp_path, monitor="val_loss", mode="min")
    callback = LossDoctorCallback(on_overfitting="stop", verbose=False,
                                  report_path=tmp_path / "report.md")
    model, _ = fit(pl, "overfitting", callback, checkpoint, tmp_path)
    assert callback.best_state is None                   # the checkpoint did the keeping
    assert checkpoint.best_model_path
    assert val_loss(model, "overfitting") == pytest.approx(float(checkpoint.best_model_score),
                                                           rel=1e-5)
    assert "OVERFITTING" in (tmp_path / "report.md").read_text().upper()


def test_report_is_written_as_json(pl, tmp_path):
    from lossdoctor.integrations.lightning import LossDoctorCallback

    callback = LossDoctorCallback(verbose=False, report_path=tmp_path / "r.json")
    fit(pl, "diverging", callback)
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] in ("divergence",
                                                                         "non_finite")
