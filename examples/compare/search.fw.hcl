# Grid, random and Bayesian search on one task: the digits example's MLP
# (../digits), trained by its own trial program, with one space and one
# budget for all three. The defaults are sized for CI (about a minute on
# 2 cores); README.md gives the budgets of a real comparison.
#
#   go run ../../cmd/fwapply apply -auto-approve
#   go run ../../cmd/fwapply analyze search.grid search.random search.bayes -plots=plots

variable "lr_levels" {
  type        = list(number)
  default     = [1e-3, 1e-2, 1e-1]
  description = "The grid's learning rates."
}

variable "hidden_levels" {
  type        = list(number)
  default     = [32, 128]
  description = "The grid's hidden widths."
}

variable "batch_levels" {
  type        = list(number)
  default     = [16, 64]
  description = "The grid's batch sizes."
}

variable "l2_levels" {
  type        = list(number)
  default     = [1e-4]
  description = "The grid's L2 penalties."
}

variable "trials" {
  type        = number
  default     = 36
  description = "The budget of the random and Bayesian searches; keep it at the grid's size (the product of its levels, times 3 optimizers) to compare like with like."
}

variable "seed" {
  type        = number
  default     = 1
  description = "The seed of the random and Bayesian searches; the grid has none."
}

variable "initial_points" {
  type        = number
  default     = 10
  description = "The Bayesian search's space-filling initial design."
}

# What the three searches share: the base config and the trial program.
locals {
  base_config = {
    training = { lr = 0.01, batch_size = 32, epochs = 10, l2 = 0.0001, optimizer = "adam" }
    model    = { hidden = 64 }
    seed     = 1
  }
  # The digits trial program, run with go run: its generated config types
  # belong to the digits search, so go_build's staleness check would flag
  # them here. The data path is relative to this directory.
  train     = ["go", "run", "../digits/cmd/train"]
  train_env = { DIGITS_DATA = "../digits/data/digits.csv.gz" }
}

search "grid" {
  strategy    = "grid"
  metric      = "val_loss"
  mode        = "min"
  metrics     = ["val_acc", "train_loss"]
  parallelism = 2

  base_config = local.base_config

  param "training.lr" {
    values = var.lr_levels
  }
  param "model.hidden" {
    values = var.hidden_levels
  }
  param "training.batch_size" {
    values = var.batch_levels
  }
  param "training.l2" {
    values = var.l2_levels
  }
  param "training.optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = local.train
    env     = local.train_env
    timeout = "2m"
  }
}

search "random" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  metrics     = ["val_acc", "train_loss"]
  trials      = var.trials
  seed        = var.seed
  parallelism = 2

  base_config = local.base_config

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }
  param "model.hidden" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.l2" {
    type = real
    low  = 1e-6
    high = 1e-2
    log  = true
  }
  param "training.optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = local.train
    env     = local.train_env
    timeout = "2m"
  }
}

search "bayes" {
  strategy    = "bayesian"
  metric      = "val_loss"
  mode        = "min"
  metrics     = ["val_acc", "train_loss"]
  trials      = var.trials
  seed        = var.seed
  parallelism = 2

  base_config = local.base_config

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    log  = true
  }
  param "model.hidden" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 8
    high = 256
    log  = true
  }
  param "training.l2" {
    type = real
    low  = 1e-6
    high = 1e-2
    log  = true
  }
  param "training.optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = local.train
    env     = local.train_env
    timeout = "2m"
  }

  bayesian {
    initial_points = var.initial_points
  }
}
