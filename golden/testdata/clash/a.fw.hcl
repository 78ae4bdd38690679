search "a" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10

  base_config = {
    training = { epochs = 5, lr = 0.01 }
    model    = { hidden_dim = 64 }
  }

  param "training.lr" {
    type = real
    low  = 0.001
    high = 0.1
  }

  trial {
    command = ["python3", "train.py"]
  }
}
