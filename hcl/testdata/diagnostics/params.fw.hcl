search "params" {
  strategy = "grid"
  metric   = "acc"
  mode     = "max"

  base_config = {
    training  = { lr = 0.001, batch_size = 128 }
    optimizer = "adam"
    dropout   = 0.25
  }

  param "training.lr" {
    type = real
    low  = 1e-2
    high = 1e-5
  }
  param "training.lr" {
    values = [0.1, 0.2, 0.1]
  }
  param "optimizer.beta" {
    type = real
    low  = 0
    high = 1
    step = 0.1
  }
  param "optimizer" {
    type = integer
    low  = 1
    high = 4
  }
  param "dropout" {
    type = integer
    low  = 0
    high = 1
  }
  param "training.batch_size" {
    type = integer
    low  = 0
    high = 256
    log  = true
  }
  param "training" {
    values = [1, 2]
  }
  param "epochs" {
    type = real
    low  = 1
    high = 10
  }

  trial {
    command = ["python3", "train.py"]
  }
}
