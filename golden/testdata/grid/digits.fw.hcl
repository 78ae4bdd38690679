# A grid search over a small classifier of the digits data set: every
# point of the grid runs once.

search "digits" {
  strategy    = "grid"
  metric      = "accuracy"
  mode        = "max"
  parallelism = -1

  base_config = {
    data     = { path = "../shared/data/digits.csv.gz", test_fraction = 0.25 }
    model    = { hidden_dim = 64, activation = "relu", dropout = 0.1 }
    training = { lr = 0.01, epochs = 20, batch_size = 32 }
  }

  param "model.hidden_dim" {
    type = integer
    low  = 32
    high = 128
    step = 32
  }
  param "model.activation" {
    values = ["relu", "tanh", "gelu"]
  }
  param "training.lr" {
    type = real
    low  = 0.005
    high = 0.02
    step = 0.005
  }

  trial {
    command = ["python3", "train.py"]
    timeout = "10m"
  }
}
