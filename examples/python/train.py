"""The trial program of examples/python: a synthetic training run that
speaks the trial protocol through the frameworm helper (python/frameworm).

Each epoch the validation loss decays towards a floor set by the
hyperparameters (a bowl in log10(lr), a shallower one in log2(width) and
one in momentum), with noise seeded by the config, and the program reports
it with frameworm.report. When fwapply stops the trial (its pruner, its
timeout, a second Ctrl-C), report raises frameworm.Pruned and the program
saves a checkpoint before it exits.

Run by hand from the repository root, it trains the base config and prints
progress on stderr and the metrics on stdout:

    PYTHONPATH=python python3 examples/python/train.py
"""

import json
import math
import os
import random
import time

import frameworm

# The config used when run by hand, outside fwapply.
BASE_CONFIG = {
    "training": {"lr": 0.001, "momentum": 0.9, "epochs": 10, "epoch_seconds": 0.1},
    "model": {"width": 64},
}


def save_checkpoint(epoch: int, val_loss: float) -> None:
    """Stands in for torch.save(model.state_dict(), ...)."""
    path = os.path.join(frameworm.trial_dir(default="."), "checkpoint.json")
    with open(path, "w") as f:
        json.dump({"epoch": epoch, "val_loss": val_loss}, f)


def main() -> None:
    cfg = frameworm.config(default=BASE_CONFIG)
    lr = float(cfg["training"]["lr"])  # a whole number may come as an int
    momentum = float(cfg["training"]["momentum"])
    epochs = int(cfg["training"]["epochs"])
    epoch_seconds = float(cfg["training"]["epoch_seconds"])
    width = int(cfg["model"]["width"])

    floor = 0.3 * (math.log10(lr) + 2.5) ** 2 + 0.02 * (math.log2(width) - 7) ** 2 + 2.0 * (momentum - 0.9) ** 2
    rate = 0.2 + 0.3 * min(1.0, lr / 0.01)  # a larger learning rate learns faster
    rng = random.Random(json.dumps(cfg, sort_keys=True))  # the same config, the same run

    epoch, val_loss, val_acc = 0, math.inf, 0.0
    try:
        for epoch in range(1, epochs + 1):
            time.sleep(epoch_seconds)  # the epoch's training
            val_loss = floor + 2.0 * math.exp(-rate * epoch) + 0.02 * rng.gauss(0, 1)
            val_acc = 1 / (1 + val_loss)
            frameworm.report(epoch, val_loss=val_loss, val_acc=val_acc)
            print(f"epoch {epoch}: val_loss={val_loss:.4f}")  # goes to stdout.log
    except frameworm.Pruned:
        save_checkpoint(epoch, val_loss)
        raise  # fwapply records the trial as it decided: pruned, timed out or interrupted

    frameworm.finish(val_loss=val_loss, val_acc=val_acc, epochs=epochs)


if __name__ == "__main__":
    main()
