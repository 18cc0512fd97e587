"""Hugging Face Trainer with lossdoctor's callback: python hf_trainer.py [run]."""
import torch
from toy import chosen, data
from transformers import PrinterCallback, Trainer, TrainingArguments, set_seed

from lossdoctor.integrations.transformers import LossDoctorCallback

run = chosen()


class Rows(torch.utils.data.Dataset):
    def __init__(self, seed):
        self.x, self.y = map(torch.tensor, data(run, seed))

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": self.x[i], "labels": self.y[i]}


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        outputs = 2 if run["task"] == "cls" else 1
        self.net = torch.nn.Sequential(torch.nn.Linear(20, run["hidden"]), torch.nn.ReLU(),
                                       torch.nn.Linear(run["hidden"], outputs))

    def forward(self, x, labels):
        out = self.net(x)
        F = torch.nn.functional
        return {"loss": (F.cross_entropy if run["task"] == "cls" else F.mse_loss)(out, labels)}


set_seed(0)
args = TrainingArguments(
    "hf-out", num_train_epochs=run["epochs"], per_device_train_batch_size=run["batch"],
    learning_rate=run["lr"], optim="adamw_torch" if run["optimizer"] == "adam" else "sgd",
    weight_decay=0.0, lr_scheduler_type="constant", max_grad_norm=0.0, logging_steps=1,
    eval_strategy="epoch", save_strategy="no", report_to=[], disable_tqdm=True,
    log_level="error", use_cpu=True)
doctor = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop",
                            report_path="hf-report.html")
trainer = Trainer(model=Net(), args=args, train_dataset=Rows(0), eval_dataset=Rows(1),
                  callbacks=[doctor])
trainer.remove_callback(PrinterCallback)      # the Trainer's own print of every log entry
trainer.train()
print(f"steps run: {trainer.state.global_step} of {trainer.state.max_steps}; learning rate "
      f"now {trainer.optimizer.param_groups[0]['lr']:.3g}; "
      f"eval_loss now {trainer.evaluate()['eval_loss']:.4f}")
