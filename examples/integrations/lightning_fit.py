"""PyTorch Lightning with lossdoctor's callback: python lightning_fit.py [run]."""
import lightning.pytorch as pl
import torch
from toy import chosen, data

from lossdoctor.integrations.lightning import LossDoctorCallback

run = chosen()
F = torch.nn.functional


class Net(pl.LightningModule):
    def __init__(self):
        super().__init__()
        outputs = 2 if run["task"] == "cls" else 1
        self.net = torch.nn.Sequential(torch.nn.Linear(20, run["hidden"]), torch.nn.ReLU(),
                                       torch.nn.Linear(run["hidden"], outputs))

    def loss(self, batch):
        x, y = batch
        return (F.cross_entropy if run["task"] == "cls" else F.mse_loss)(self.net(x), y)

    def training_step(self, batch, i):
        loss = self.loss(batch)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, i):
        self.log("val_loss", self.loss(batch))

    def configure_optimizers(self):
        kind = torch.optim.Adam if run["optimizer"] == "adam" else torch.optim.SGD
        return kind(self.parameters(), lr=run["lr"])


def loader(seed):
    x, y = data(run, seed)
    return torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(x), torch.tensor(y)),
        batch_size=run["batch"] if seed == 0 else 256, shuffle=seed == 0)


pl.seed_everything(0, verbose=False)
model = Net()
doctor = LossDoctorCallback(on_lr_too_high="reduce", on_overfitting="stop",
                            report_path="lightning-report.json")
trainer = pl.Trainer(max_epochs=run["epochs"], callbacks=[doctor], logger=False,
                     enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, num_sanity_val_steps=0)
trainer.fit(model, loader(0), loader(1))
with torch.no_grad():
    x, y = data(run, 1)
    val = float(model.loss((torch.tensor(x), torch.tensor(y))))
lr = trainer.optimizers[0].param_groups[0]["lr"]
print(f"steps run: {trainer.global_step} of {trainer.estimated_stepping_batches}; "
      f"learning rate now {lr:.3g}; val_loss now {val:.4f}")
