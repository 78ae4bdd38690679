# Quickstart: a random search over a small mixed space.
#
#   go run ./cmd/fwapply -chdir=examples/quickstart validate

variable "epochs" {
  type        = number
  default     = 5
  description = "Epochs per trial; raise it for the full-length run."
}

search "quickstart" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 20
  seed        = 1
  parallelism = 2

  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = var.epochs }
    model     = { hidden_dim = 64, dropout = 0.1 }
    optimizer = "adam"
  }

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }

  param "training.batch_size" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }

  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = ["go", "run", "./train"]
    timeout = "2m"
  }
}
