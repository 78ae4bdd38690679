search "fine" {
  strategy = "bayesian"
  metric   = "val_loss"
  mode     = "min"
  trials   = 20

  base_config = {
    training  = { lr = 0.0005, batch_size = 64, epochs = 20 }
    model     = { hidden_dim = 256, dropout = 0.2, norm = "layer" }
    optimizer = "adam"
  }

  param "training.lr" {
    type = real
    low  = 1e-4
    high = 1e-2
    log  = true
  }
  param "model.dropout" {
    type = real
    low  = 0
    high = 0.5
  }
  param "optimizer" {
    values = ["adam", "sgd"]
  }

  trial {
    command = ["python3", "train.py"]
  }
}
