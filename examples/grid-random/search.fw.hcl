# A grid search and a random search over the same task: the same space,
# the same objective (the quickstart's trial program, a quick noisy
# synthetic loss) and the same budget.
#
#   go run ../../cmd/fwapply apply -auto-approve
#   go run ../../cmd/fwapply show

variable "lr_levels" {
  type        = list(number)
  default     = [1e-4, 1e-3, 1e-2, 1e-1]
  description = "The grid's learning rates: one level per decade of the random search's range."
}

variable "batch_sizes" {
  type        = list(number)
  default     = [16, 64, 256]
  description = "The grid's batch sizes."
}

variable "optimizers" {
  type        = list(string)
  default     = ["adam", "sgd", "rmsprop"]
  description = "The optimizers both searches try."
}

variable "lr_log" {
  type        = bool
  default     = true
  description = "Whether the random search draws the learning rate on a log scale; false draws it uniformly, to see what that costs."
}

variable "seed" {
  type        = number
  default     = 1
  description = "The random search's seed; the grid has none."
}

search "grid" {
  strategy    = "grid"
  metric      = "val_loss"
  mode        = "min"
  parallelism = 2

  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = 5 }
    model     = { hidden_dim = 64, dropout = 0.1 }
    optimizer = "adam"
  }

  # The grid runs the product of the levels: 4 x 3 x 3 = 36 trials.
  param "training.lr" {
    values = var.lr_levels
  }
  param "training.batch_size" {
    values = var.batch_sizes
  }
  param "optimizer" {
    values = var.optimizers
  }

  trial {
    command = ["go", "run", "../quickstart/train"]
    timeout = "2m"
  }
}

search "random" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = length(var.lr_levels) * length(var.batch_sizes) * length(var.optimizers) # the grid's budget
  seed        = var.seed
  parallelism = 2

  base_config = {
    training  = { lr = 0.001, batch_size = 64, epochs = 5 }
    model     = { hidden_dim = 64, dropout = 0.1 }
    optimizer = "adam"
  }

  # The same ranges as the grid's levels, sampled: every trial gets a
  # learning rate and a batch size of its own.
  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = var.lr_log
  }
  param "training.batch_size" {
    type = integer
    low  = 16
    high = 256
    log  = true
  }
  param "optimizer" {
    values = var.optimizers
  }

  trial {
    command = ["go", "run", "../quickstart/train"]
    timeout = "2m"
  }
}
