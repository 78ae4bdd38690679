search "typos" {
  strategy = "random"
  metric   = "val_los"
  metrics  = ["val_loss", "val_acc"]
  mode     = "min"
  trials   = 20

  base_config = {
    training = { lr = 0.001, batch_size = 128, epochs = 10 }
  }

  # learning_rate for lr: an abbreviation.
  param "training.learning_rate" {
    type = real
    low  = 1e-5
    high = 1e-2
    log  = true
  }
  # batchSize for batch_size: another case style.
  param "training.batchSize" {
    values = [32, 64]
  }
  # ephocs for epochs: two letters swapped.
  param "training.ephocs" {
    type = integer
    low  = 5
    high = 20
  }
  # lr is already in base_config.
  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-1
    new  = true
  }
  # Really new settings: allowed.
  param "training.warmup_steps" {
    type = integer
    low  = 0
    high = 500
    new  = true
  }
  param "training.wd" {
    values = [0, 0.01]
  }

  trial {
    command = ["python3", "train.py"]
  }
}
