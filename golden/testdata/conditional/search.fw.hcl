# Conditional params: momentum only for SGD, nesterov only with a high
# momentum (a new leaf), dropout only for a deep model.
search "conditional" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20
  base_config = {
    optimizer = "adam"
    training  = { lr = 0.001, momentum = 0.0 }
    model     = { layers = 2, dropout = 0.0 }
  }
  param "optimizer" {
    values = ["adam", "sgd"]
  }
  param "training.momentum" {
    type = real
    low  = 0.5
    high = 0.99
    when = config.optimizer == "sgd"
  }
  param "training.nesterov" {
    values = [true, false]
    new    = true
    when   = config.training.momentum >= 0.9
  }
  param "model.layers" {
    type = integer
    low  = 1
    high = 8
  }
  param "model.dropout" {
    values = [0.1, 0.3, 0.5]
    when   = config.model.layers > 4
  }
  trial {
    command = ["python3", "train.py"]
  }
}
