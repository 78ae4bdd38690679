# Pruner blocks with bad kinds, attributes and values: each error, located.
search "kinds" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "hyperband" {
    max_steps = 27
  }
  pruner "median" {
  }
}

search "median" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  metrics  = ["val_loss", "val_acc"]
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "median" {
    metric         = "val_los"
    startup_trials = -1
    warmup_steps   = 2.5
    interval       = 0
    max_steps      = 27
    warmupSteps    = 3
    mode           = "max"
    patience       = 3
  }
}

search "asha" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "asha" {
    metric           = "accuracy"
    min_steps        = 9
    max_steps        = 9
    reduction_factor = 1
    startup_trials   = 5
  }
}

search "asha_missing" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "asha" {
    rf = 2
  }
}

search "asha_null" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 5
  param "lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "asha" {
    max_steps = null
  }
}
