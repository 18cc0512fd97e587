"""A plain PyTorch loop watched by lossdoctor.Monitor: python torch_loop.py [run]."""
import torch
from toy import chosen, data

import lossdoctor

run = chosen()
torch.manual_seed(0)
(x, y), (xv, yv) = [tuple(map(torch.tensor, data(run, s))) for s in (0, 1)]
outputs = 2 if run["task"] == "cls" else 1
model = torch.nn.Sequential(torch.nn.Linear(20, run["hidden"]), torch.nn.ReLU(),
                            torch.nn.Linear(run["hidden"], outputs))
loss_fn = torch.nn.functional.cross_entropy if outputs == 2 else torch.nn.functional.mse_loss
kind = torch.optim.Adam if run["optimizer"] == "adam" else torch.optim.SGD
opt = kind(model.parameters(), lr=run["lr"])

monitor = lossdoctor.Monitor()
step = 0
for _ in range(run["epochs"]):
    for batch in torch.randperm(len(x)).split(run["batch"]):
        loss = loss_fn(model(x[batch]), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        monitor.log(step, train_loss=loss.item(), lr=opt.param_groups[0]["lr"])
        if monitor.should_stop:
            break
    with torch.no_grad():
        monitor.log(step, test_loss=loss_fn(model(xv), yv).item())
    if monitor.should_stop:
        print(f"stopped at step {step}: {monitor.stopping[0].message}")
        break
for change in monitor.changes:
    print(change)
print("verdict:", monitor.report().verdict)
