# Pruner attributes that read base_config: missing paths, values that are
# not whole numbers, a searched value, and a pruner that never prunes.
search "refs" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  base_config = {
    training  = { lr = 0.001, epochs = 27, frac = 2.5, layers = [64, 32] }
    optimizer = "adam"
  }
  param "training.lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "asha" {
    min_steps        = base_config.trainig.warmup
    max_steps        = base_config.training.epoch
    reduction_factor = base_config.training.frac
  }
}

search "more_refs" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  base_config = {
    training  = { lr = 0.001, epochs = 27, layers = [64, 32] }
    optimizer = "adam"
  }
  param "training.lr" {
    values = [0.1, 0.01]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "median" {
    startup_trials = base_config.optimizer.count
    warmup_steps   = base_config.training.layers[2]
    interval       = base_config.optimizer
  }
}

search "warnings" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 8
  base_config = {
    training = { lr = 0.001, epochs = 27 }
  }
  param "training.epochs" {
    values = [9, 27]
  }
  trial {
    command = ["python3", "train.py"]
  }
  pruner "median" {
    startup_trials = 8
    warmup_steps   = base_config.training.epochs / 9
  }
}
