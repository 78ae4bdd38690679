# go_types overrides and a metrics list.

search "typed" {
  strategy = "random"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10
  metrics  = ["train_loss", "accuracy", "val_loss"]

  base_config = {
    epochs      = 10
    scale       = 2
    weights     = [1, 2, 3]
    resume_step = null
    seed        = 7
    width       = 64
  }

  go_types = {
    "scale"       = "float64"
    "weights"     = "float64"
    "resume_step" = "int64"
    "seed"        = "int64"
    "width"       = "float64"
  }

  param "width" {
    values = [32, 64, 128]
  }
  param "epochs" {
    type = integer
    low  = 5
    high = 50
    step = 5
  }

  trial {
    command = ["python3", "train.py"]
  }
}
