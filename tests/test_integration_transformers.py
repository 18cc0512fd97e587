"""Hugging Face Trainer callback on tiny real training runs (a plain torch model)."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")
transformers = pytest.importorskip("transformers", reason="transformers not installed: "
                                   'pip install "lossdoctor[integrations]"')
pytest.importorskip("accelerate", reason="the Trainer needs accelerate: "
                    'pip install "lossdoctor[integrations]"')

from training import (  # noqa: E402
    SCENARIOS,
    check_diverging_stop,
    check_lr_cut,
    data,
    losses_after_cut,
    one_thread,  # noqa: F401  (fixture)
)

from lossdoctor.integrations.transformers import LossDoctorCallback  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore")


class Rows(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = torch.tensor(x), torch.tensor(y)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}


class Net(torch.nn.Module):
    def __init__(self, s):
        super().__init__()
        self.task = s.task
        self.net = torch.nn.Sequential(torch.nn.Linear(20, s.hidden), torch.nn.ReLU(),
                                       torch.nn.Linear(s.hidden, s.outputs))

    def forward(self, x, labels):
        out = self.net(x)
        F = torch.nn.functional
        loss = F.mse_loss(out, labels) if self.task == "reg" else F.cross_entropy(out, labels)
        return {"loss": loss, "logits": out}


def train(name, tmp_path, callback=None, **args):
    s = SCENARIOS[name]
    transformers.set_seed(0)
    model = Net(s)
    options = dict(num_train_epochs=s.epochs, per_device_train_batch_size=s.batch,
                   per_device_eval_batch_size=256, learning_rate=s.lr, weight_decay=0.0,
                   optim="adamw_torch" if s.optimizer == "adam" else "sgd",
                   lr_scheduler_type="constant", logging_steps=1, eval_strategy="epoch",
                   save_strategy="no", report_to=[], disable_tqdm=True, use_cpu=True, seed=0,
                   data_seed=0)
    options.update(args)
    trainer = transformers.Trainer(
        model=model, args=transformers.TrainingArguments(str(tmp_path / "out"), **options),
        train_dataset=Rows(*data(s, 0)), eval_dataset=Rows(*data(s, 1)),
        callbacks=[callback] if callback else [])
    trainer.train()
    return trainer


def test_healthy_run_is_not_stopped_and_ends_bit_identical(tmp_path):
    plain = train("healthy", tmp_path)
    callback = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop", verbose=False)
    watched = train("healthy", tmp_path, callback)
    assert callback.doctor.stopped is None and not callback.doctor.lr_changes
    assert watched.state.global_step == plain.state.global_step
    a, b = plain.model.state_dict(), watched.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert callback.monitor.verdict is not None


def test_diverging_run_is_stopped_within_a_few_diagnoses_of_the_onset(tmp_path):
    callback = LossDoctorCallback(verbose=False)
    # the Trainer clips gradients to norm 1 by default, which tames this blow-up
    trainer = train("diverging", tmp_path, callback, max_grad_norm=0.0)
    check_diverging_stop(callback.doctor, trainer.state.global_step)
    assert trainer.state.global_step < trainer.state.max_steps
    # the Trainer logs a NaN loss as a number (logging_nan_inf_filter); its NaN grad_norm
    # gives it away, so the stop comes before the first evaluation at step 16
    assert callback.doctor.stopped.step < 16


def test_too_high_learning_rate_is_cut_on_the_optimizer_and_then_it_learns(tmp_path):
    callback = LossDoctorCallback(on_lr_too_high="reduce", verbose=False)
    trainer = train("lr_too_high", tmp_path, callback)
    lr_now = trainer.optimizer.param_groups[0]["lr"]
    check_lr_cut(callback.doctor, lr_now, SCENARIOS["lr_too_high"].lr)
    logged = [e["learning_rate"] for e in trainer.state.log_history if "learning_rate" in e]
    assert logged[-1] == pytest.approx(lr_now)            # the schedule kept the cut
    at_cut, last = losses_after_cut(callback.doctor)
    assert last < at_cut


def eval_loss(trainer):
    return trainer.evaluate()["eval_loss"]


def test_overfitting_run_stops_and_gets_its_best_weights_back(tmp_path):
    callback = LossDoctorCallback(on_overfitting="stop", verbose=False)
    trainer = train("overfitting", tmp_path, callback)
    stop = callback.doctor.stopped
    assert stop is not None and stop.reason.startswith("overfitting")
    assert trainer.state.global_step < trainer.state.max_steps
    evals = [e["eval_loss"] for e in trainer.state.log_history if "eval_loss" in e]
    assert evals[-1] > min(evals) == pytest.approx(callback.doctor.best_test)
    assert eval_loss(trainer) == pytest.approx(min(evals), rel=1e-5)


def test_overfitting_leaves_the_best_checkpoint_to_the_trainer(tmp_path):
    callback = LossDoctorCallback(on_overfitting="stop", verbose=False,
                                  report_path=tmp_path / "report.html")
    trainer = train("overfitting", tmp_path, callback, save_strategy="epoch",
                    load_best_model_at_end=True, metric_for_best_model="eval_loss",
                    save_total_limit=2)
    assert callback.best_state is None                   # the Trainer kept the best
    evals = [e["eval_loss"] for e in trainer.state.log_history if "eval_loss" in e]
    assert eval_loss(trainer) == pytest.approx(min(evals), rel=1e-5)
    assert "<html" in (tmp_path / "report.html").read_text().lower()
