search "coarse" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 40

  base_config = {
    training  = { lr = 0.001, batch_size = 128, epochs = 5 }
    model     = { hidden_dim = 256, dropout = 0.1 }
    optimizer = "adam"
  }

  param "training.lr" {
    type = real
    low  = 1e-5
    high = 1e-1
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = ["python3", "train.py"]
  }
}
