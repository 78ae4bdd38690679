search "coarse" {
  stratgy = "random"
  metric  = "val_loss"
  mode    = "maximise"
  trials  = 2.5
  base_config = {
    training = { lr = 0.001 }
  }
  trial {
    command = []
    timeout = "half an hour"
  }
}

search "coarse" {
  strategy = "grid"
  metric   = "val_loss"
  mode     = "min"
  trials   = 10
  trial {
    command = ["python3", "train.py"]
  }
}
