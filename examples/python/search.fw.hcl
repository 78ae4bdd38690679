# A random search of a Python trial: train.py, a synthetic training run
# that uses the frameworm helper (python/frameworm) from this checkout, no
# installation needed. From the repository root:
#
#   go run ./cmd/fwapply -chdir=examples/python apply -auto-approve

variable "epochs" {
  type        = number
  default     = 10
  description = "Epochs per trial; train.py reports progress after each."
}

variable "epoch_seconds" {
  type        = number
  default     = 0.1
  description = "How long one synthetic epoch takes, so progress can be watched."
}

search "python" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 12
  seed        = 1
  parallelism = 2

  base_config = {
    training = { lr = 0.001, momentum = 0.9, epochs = var.epochs, epoch_seconds = var.epoch_seconds }
    model    = { width = 64 }
  }

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }

  param "training.momentum" {
    type = real
    low  = 0.5
    high = 0.99
  }

  param "model.width" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }

  # Stop a trial whose validation loss is worse than the median of the
  # earlier trials at the same epoch, once 5 of them completed.
  pruner "median" {
    warmup_steps = 2
  }

  trial {
    command = ["python3", "train.py"]
    timeout = "2m"
    # The helper from this checkout; relative to the trial's working
    # directory, this one. Drop it after `pip install ./python`.
    env = { PYTHONPATH = "../../python", PYTHONUNBUFFERED = "1" }
  }
}
