search "conditional" {
  strategy    = "random"
  trials      = 10
  metric      = "loss"
  mode        = "min"
  base_config = { optimizer = "adam", training = { momentum = 0.0, lr = 0.1 } }

  param "optimizer" {
    values = ["adam", "sgd"]
  }
  param "training.momentum" {
    type = real
    low  = 0.5
    high = 0.99
    when = config.optimiser == "sgd"
  }
  param "training.lr" {
    type = real
    low  = 0.001
    high = 0.1
    when = config.training.nesterov
  }
  param "training.nesterov" {
    values = [true, false]
    new    = true
    when   = config.optimizer
  }
  trial {
    command = ["./train"]
  }
}
