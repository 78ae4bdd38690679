# Two stages: a coarse random search over wide ranges, then a fine
# Bayesian search refined around the coarse search's best trial (the
# quickstart's trial program, a quick noisy synthetic loss).
#
#   go run ../../cmd/fwapply plan                 # fine: known after apply
#   go run ../../cmd/fwapply apply -auto-approve  # coarse, then fine
#   go run ../../cmd/fwapply show

locals {
  base = {
    training  = { lr = 0.001, batch_size = 64, epochs = 5 }
    model     = { hidden_dim = 64, dropout = 0.1 }
    optimizer = "adam"
  }
}

search "coarse" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 20
  seed        = 1
  parallelism = 2
  base_config = local.base

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
    command = ["go", "run", "../quickstart/train"]
    timeout = "2m"
  }
}

search "fine" {
  strategy    = "bayesian"
  metric      = "val_loss"
  mode        = "min"
  trials      = 15
  seed        = 1
  parallelism = 2

  # The coarse search's best config, its optimizer included...
  base_config = search.coarse.best.config

  # ...and its numeric params, each range half as wide as the coarse one,
  # around the best trial's values.
  refine {
    from   = search.coarse
    factor = 0.5
    params = ["training.lr", "training.batch_size"]
  }

  trial {
    command = ["go", "run", "../quickstart/train"]
    timeout = "2m"
  }
}
