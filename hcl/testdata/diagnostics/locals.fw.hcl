# Local values: every error of locals blocks.
variable "budget" {
  default = 20
}

locals {
  epochs = 10
  base   = { training = { lr = 0.001, epochs = local.epochs }, optimizer = "adam" }
  steps  = local.epoch * 100     # a typo
  trials = var.budgt             # a typo of a variable
  whole  = length(local)         # local is not a value
  self   = local.self + 1        # a cycle of one
  ping   = local.pong            # a cycle of two
  pong   = [local.ping]
  one    = local.two             # a cycle of three
  two    = local.three
  three  = { x = local.one }
  after  = local.one             # reads a cycle: no error of its own
}

locals {
  epochs = 12                    # defined twice
}

search "s" {
  strategy    = "random"
  metric      = "loss"
  mode        = "min"
  trials      = local.trials
  base_config = local.base

  param "training.lr" {
    type = real
    low  = local.base.training.lr / 10
    high = local.base.training.lr * 10
    log  = true
  }

  trial {
    command = ["python3", "train.py", "--steps", local.step]
    env     = { AFTER = local.after }
  }
}
