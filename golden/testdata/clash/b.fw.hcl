search "b" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10

  base_config = {
    training = { epochs = 5, lr = 0.01 }
    model    = "mlp"
  }

  param "training.epochs" {
    type = real
    low  = 1
    high = 50
  }

  trial {
    command = ["python3", "train.py"]
  }
}
