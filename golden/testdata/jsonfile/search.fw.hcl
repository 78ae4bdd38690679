# base_config read from a JSON file.

search "resnet" {
  strategy = "random"
  metric   = "top1"
  mode     = "max"
  trials   = 16

  base_config = jsondecode(file("base.json"))

  param "optim.lr" {
    type = real
    low  = 0.01
    high = 1
    log  = true
  }
  param "optim.momentum" {
    values = [0.8, 0.9, 0.95]
  }
  param "model.width_multiplier" {
    type = real
    low  = 0.5
    high = 2
    step = 0.5
  }

  trial {
    command = ["python3", "train.py"]
  }
}
