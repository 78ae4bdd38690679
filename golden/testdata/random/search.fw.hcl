variable "epochs" {
  type    = number
  default = 5
}

search "coarse" {
  strategy    = "random"
  metric      = "val_loss"
  mode        = "min"
  trials      = 50
  seed        = 1
  parallelism = 4

  base_config = {
    training  = { lr = 0.001, batch_size = 128, epochs = var.epochs }
    model     = { hidden_dim = 256, dropout = 0.1 }
    optimizer = "adam"
  }

  param "training.lr" {
    type = real
    low  = 1e-5
    high = 1e-2
    log  = true
  }
  param "training.batch_size" {
    type = integer
    low  = 32
    high = 256
    log  = true
  }
  param "optimizer" {
    values = ["adam", "sgd", "rmsprop"]
  }

  trial {
    command = ["python3", "train.py"]
    timeout = "30m"
    env     = { OMP_NUM_THREADS = "1" }
  }
}
